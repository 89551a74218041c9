// Pure per-interval sample: the generator's counts and the kernel's running totals at one moment.
import type {GeneratorStats} from '../load/generator.js';
import {counter, counterTotal, heldBytesByCache, type KernelState} from './kernel-state.js';
import {perConnection} from './slab.js';

// One sample, printed as a JSON line in headless mode and drawn by the live views.
export type Sample = {
  type: 'sample';
  tMs: number;
  connections: {attempted: number; established: number; failed: number; accepted: number};
  kernel: {established: {client: number; server: number}; sockets: number; connectErrors: number; rxTcpSegments: number};
  slab: {heldBytes: number; bytesPerConnection: number | null};
  // connections given a local port, by server port (the kernel's count)
  portsPerDestination: Record<string, number>;
  memAvailableBytes: number;
};

// Build the sample for time tMs since the run started.
export function buildSample(tMs: number, g: GeneratorStats, k: KernelState, memAvailableBytes: number): Sample {
  const held = Object.values(heldBytesByCache(k)).reduce((a, b) => a + b, 0);
  const failed = Object.values(g.failed).reduce((a, b) => a + b, 0);
  return {
    type: 'sample',
    tMs,
    connections: {attempted: g.attempted, established: g.established, failed, accepted: g.accepted},
    kernel: {
      established: {client: counterTotal(k, '@client_estab'), server: counterTotal(k, '@server_estab')},
      sockets: counter(k, '@calls').socket ?? 0,
      connectErrors: counterTotal(k, '@connect_errno'),
      rxTcpSegments: counterTotal(k, '@rx_tcp'),
    },
    slab: {heldBytes: held, bytesPerConnection: perConnection(held, g.established)},
    portsPerDestination: counter(k, '@port_new'),
    memAvailableBytes,
  };
}
