// Attach every planned probe program to the lab's namespace, falling back to the next variant when one
// fails to attach or stays silent, and keep each one's running totals.
import {readFile} from 'node:fs/promises';
import {BpftraceError, startBpftrace, type BpftraceHandle, type OutputProblem} from '../bpftrace/runner.js';
import type {BpftraceVersion} from '../bpftrace/version.js';
import {counterTotal, emptyKernelState, foldEvent, mergeStates, type KernelState} from '../correlate/kernel-state.js';
import type {Journal} from '../lab/journal.js';
import {startTimeOf} from '../system/processes.js';
import {variantPath, type Variant} from './catalog.js';
import {fallBack, type PlanEntry} from './plan.js';
import {renderProgram, renderRefusal} from './render.js';

// One attached program and its state.
type Attached = {entry: PlanEntry; handle: BpftraceHandle; state: KernelState};

// What attaching the plan gave: the plan as it ended up, the programs running, and measurements left without one.
export type ProbeSession = {
  plan: PlanEntry[];
  attached: Attached[];
  state: () => KernelState;
  // the latest totals once every program has printed `ticks` more times (at most 3 s)
  afterTicks: (ticks: number) => Promise<KernelState>;
  // measurements that had a variant planned and ended with none attached, and why
  failures: Array<{measurement: string; why: string}>;
  lostEvents: () => number;
  // what bpftrace said that makes a measurement's numbers wrong or incomplete (a full map, helper errors, output
  // that is not JSON), by measurement; kept after a program stops
  problems: () => Array<OutputProblem & {measurement: string}>;
  // stop one measurement's program early; its last totals stay in state() (the slab sample)
  freeze: (measurement: string) => Promise<boolean>;
  stop: () => Promise<KernelState>;
};

// What attaching needs.
export type AttachOptions = {
  bpftrace: string;
  version: BpftraceVersion;
  netnsInum: number;
  connections: number;
  // fewer connections for some measurements' map sizes (the slab probe that stops after a sample)
  connectionsFor?: Partial<Record<string, number>>;
  journal: Journal;
  // make n loopback connections in the lab namespace from outside the generator
  warmUp: (n: number) => Promise<void>;
  // keep only one process's calls, where the kernel runs in its context (trace --pid / --comm)
  process?: {pids?: number[]; comm?: string};
  // keep only connections on these ports (trace --port: either end, --lport, --rport; 0 or absent = any)
  ports?: {either?: number; local?: number; remote?: number};
  // where kmem_cache_alloc's name string starts in its record (bpftrace 0.23's misread strings)
  kmemNameDataOffset?: number | null;
  // a program is attached and counting (after its liveness check, if it has one), ms after attachPlan began
  onReady?: (entry: PlanEntry, ms: number) => void;
};

// Connections the liveness check makes.
export const WARMUP_CONNECTIONS = 2;

// How many keys a variant's maps may hold for a run of `connections`: bpftrace's default (4096) unless its
// largest map grows with connections. Capped at 2M keys: a program with larger maps takes seconds to load;
// past the cap a map drops new keys (bpftrace warns), which the summary shows as lost precision.
export function mapKeysFor(v: Variant, connections: number): number | undefined {
  if (!v.keysPerConnection) return undefined;
  return Math.min(2_000_000, Math.max(65_536, connections * v.keysPerConnection + 50_000));
}

// Why a variant's hooks did not fire enough for n connections, or null when they did.
export function silence(v: Variant, state: KernelState, n: number): string | null {
  for (const {map, perConnection} of v.live ?? []) {
    const seen = counterTotal(state, map);
    if (seen < perConnection * n) return `attached but silent: ${map} ${seen} after ${n} connections (${perConnection * n} expected)`;
  }
  return null;
}

// The program a variant runs as, for this bpftrace and host (what `tcp-trace probes --emit` prints); throws
// BpftraceError where it cannot be rendered right (bpftrace 0.23 without the kmem name's offset).
export async function programText(v: Variant, o: Pick<AttachOptions, 'version' | 'kmemNameDataOffset' | 'process'>): Promise<string> {
  const text = await readFile(variantPath(v), 'utf8');
  const refused = renderRefusal(text, o.version, {kmemNameDataOffset: o.kmemNameDataOffset});
  if (refused) throw new BpftraceError(refused);
  return renderProgram(text, o.version, o.process?.pids, {kmemNameDataOffset: o.kmemNameDataOffset});
}

async function start(v: Variant, o: AttachOptions, slot: {state: KernelState}): Promise<BpftraceHandle> {
  const program = await programText(v, o);
  const handle = await startBpftrace({
    bpftrace: o.bpftrace,
    version: o.version,
    program,
    // $1 namespace, $2 pid (0 = any), $3 comm ("" = any), $4 port of either end, $5 local port, $6 remote port (0 = any)
    args: [o.netnsInum, o.process?.pids?.[0] ?? 0, o.process?.comm ?? '', o.ports?.either ?? 0, o.ports?.local ?? 0, o.ports?.remote ?? 0],
    // TCP_TRACE_MAP_KEYS_MAX: a map size for tests, too small on purpose to see the full-map warning
    mapKeysMax: Number(process.env.TCP_TRACE_MAP_KEYS_MAX) || mapKeysFor(v, o.connectionsFor?.[v.measurement] ?? o.connections),
    // emulated guests (the kernel matrix) attach kprobes slowly: TCP_TRACE_ATTACH_TIMEOUT_MS lifts the limit
    attachTimeoutMs: Number(process.env.TCP_TRACE_ATTACH_TIMEOUT_MS) || 60_000,
    onEvent: (event) => (slot.state = foldEvent(slot.state, event)),
  });
  const startTime = await startTimeOf(handle.pid);
  if (startTime !== null) o.journal.record({kind: 'process', pid: handle.pid, startTime, what: `bpftrace ${v.file}`});
  return handle;
}

// Start the entry's variant, falling back along its list until one attaches (or none is left).
async function attachOne(entry: PlanEntry, o: AttachOptions, t0: number): Promise<Attached | {entry: PlanEntry; why: string}> {
  let e = entry;
  while (e.variant) {
    const slot: {state: KernelState} = {state: emptyKernelState()};
    try {
      const handle = await start(e.variant, o, slot);
      // a variant still to be checked for silence is not counting yet: it starts again once checked
      if (!e.variant.live) o.onReady?.(e, Date.now() - t0);
      return Object.assign(slot, {entry: e, handle}) as Attached;
    } catch (error) {
      e = fallBack(e, (error as Error).message);
    }
  }
  return {entry: e, why: e.why};
}

// Wait until every program in list has printed `ticks` more times (at most 3 s).
async function nextTick(list: Attached[], ticks = 1) {
  const target = list.map((a) => a.state.ticks + ticks);
  for (let i = 0; i < 60 && list.some((a, j) => a.state.ticks < target[j]!); i++) await new Promise((r) => setTimeout(r, 50));
}

// Start every planned program in parallel, check that function probes fire, and restart the ones that do
// with empty maps (the warm-up connections must not count); a silent one falls back to its next variant.
export async function attachPlan(plan: PlanEntry[], o: AttachOptions): Promise<ProbeSession> {
  const t0 = Date.now();
  let results = await Promise.all(plan.map((e) => attachOne(e, o, t0)));
  for (let round = 0; round < 3; round++) {
    const checked = results.filter((r): r is Attached => 'handle' in r && Boolean(r.entry.variant?.live));
    if (checked.length === 0) break;
    await o.warmUp(WARMUP_CONNECTIONS);
    await nextTick(checked);
    results = await Promise.all(
      results.map(async (r) => {
        if (!('handle' in r) || !checked.includes(r)) return r;
        const why = silence(r.entry.variant!, r.state, WARMUP_CONNECTIONS);
        await r.handle.stop(2000);
        // alive: start again with empty maps, no further check; silent: the next variant (checked next round)
        if (why === null) {
          const fresh: PlanEntry = {...r.entry, variant: {...r.entry.variant!, live: undefined}} as PlanEntry;
          return attachOne(fresh, o, t0);
        }
        return attachOne(fallBack(r.entry, why), o, t0);
      }),
    );
  }
  const attached = results.filter((r): r is Attached => 'handle' in r);
  // measurements that had a variant planned and ended with none attached
  const failed = results.filter((r, i): r is {entry: PlanEntry; why: string} => !('handle' in r) && plan[i]!.variant !== null);
  const state = () => mergeStates(attached.map((a) => a.state));
  // programs stopped early (freeze): their totals stay, they print no more
  const frozen = new Set<Attached>();
  return {
    plan: results.map((r) => r.entry),
    attached,
    state,
    afterTicks: async (ticks) => {
      await nextTick(attached.filter((a) => !frozen.has(a)), ticks);
      return state();
    },
    failures: failed.map((f) => ({measurement: f.entry.measurement, why: f.why})),
    lostEvents: () => attached.reduce((n, a) => n + a.handle.lostEvents(), 0),
    problems: () => attached.flatMap((a) => a.handle.problems().map((p) => ({...p, measurement: a.entry.measurement}))),
    freeze: async (measurement) => {
      const a = attached.find((x) => x.entry.measurement === measurement);
      if (!a) return false;
      await nextTick([a]);
      frozen.add(a);
      await a.handle.stop();
      return true;
    },
    stop: async () => {
      await Promise.all(attached.map((a) => a.handle.stop()));
      return state();
    },
  };
}
