// Attach every planned probe program to the lab's namespace and keep each one's running totals.
import {startBpftrace, type BpftraceHandle} from '../bpftrace/runner.js';
import {emptyKernelState, foldEvent, mergeStates, type KernelState} from '../correlate/kernel-state.js';
import type {Journal} from '../lab/journal.js';
import {startTimeOf} from '../system/processes.js';
import {variantPath} from './catalog.js';
import type {PlanEntry} from './plan.js';

// One attached program and its state.
type Attached = {entry: PlanEntry; handle: BpftraceHandle; state: KernelState};

// What attaching the plan gave: programs running, and entries that failed to attach (with bpftrace's reason).
export type ProbeSession = {
  attached: Attached[];
  failed: Array<{entry: PlanEntry; why: string}>;
  state: () => KernelState;
  lostEvents: () => number;
  stop: () => Promise<KernelState>;
};

// How big maps may grow: one key per connection (ports) or per live slab object.
export function mapKeysFor(connections: number): number {
  return Math.min(4_000_000, Math.max(65_536, connections * 30 + 50_000));
}

// Start every planned program in parallel; a program that cannot attach is reported and skipped.
export async function attachPlan(
  plan: PlanEntry[],
  opts: {bpftrace: string; netnsInum: number; connections: number; journal: Journal},
): Promise<ProbeSession> {
  const attached: Attached[] = [];
  const failed: Array<{entry: PlanEntry; why: string}> = [];
  await Promise.all(
    plan.map(async (entry) => {
      if (!entry.variant) return;
      const slot: Partial<Attached> & {state: KernelState} = {entry, state: emptyKernelState()};
      try {
        const handle = await startBpftrace({
          bpftrace: opts.bpftrace,
          file: variantPath(entry.variant),
          args: [opts.netnsInum],
          mapKeysMax: mapKeysFor(opts.connections),
          onEvent: (event) => (slot.state = foldEvent(slot.state, event)),
        });
        const startTime = await startTimeOf(handle.pid);
        if (startTime !== null) opts.journal.record({kind: 'process', pid: handle.pid, startTime, what: `bpftrace ${entry.variant.file}`});
        slot.handle = handle;
        attached.push(slot as Attached);
      } catch (error) {
        failed.push({entry, why: (error as Error).message});
      }
    }),
  );
  const state = () => mergeStates(attached.map((a) => a.state));
  return {
    attached,
    failed,
    state,
    lostEvents: () => attached.reduce((n, a) => n + a.handle.lostEvents(), 0),
    stop: async () => {
      await Promise.all(attached.map((a) => a.handle.stop()));
      return state();
    },
  };
}
