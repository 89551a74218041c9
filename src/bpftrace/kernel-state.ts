// Pure fold of bpftrace's map prints into the latest totals, the same for every variant.
// Probes print running totals and never clear() them (a clear after a print loses what arrives in
// between), so each print replaces the last one.
import type {BpftraceEvent, Bucket} from './parse.js';

// Latest totals: every counter map by key, every histogram by bucket.
export type KernelState = {
  counters: Record<string, Record<string, number>>;
  hists: Record<string, Bucket[]>;
  ticks: number;
  ended: boolean;
};

// An empty state.
export function emptyKernelState(): KernelState {
  return {counters: {}, hists: {}, ticks: 0, ended: false};
}

function sumBuckets(buckets: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  for (const b of buckets) {
    const same = out.find((o) => o.min === b.min && o.max === b.max);
    if (same) same.count += b.count;
    else out.push({...b});
  }
  return out.sort((a, b) => a.min - b.min);
}

// Probes keep latencies of 2^31 ns or more (seconds-long connects: SYN retransmissions) in a millisecond
// histogram `@X_slow_ms` beside `@X_ns`, because bpftrace 0.17-0.19 print such hist() values in one bucket with
// broken bounds. The fold shows `@X_ns` as both together, in ns; `@X_slow_ms` stays readable as printed.
const SLOW_SUFFIX = '_slow_ms';
const NS_PER_MS = 1_000_000;

function withSlowPart(hists: Record<string, Bucket[]>, nsName: string): Bucket[] {
  const fast = (hists[nsName] ?? []).filter((b) => b.max < 2 ** 31);
  const slow = (hists[nsName.replace(/_ns$/, SLOW_SUFFIX)] ?? []).map((b) => ({
    min: b.min * NS_PER_MS,
    max: Number.isFinite(b.max) ? (b.max + 1) * NS_PER_MS - 1 : b.max,
    count: b.count,
  }));
  return sumBuckets([...fast, ...slow]);
}

// Fold one event into the state: a map print replaces that map (keys printed twice, as after ksym(), add up).
export function foldEvent(state: KernelState, event: BpftraceEvent): KernelState {
  if (state.ended) return state; // what bpftrace prints after END is its own map dump
  switch (event.type) {
    case 'map': {
      const into: Record<string, number> = {};
      for (const e of event.entries) {
        const key = e.keys.join(',');
        into[key] = (into[key] ?? 0) + e.value;
      }
      return {...state, counters: {...state.counters, [event.name]: into}};
    }
    case 'hist': {
      const hists = {...state.hists};
      for (const s of event.series) {
        const name = s.keys.length ? `${event.name}[${s.keys.join(',')}]` : event.name;
        hists[name] = sumBuckets(s.buckets);
        if (name.endsWith(SLOW_SUFFIX)) {
          const nsName = name.slice(0, -SLOW_SUFFIX.length) + '_ns';
          hists[nsName] = withSlowPart(hists, nsName);
        } else if (name.endsWith('_ns') && hists[name.slice(0, -3) + SLOW_SUFFIX]) {
          hists[name] = withSlowPart(hists, name);
        }
      }
      return {...state, hists};
    }
    case 'printf': {
      if (event.text.trim() === 'tick') return {...state, ticks: state.ticks + 1};
      if (event.text.trim() === 'end') return {...state, ended: true};
      return state;
    }
    default:
      return state;
  }
}

// The counter map name as a record ({} when never printed).
export function counter(state: KernelState, name: string): Record<string, number> {
  return state.counters[name] ?? {};
}

// Sum of every value of a counter map.
export function counterTotal(state: KernelState, name: string): number {
  return Object.values(counter(state, name)).reduce((a, b) => a + b, 0);
}

// The non-zero counts of several unkeyed count maps, by the key each stands for: what one count map keyed that way
// would hold (a key appears once counted; an unkeyed count prints 0 before).
export function presentCounts(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}

// Merge several programs' states into one (their map names do not overlap).
export function mergeStates(states: KernelState[]): KernelState {
  const out = emptyKernelState();
  for (const s of states) {
    Object.assign(out.counters, s.counters);
    Object.assign(out.hists, s.hists);
  }
  out.ticks = Math.min(...states.map((s) => s.ticks), Number.POSITIVE_INFINITY);
  if (!Number.isFinite(out.ticks)) out.ticks = 0;
  out.ended = states.length > 0 && states.every((s) => s.ended);
  return out;
}
