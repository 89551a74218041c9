// Pure summary of traced connections, filtered to one server port where asked.
import {counter, counterTotal, heldBytesByCache, type KernelState} from './kernel-state.js';
import {kernelCounts, kernelErrors} from './summary.js';
import {buildSample} from './sample.js';
import type {LiveState} from './live.js';
import type {GeneratorStats} from '../load/generator.js';
import type {Limits} from '../system/limits.js';
import type {PlanEntry} from '../probes/plan.js';

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

// What trace knows at one moment, for the dashboard.
export type TraceFacts = {
  tMs: number;
  kernel: KernelState;
  port: number | null;
  plan: PlanEntry[];
  failedProbes: Array<{measurement: string; why: string}>;
  limits: Limits;
  portRange: {low: number; high: number; size: number};
  memAvailableBytes: number;
};

// The dashboard's live state for a trace (pure): no generator, so its counts are the kernel's own (connect
// and accept calls of the traced processes, connections established on the traced port).
export function traceLive(f: TraceFacts): LiveState {
  const counts = kernelCounts(f.kernel, f.port === null ? null : [f.port]);
  const stats: GeneratorStats = {
    attempted: counts.syscalls.connect,
    established: counts.established.client,
    failed: kernelErrors(f.kernel),
    accepted: counts.syscalls.accept,
    serverOpen: counts.established.server,
    serverBytesIn: 0,
    clientsDone: 0,
    rss: {readyBytes: 0, nowBytes: 0, workers: 0},
  };
  const sample = buildSample(f.tMs, stats, f.kernel, f.memAvailableBytes);
  sample.kernel.established = counts.established;
  return {
    scenario: 'trace',
    requested: stats.established,
    ports: f.port === null ? [] : [f.port],
    portRange: f.portRange,
    sample,
    generator: stats,
    kernel: f.kernel,
    plan: f.plan,
    failedProbes: f.failedProbes,
    limits: f.limits,
    perWorkerSockets: stats.established,
    phase: 'tracing',
    events: [],
    slabSites: {},
  };
}
