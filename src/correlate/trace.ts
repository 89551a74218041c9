// Pure summary of traced connections, filtered to one server port where asked.
import {counter, counterTotal, heldBytesByCache, type KernelState} from './kernel-state.js';
import {kernelErrors} from './summary.js';

// Counts whose key is port (every key when port is null).
function forPort(values: Record<string, number>, port: number | null): number {
  return Object.entries(values).reduce((n, [k, v]) => (port === null || Number(k) === port ? n + v : n), 0);
}

// What the probes saw: connections per side, the (server port, local port) pairs, syscalls, slab.
export function traceSummary(k: KernelState, port: number | null) {
  const pairs = Object.keys(counter(k, '@ports'))
    .map((p) => p.split(',').map(Number) as [number, number])
    .filter(([dport]) => port === null || dport === port)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const calls = counter(k, '@calls');
  return {
    kernel: {
      established: {client: forPort(counter(k, '@client_estab'), port), server: forPort(counter(k, '@server_estab'), port)},
      syscalls: {socket: calls.socket ?? 0, connect: counterTotal(k, '@connect_ok') + counterTotal(k, '@connect_errno'), accept: calls.accept ?? 0},
      errors: kernelErrors(k),
      receive: {tcpSegments: counterTotal(k, '@rx_tcp')},
    },
    // printed once, when the probes stop: [server port, local port]
    ports: {pairs, localPorts: [...new Set(pairs.map((p) => p[1]))].sort((a, b) => a - b)},
    slab: {heldBytesByCache: heldBytesByCache(k)},
  };
}
