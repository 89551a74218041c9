// Pure per-interval sample: the generator's counts and the kernel's running totals at one moment.
import type {GeneratorStats} from '../load/generator.js';
import type {LiveState} from './live.js';
import type {KernelState} from '../bpftrace/kernel-state.js';
import {readAll} from '../measurements/index.js';
import {perConnection} from './slab.js';

// One sample, printed as a JSON line in headless mode and drawn by the live views.
export type Sample = {
  type: 'sample';
  tMs: number;
  connections: {attempted: number; established: number; failed: number; accepted: number};
  kernel: {established: {client: number; server: number}; sockets: number; connectErrors: number; rxTcpSegments: number};
  // with a slab sample, bytesPerConnection is the sample's and heldBytes that times the connections held
  slab: {heldBytes: number; bytesPerConnection: number | null; sampledConnections: number | null};
  // connections given a local port, by server port (the kernel's count)
  portsPerDestination: Record<string, number>;
  memAvailableBytes: number;
  // the run's phase when taken ('starting': workers and probes not all up yet, their counts are zero)
  phase?: LiveState['phase'];
};

// Build the sample for time tMs since the run started; slabConnections: the connections the slab probe
// measured when it stopped early (null: it measures them all).
export function buildSample(tMs: number, g: GeneratorStats, k: KernelState, memAvailableBytes: number, slabConnections: number | null = null): Sample {
  const r = readAll(k);
  const measured = Object.values(r.slab.heldBytesByCache).reduce((a, b) => a + b, 0);
  const perConn = perConnection(measured, slabConnections ?? g.established);
  const held = slabConnections === null ? measured : (perConn ?? 0) * g.established;
  const failed = Object.values(g.failed).reduce((a, b) => a + b, 0);
  return {
    type: 'sample',
    tMs,
    connections: {attempted: g.attempted, established: g.established, failed, accepted: g.accepted},
    kernel: {
      established: {client: r.connections.client, server: r.connections.server},
      sockets: r.socketCreation.calls.socket ?? 0,
      connectErrors: Object.values(r.portAllocation.connectErrors).reduce((a, b) => a + b, 0),
      rxTcpSegments: r.receiveLookup.tcpSegments,
    },
    slab: {heldBytes: held, bytesPerConnection: perConn, sampledConnections: slabConnections},
    portsPerDestination: r.portAllocation.newByServerPort,
    memAvailableBytes,
  };
}
