// The shape every measurement module declares: its bpftrace maps, its probe variants, how its programs are grouped
// into bpftrace processes, and the typed reading built from the folded map totals.
import type {KernelState} from '../bpftrace/kernel-state.js';

// A kind of kernel hook.
export type ProbeKind = 'kfunc' | 'kprobe' | 'tracepoint';
// What a variant needs from the host beyond its kind: BTF, the kmem tracepoints' name field, kernel functions.
export type Need = 'kmemName' | 'btf' | `fn:${string}`;
// The measurements, by name.
export type Measurement = 'connections' | 'portAllocation' | 'fourTuples' | 'socketCreation' | 'receiveLookup' | 'slab' | 'timeWait';

// The bpftrace process a measurement's program runs in (DESIGN §3): `pairs`, the sets with one key per connection
// (bpftrace 0.17 sizes every map of a program alike, and a count() map is per-CPU, its values preallocated for
// every key on every CPU: 20 count() maps at 65 536 keys took 0.9 s of system time to create, measured with 0.17
// on Linux 6.18, so the many count() maps stay out of this group); `counts`, maps sized by the connections in
// flight at once; `slab`, the slab sample that may stop early.
export type ProcessGroup = 'pairs' | 'counts' | 'slab';

// One bpftrace map of a measurement.
export type MapDecl = {
  // the map's name in the probe files, with its `@`
  name: `@${string}`;
  // count(), sum(), hist() (log2 buckets), lhist() (linear buckets), a set (value 1 per key), or scratch (a per-thread
  // start time or a live-object table, never printed)
  aggregation: 'count' | 'sum' | 'hist' | 'lhist' | 'set' | 'scratch';
  // what each key part is, in order (empty: one value)
  keys: string[];
  // the unit of the values (count, ns, ms, bytes, attempts)
  unit: string;
  // printed every second ('tick'), only once at the end ('end': large per-connection sets), never ('scratch')
  print: 'tick' | 'end' | 'never';
  // the variants that have it (absent: every variant of the measurement)
  kinds?: ProbeKind[];
  // summary fields (dotted paths) it feeds, when a lost key makes fewer fields wrong than the whole measurement's
  feeds?: string[];
  // one line on what it holds
  about: string;
};

// One way of serving a measurement: probe files composed in order (a base plus the kind's extras).
export type VariantDecl = {
  kind: ProbeKind;
  // files in probes/, composed in this order
  files: string[];
  needs: Need[];
  // the hooks, for the plan's one line
  hooks: string;
  // liveness: maps that must reach perConnection x connections after a few trial connections (a function can be
  // inlined into its callers and stay silent); tracepoints always fire
  live?: Array<{map: `@${string}`; perConnection: number}>;
  // this variant's hooks fire only in task context (the module's taskContextOnly, for this variant alone)
  taskContextOnly?: boolean;
};

// A measurement module: everything about one measurement, in one place.
export type MeasurementModule<Reading> = {
  name: Measurement;
  // one line for help and the plan
  title: string;
  group: ProcessGroup;
  // its hooks fire only in task context (syscall tracepoints, functions only syscalls call): the kernel never skips
  // its programs (kernel/trace/bpf_trace.c, trace_call_bpf(): a program is skipped when it would start while a BPF
  // program runs on that CPU, which only an interrupt arriving in one can bring about, and only to hooks that run in
  // interrupt context: receive, state changes, slab), so the skipped runs of the process it shares are not its
  taskContextOnly?: boolean;
  // keys its largest map holds per connection (sizes its process group's maps); absent: small maps
  keysPerConnection?: number;
  // keys its largest map holds per connection in flight (a handshake's start time, kept until it ends): sizes a
  // `counts` group by the connections open at once, not by the run's total
  keysInFlight?: number;
  maps: MapDecl[];
  // best first
  variants: VariantDecl[];
  // the summary fields (dotted paths) its numbers feed, withheld when its program reports a problem
  feeds: string[];
  // its numbers from the folded totals, for the kind of variant that ran (null: none); every variant yields this
  // one type (fields a variant lacks are null)
  read: (k: KernelState, kind: ProbeKind | null) => Reading;
};

// A module, its name kept as a literal type (the registry's reading types are built from it).
export function defineMeasurement<const N extends Measurement, R>(m: MeasurementModule<R> & {name: N}): MeasurementModule<R> & {name: N} {
  return m;
}
