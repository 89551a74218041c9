// The live state of a run at one moment: what the dashboard's view-models are computed from.
import type {GeneratorStats} from '../load/generator.js';
import type {Limits} from '../system/limits.js';
import type {PlanEntry} from '../probes/plan.js';
import type {KernelState} from '../bpftrace/kernel-state.js';
import type {Sample} from './sample.js';
import type {QueuedBytes} from '../system/netns-parse.js';

// Everything a panel may show, as plain values.
export type LiveState = {
  scenario: string;
  requested: number;
  ports: number[];
  portRange: {low: number; high: number; size: number};
  sample: Sample;
  generator: GeneratorStats;
  kernel: KernelState;
  plan: PlanEntry[];
  failedProbes: Array<{measurement: string; why: string}>;
  limits: Limits;
  perWorkerSockets: number;
  // tracing: `tcp-trace trace`, other programs' connections, no generator
  phase: 'starting' | 'ramping' | 'paused' | 'holding' | 'stopping' | 'done' | 'tracing';
  events: string[];
  // the call site that allocated most of each slab cache's bytes
  slabSites: Record<string, string>;
  // while starting: the measurements whose program is attached, with the ms it took (absent: not yet)
  probesReady?: Record<string, number>;
  // bytes queued on the namespace's TCP sockets (buffer memory, not slab), read every few seconds on a terminal
  // (absent or null: not read)
  buffers?: QueuedBytes | null;
  // trace only (headless): what its summary would say at this moment, with `incomplete` (printed under `trace`)
  trace?: {incomplete: Record<string, string>} & Record<string, unknown>;
};
