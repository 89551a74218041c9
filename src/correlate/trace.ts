// Pure summary of traced connections, filtered to one server port where asked.
import {counter, counterTotal, heldBytesByCache, type KernelState} from './kernel-state.js';
import {kernelCounts, kernelErrors} from './summary.js';

// What the probes saw: connections per side, the (server port, local port) pairs, syscalls, slab.
export function traceSummary(k: KernelState, port: number | null) {
  const pairs = Object.keys(counter(k, '@ports'))
    .map((p) => p.split(',').map(Number) as [number, number])
    .filter(([dport]) => port === null || dport === port)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return {
    kernel: {
      ...kernelCounts(k, port === null ? null : [port]),
      errors: kernelErrors(k),
      receive: {tcpSegments: counterTotal(k, '@rx_tcp')},
    },
    // printed once, when the probes stop: [server port, local port]
    ports: {pairs, localPorts: [...new Set(pairs.map((p) => p[1]))].sort((a, b) => a - b)},
    slab: {heldBytesByCache: heldBytesByCache(k)},
  };
}
