// Attach every planned probe program to the lab's namespace, one bpftrace process per process group (at most 3),
// falling back per measurement when one fails to attach or stays silent, and keep each process's running totals.
import {readFile} from 'node:fs/promises';
import {BpftraceError, startBpftrace, type BpftraceHandle, type OutputProblem} from '../bpftrace/runner.js';
import {tracepointArgsReresolved, type BpftraceVersion} from '../bpftrace/version.js';
import {counterTotal, emptyKernelState, foldEvent, mergeStates, type KernelState} from '../bpftrace/kernel-state.js';
import type {Journal} from '../lab/journal.js';
import {cpuMsOf, startTimeOf} from '../system/processes.js';
import {variantPaths, type Variant} from './catalog.js';
import {blamedMeasurement, composeProgram, probesOf, type ComposePart, type Composed} from './compose.js';
import {mapOwner, moduleOf, type ProcessGroup} from '../measurements/index.js';
import {fallBack, type PlanEntry} from './plan.js';
import {renderProgram, renderRefusal, type StructOffsets} from './render.js';

// One attached process: the planned entries its program serves, and its state.
type Attached = {entries: PlanEntry[]; handle: BpftraceHandle; state: KernelState; composed: Composed};

// What attaching the plan gave: the plan as it ended up, the programs running, and measurements left without one.
export type ProbeSession = {
  plan: PlanEntry[];
  // every measurement attached, with the process serving it (several share one)
  attached: Array<{entry: PlanEntry; handle: BpftraceHandle; state: KernelState}>;
  // the bpftrace processes: the measurements each serves, its pid and its program
  processes: Array<{measurements: string[]; pid: number; program: string}>;
  state: () => KernelState;
  // the latest totals once every program has printed `ticks` more times (at most 3 s)
  afterTicks: (ticks: number) => Promise<KernelState>;
  // measurements that had a variant planned and ended with none attached, and why
  failures: Array<{measurement: string; why: string}>;
  lostEvents: () => number;
  // what bpftrace said that makes a measurement's numbers wrong or incomplete (a full map, helper errors, output
  // that is not JSON), by measurement; kept after a program stops
  problems: () => Array<OutputProblem & {measurement: string}>;
  // stop one measurement's program early; its last totals stay in state() (the slab sample); beforeStop runs after
  // its last print, while its programs are still loaded (to read their run counts)
  freeze: (measurement: string, beforeStop?: () => Promise<void>) => Promise<boolean>;
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
  // connections open at once at most (run: concurrency x client workers), which sizes the maps of a measurement
  // keyed per connection in flight; absent (trace: other programs' load is unknown): sized like per-connection maps
  inFlight?: number;
  journal: Journal;
  // make n loopback connections in the lab namespace from outside the generator
  warmUp: (n: number) => Promise<void>;
  // keep only one process's calls, where the kernel runs in its context (trace --pid / --comm)
  process?: {pids?: number[]; comm?: string};
  // keep only connections on these ports (trace --port: either end, --lport, --rport; 0 or absent = any)
  ports?: {either?: number; local?: number; remote?: number};
  // where kmem_cache_alloc's name string starts in its record (bpftrace 0.23's misread strings)
  kmemNameDataOffset?: number | null;
  // the kernel's struct member offsets, for reads without a clang parse (bpftrace before 0.24)
  structOffsets?: StructOffsets | null;
  // a program is attached and counting (after its liveness check, if it has one), ms after attachPlan began, with
  // the CPU its bpftrace process has used so far, in ms (null: unreadable), all but a little of it to start
  onReady?: (entry: PlanEntry, ms: number, bpftrace: {pid: number; cpuMs: number | null}) => void;
};

// Connections the liveness check makes.
export const WARMUP_CONNECTIONS = 2;

// How many keys a variant's maps may hold for a run of `connections`, `inFlight` of them open at once: bpftrace's
// default (4096) unless its largest map grows with connections (sized by the total) or with those in flight (at
// least 4096, plus 4096 for the keys of server ports, remote ports and errnos). Without `inFlight` (trace: the load
// of other programs is unknown) a map keyed per connection in flight is sized like one keyed per connection, at
// least 65 536 + 50 000: a map keyed by a port (TIME_WAIT by remote port, when servers close first) never fills.
// Capped at 2M keys: a program with larger maps takes seconds to load; past the cap a map drops new keys (bpftrace
// warns, or 0.17 says nothing and the map is printed full), which the summary shows as a withheld number.
export function mapKeysFor(v: Variant, connections: number, inFlight?: number): number | undefined {
  if (v.keysInFlight && inFlight !== undefined) return Math.min(2_000_000, Math.max(4096, Math.min(inFlight, connections) * v.keysInFlight) + 4096);
  const perConnection = v.keysPerConnection ?? v.keysInFlight;
  return perConnection ? Math.min(2_000_000, Math.max(65_536, connections * perConnection + 50_000)) : undefined;
}

// Why a variant's hooks did not fire enough for n connections, or null when they did.
export function silence(v: Variant, state: KernelState, n: number): string | null {
  for (const {map, perConnection} of v.live ?? []) {
    const seen = counterTotal(state, map);
    if (seen < perConnection * n) return `attached but silent: ${map} ${seen} after ${n} connections (${perConnection * n} expected)`;
  }
  return null;
}

// The measurements' process group (DESIGN §3: at most 3 bpftrace processes per run).
function groupOf(e: PlanEntry): ProcessGroup {
  return moduleOf(e.measurement)?.group ?? 'counts';
}

// The composed program of a group of planned entries (each with a variant), for this bpftrace and host: what
// `tcp-trace probes --emit` prints; throws BpftraceError where it cannot be rendered right (bpftrace 0.23 without
// the kmem name's offset).
export async function composeGroup(entries: PlanEntry[], o: Pick<AttachOptions, 'version' | 'kmemNameDataOffset' | 'structOffsets' | 'process'>): Promise<Composed> {
  const parts: ComposePart[] = [];
  for (const e of entries) {
    const v = e.variant!;
    const paths = variantPaths(v);
    const files = await Promise.all(paths.map(async (path, i) => ({name: v.files?.[i] ?? v.file, text: await readFile(path, 'utf8')})));
    parts.push({measurement: e.measurement, kind: v.kind, files, maps: moduleOf(e.measurement)?.maps ?? []});
  }
  const composed = composeProgram(parts, o.process ?? {}, {argsOnce: tracepointArgsReresolved(o.version)});
  const facts = {kmemNameDataOffset: o.kmemNameDataOffset, structOffsets: o.structOffsets};
  const refused = renderRefusal(composed.text, o.version, facts);
  if (refused) throw new BpftraceError(refused);
  // rendering changes words, never lines: the owners stay right
  return {...composed, text: renderProgram(composed.text, o.version, facts)};
}

// The planned entries by process group, in plan order (entries without a variant left out).
export function processGroups(plan: PlanEntry[]): PlanEntry[][] {
  const groups = new Map<ProcessGroup, PlanEntry[]>();
  for (const e of plan) if (e.variant) groups.set(groupOf(e), [...(groups.get(groupOf(e)) ?? []), e]);
  return [...groups.values()];
}

async function start(entries: PlanEntry[], o: AttachOptions, slot: {state: KernelState}): Promise<{handle: BpftraceHandle; composed: Composed}> {
  const composed = await composeGroup(entries, o);
  const keys = entries.map((e) => mapKeysFor(e.variant!, o.connectionsFor?.[e.measurement] ?? o.connections, o.inFlight)).filter((n): n is number => n !== undefined);
  const handle = await startBpftrace({
    bpftrace: o.bpftrace,
    version: o.version,
    program: composed.text,
    // $1 namespace, $2 pid (0 = any), $3 comm ("" = any), $4 port of either end, $5 local port, $6 remote port (0 = any)
    args: [o.netnsInum, o.process?.pids?.[0] ?? 0, o.process?.comm ?? '', o.ports?.either ?? 0, o.ports?.local ?? 0, o.ports?.remote ?? 0],
    // TCP_TRACE_MAP_KEYS_MAX: a map size for tests, too small on purpose to see the full-map warning
    mapKeysMax: Number(process.env.TCP_TRACE_MAP_KEYS_MAX) || (keys.length ? Math.max(...keys) : undefined),
    // emulated guests (the kernel matrix) attach kprobes slowly: TCP_TRACE_ATTACH_TIMEOUT_MS lifts the limit
    attachTimeoutMs: Number(process.env.TCP_TRACE_ATTACH_TIMEOUT_MS) || 60_000,
    onEvent: (event) => (slot.state = foldEvent(slot.state, event)),
  });
  const startTime = await startTimeOf(handle.pid);
  if (startTime !== null) o.journal.record({kind: 'process', pid: handle.pid, startTime, what: `bpftrace ${entries.map((e) => e.variant!.file).join(' + ')}`});
  return {handle, composed};
}

// One process group being attached: its entries as they stand, or those left without a variant and why.
type GroupResult = {attached: Attached | null; failed: Array<{entry: PlanEntry; why: string}>};

// Say entries ready (onReady), ms after attachPlan began, with the CPU their bpftrace process pid has used so far.
async function sayReady(entries: PlanEntry[], pid: number, o: AttachOptions, ms: number): Promise<void> {
  if (!o.onReady || entries.length === 0) return;
  const bpftrace = {pid, cpuMs: await cpuMsOf(pid)};
  for (const e of entries) o.onReady(e, ms, bpftrace);
}

// Start a group's program, falling back per measurement: a failure blamed on one measurement (by the line or probe
// bpftrace names) moves that one to its next variant and the group is tried again; a failure no measurement can be
// blamed for splits the group into one process per measurement.
async function attachGroup(entries: PlanEntry[], o: AttachOptions, t0: number): Promise<GroupResult[]> {
  let list = entries;
  const failed: Array<{entry: PlanEntry; why: string}> = [];
  while (list.length > 0) {
    const slot: {state: KernelState} = {state: emptyKernelState()};
    try {
      const {handle, composed} = await start(list, o, slot);
      // a variant still to be checked for silence is not counting yet: it is reported once checked
      await sayReady(list.filter((e) => !e.variant!.live), handle.pid, o, Date.now() - t0);
      return [{attached: Object.assign(slot, {entries: list, handle, composed}) as Attached, failed}];
    } catch (error) {
      const why = (error as Error).message;
      const detail = [why, ...((error as BpftraceError).stderr ?? [])].join('\n');
      let blamed: string | null = null;
      if (list.length > 1) {
        try {
          const composed = await composeGroup(list, o);
          blamed = blamedMeasurement(detail, composed, await Promise.all(list.map(async (e) => ({measurement: e.measurement, probes: (await Promise.all(variantPaths(e.variant!).map(async (p) => probesOf(await readFile(p, 'utf8'))))).flat()}))));
        } catch {
          blamed = null;
        }
        if (blamed === null) {
          const alone = await Promise.all(list.map((e) => attachGroup([e], o, t0)));
          return [...alone.flat(), {attached: null, failed}];
        }
      }
      const culprit = list.length === 1 ? list[0]! : list.find((e) => e.measurement === blamed)!;
      const next = fallBack(culprit, why);
      list = list.map((e) => (e === culprit ? next : e)).filter((e) => e.variant !== null);
      if (!next.variant) failed.push({entry: next, why: next.why});
    }
  }
  return [{attached: null, failed}];
}

// Wait until every program in list has printed `ticks` more times (at most 3 s).
async function nextTick(list: Attached[], ticks = 1) {
  const target = list.map((a) => a.state.ticks + ticks);
  for (let i = 0; i < 60 && list.some((a, j) => a.state.ticks < target[j]!); i++) await new Promise((r) => setTimeout(r, 50));
}

// Start every process group's program in parallel, check that function probes fire, and restart every group once
// a check ran (the warm-up connections must not count, in the groups checked or not: a set of 4-tuples would keep
// them); a silent measurement falls back to its next variant.
export async function attachPlan(plan: PlanEntry[], o: AttachOptions): Promise<ProbeSession> {
  const t0 = Date.now();
  const failures: Array<{entry: PlanEntry; why: string}> = [];
  const collect = (results: GroupResult[][]) => {
    for (const r of results.flat()) failures.push(...r.failed);
    return results.flat().map((r) => r.attached).filter((a): a is Attached => a !== null);
  };
  // a plan with a check restarts every group (in each round of checks): each measurement is ready once the checks
  // are over, said then, once
  const checking = plan.some((e) => e.variant?.live);
  const quiet = checking ? {...o, onReady: undefined} : o;
  let groups = collect(await Promise.all(processGroups(plan).map((g) => attachGroup(g, quiet, t0))));
  for (let round = 0; round < 3; round++) {
    if (!groups.some((g) => g.entries.some((e) => e.variant?.live))) break;
    await o.warmUp(WARMUP_CONNECTIONS);
    await nextTick(groups);
    const restarted = await Promise.all(
      groups.map(async (g) => {
        await g.handle.stop(2000);
        // alive: no further check; silent: the next variant (checked next round)
        const next = g.entries.map((e) => {
          if (!e.variant?.live) return e;
          const why = silence(e.variant, g.state, WARMUP_CONNECTIONS);
          return why === null ? ({...e, variant: {...e.variant, live: undefined}} as PlanEntry) : fallBack(e, why);
        });
        for (const e of next) if (!e.variant) failures.push({entry: e, why: e.why});
        const left = next.filter((e) => e.variant);
        return left.length ? attachGroup(left, quiet, t0) : [];
      }),
    );
    groups = collect(restarted);
  }
  if (checking) {
    const ms = Date.now() - t0;
    for (const g of groups) await sayReady(g.entries, g.handle.pid, o, ms);
  }
  const attached: Attached[] = groups;
  const state = () => mergeStates(attached.map((a) => a.state));
  // programs stopped early (freeze): their totals stay, they print no more
  const frozen = new Set<Attached>();
  const finalEntry = new Map<string, PlanEntry>();
  for (const f of failures) finalEntry.set(f.entry.measurement, f.entry);
  for (const g of attached) for (const e of g.entries) finalEntry.set(e.measurement, e);
  return {
    plan: plan.map((e) => finalEntry.get(e.measurement) ?? e),
    attached: attached.flatMap((g) => g.entries.map((entry) => ({entry, handle: g.handle, state: g.state}))),
    processes: attached.map((g) => ({measurements: g.entries.map((e) => e.measurement), pid: g.handle.pid, program: g.composed.text})),
    state,
    afterTicks: async (ticks) => {
      await nextTick(attached.filter((a) => !frozen.has(a)), ticks);
      return state();
    },
    failures: failures.filter((f) => plan.find((p) => p.measurement === f.entry.measurement)?.variant).map((f) => ({measurement: f.entry.measurement, why: f.why})),
    lostEvents: () => attached.reduce((n, a) => n + a.handle.lostEvents(), 0),
    problems: () => attached.flatMap((a) => a.handle.problems().flatMap((p) => {
      // a problem is its map's measurement's; one no map names is every measurement's of that process
      const owner = p.map ? mapOwner(p.map)?.measurement : undefined;
      const of = owner && a.entries.some((e) => e.measurement === owner) ? [owner] : a.entries.map((e) => e.measurement);
      return of.map((measurement) => ({...p, measurement}));
    })),
    freeze: async (measurement, beforeStop) => {
      const a = attached.find((x) => x.entries.some((e) => e.measurement === measurement));
      // a process holding other measurements too keeps running
      if (!a || a.entries.length > 1) return false;
      await nextTick([a]);
      await beforeStop?.();
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
