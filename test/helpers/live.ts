// A live state for view-model tests, with fields overridable.
import type {LiveState} from '../../src/correlate/live.js';
import {emptyKernelState, foldEvent, type KernelState} from '../../src/bpftrace/kernel-state.js';
import {parseLine, type BpftraceEvent} from '../../src/bpftrace/parse.js';
import {planProbes} from '../../src/probes/plan.js';
import {buildSample} from '../../src/correlate/sample.js';
import type {GeneratorStats} from '../../src/load/generator.js';

// Capabilities of this machine: tracepoints only.
export const tracepointsOnly = {
  kinds: {
    kfunc: {attaches: false, why: 'kfunc/kretfunc not available for your kernel version.'},
    kprobe: {attaches: false, why: "Error attaching probe: 'kprobe:tcp_v4_rcv'"},
    tracepoint: {attaches: true, why: 'trial attach succeeded'},
  },
  kmemName: true,
  btf: true,
};

// Generator stats with n established.
export function stats(n: number, failed: Record<string, number> = {}): GeneratorStats {
  return {attempted: n, established: n, failed, accepted: n, serverOpen: n, serverBytesIn: 0, clientsDone: 1, rss: {readyBytes: 0, nowBytes: 0, workers: 0}};
}

// A live state at tMs with n connections and the given kernel state.
export function liveState(n: number, kernel: KernelState = emptyKernelState(), over: Partial<LiveState> = {}): LiveState {
  return {
    scenario: 'ramp',
    requested: 100,
    ports: [12000, 12001],
    portRange: {low: 32768, high: 60999, size: 28232},
    sample: buildSample(1000, stats(n), kernel, 20 * 2 ** 30),
    generator: stats(n),
    kernel,
    plan: planProbes(tracepointsOnly),
    failedProbes: [],
    limits: {
      ipLocalPortRange: {low: 32768, high: 60999, size: 28232},
      fileMax: 1_000_000,
      nrOpen: 1_048_576,
      filesOpenHost: 400,
      nofile: {soft: 20_000, hard: 20_000},
      memAvailableBytes: 22 * 2 ** 30,
      slabBytes: 0,
      tcpEhashEntries: 262_144,
    },
    perWorkerSockets: 15_000,
    phase: 'ramping',
    events: [],
    slabSites: {},
    ...over,
  };
}

// The kernel state after bpftrace printed these JSON lines.
export function foldLines(lines: string[]): KernelState {
  return lines.map(parseLine).filter((e): e is BpftraceEvent => e !== null).reduce(foldEvent, emptyKernelState());
}
