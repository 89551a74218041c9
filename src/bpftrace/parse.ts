// Pure parsing of `bpftrace -f json` output lines into typed events.
import {isJsonObject, member, parseJsonEntries, type JsonObject, type JsonValue} from './json-entries.js';

// One bucket of a hist()/lhist(): values in [min, max] seen count times. An open-ended bucket has
// max = +Infinity (lhist's values at or above its top; bpftrace 0.17's hist() values of 2^31 or more) or
// min = -Infinity (lhist's values below its bottom): its count is right, its values only bounded on one side.
// (JSON.stringify writes an infinite bound as null.)
export type Bucket = {min: number; max: number; count: number};

// The lower bound 0.17-0.19's `-f json` prints for every hist() value of 2^31 or more (an int overflow in
// JsonOutput::hist_to_str, src/output.cpp of v0.17.0), paired with max 0; values 2^31, 7.1e9 and 4e10 all land in it.
export const BROKEN_HIST_MIN = -2147483648;
// One map member: the key's parts (bpftrace joins several keys with commas) and its value.
export type MapEntry = {keys: string[]; value: number};
// One keyed histogram: the key's parts and its buckets.
export type HistSeries = {keys: string[]; buckets: Bucket[]};
// One keyed stats() value.
export type StatsSeries = {keys: string[]; count: number; average: number; total: number};

// What one line of bpftrace's JSON output means.
export type BpftraceEvent =
  | {type: 'attached'; probes: number}
  | {type: 'map'; name: string; entries: MapEntry[]}
  | {type: 'hist'; name: string; series: HistSeries[]}
  | {type: 'stats'; name: string; series: StatsSeries[]}
  | {type: 'printf'; text: string}
  | {type: 'lost'; events: number}
  // a BPF helper failed in the kernel (0.23+: a full map's update, `retcode` -7 = E2BIG); line/col in the program
  | {type: 'helper_error'; helper: string; message: string; retcode: number; line: number | null; col: number | null}
  | {type: 'other'; kind: string; line: string}
  | {type: 'malformed'; line: string; reason: string};

const splitKey = (key: string): string[] => (key === '' ? [] : key.split(','));

const toNumber = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : Number(v ?? NaN));

// One printed bucket: a missing bound is open-ended; 0.17's overflowed bucket is [2^31, +Infinity).
function toBucket(b: JsonObject): Bucket {
  const min = member(b, 'min');
  const max = member(b, 'max');
  const count = toNumber(member(b, 'count'));
  if (min === BROKEN_HIST_MIN && max === 0) return {min: 2 ** 31, max: Number.POSITIVE_INFINITY, count};
  return {
    min: min === undefined ? Number.NEGATIVE_INFINITY : toNumber(min),
    max: max === undefined ? Number.POSITIVE_INFINITY : toNumber(max),
    count,
  };
}

const toBuckets = (v: JsonValue | undefined): Bucket[] => (Array.isArray(v) ? v.filter(isJsonObject).map(toBucket) : []);

const toStats = (keys: string[], o: JsonObject): StatsSeries => ({
  keys,
  count: toNumber(member(o, 'count')),
  average: toNumber(member(o, 'average')),
  total: toNumber(member(o, 'total')),
});

function parseMap(name: string, v: JsonValue): BpftraceEvent {
  if (!isJsonObject(v)) return {type: 'map', name, entries: [{keys: [], value: toNumber(v)}]};
  return {type: 'map', name, entries: v.entries.map(([k, x]) => ({keys: splitKey(k), value: toNumber(x)}))};
}

function parseHist(name: string, v: JsonValue): BpftraceEvent {
  if (Array.isArray(v)) return {type: 'hist', name, series: [{keys: [], buckets: toBuckets(v)}]};
  const series = isJsonObject(v) ? v.entries.map(([k, x]) => ({keys: splitKey(k), buckets: toBuckets(x)})) : [];
  return {type: 'hist', name, series};
}

function parseStats(name: string, v: JsonValue): BpftraceEvent {
  if (!isJsonObject(v)) return {type: 'stats', name, series: []};
  if (member(v, 'count') !== undefined && typeof member(v, 'count') === 'number') {
    return {type: 'stats', name, series: [toStats([], v)]};
  }
  const series = v.entries.filter(([, x]) => isJsonObject(x)).map(([k, x]) => toStats(splitKey(k), x as JsonObject));
  return {type: 'stats', name, series};
}

// Parse one output line; null for the blank lines bpftrace prints for empty maps.
export function parseLine(line: string): BpftraceEvent | null {
  const text = line.trim();
  if (text === '') return null;
  const lost = /^Lost (\d+) events/.exec(text);
  if (lost) return {type: 'lost', events: Number(lost[1])};
  let root: JsonValue;
  try {
    root = parseJsonEntries(text);
  } catch (error) {
    return {type: 'malformed', line: text.slice(0, 200), reason: (error as Error).message};
  }
  if (!isJsonObject(root)) return {type: 'malformed', line: text.slice(0, 200), reason: 'not a JSON object'};
  const kind = String(member(root, 'type'));
  const data = member(root, 'data');
  if (kind === 'attached_probes' && isJsonObject(data)) return {type: 'attached', probes: toNumber(member(data, 'probes'))};
  if (kind === 'printf') return {type: 'printf', text: String(data)};
  if (kind === 'lost_events' && isJsonObject(data)) return {type: 'lost', events: toNumber(member(data, 'events'))};
  if (kind === 'helper_error') {
    const num = (k: string) => (typeof member(root, k) === 'number' ? (member(root, k) as number) : null);
    return {type: 'helper_error', helper: String(member(root, 'helper') ?? ''), message: String(member(root, 'msg') ?? ''), retcode: num('retcode') ?? 0, line: num('line'), col: num('col')};
  }
  if ((kind === 'map' || kind === 'hist' || kind === 'stats') && isJsonObject(data)) {
    const [name, value] = data.entries[0] ?? ['', null];
    if (kind === 'map') return parseMap(name, value);
    if (kind === 'hist') return parseHist(name, value);
    return parseStats(name, value);
  }
  return {type: 'other', kind, line: text.slice(0, 200)};
}

// Sum the values of entries whose keys are equal (keys that collided after ksym()).
export function mergeEntries(entries: MapEntry[]): MapEntry[] {
  const byKey = new Map<string, MapEntry>();
  for (const e of entries) {
    const id = e.keys.join('\u0000');
    const seen = byKey.get(id);
    if (seen) seen.value += e.value;
    else byKey.set(id, {keys: [...e.keys], value: e.value});
  }
  return [...byKey.values()];
}

// Total count over all buckets of a histogram.
export function bucketTotal(buckets: Bucket[]): number {
  return buckets.reduce((n, b) => n + b.count, 0);
}

// The value below which a share q (0..1) of samples fall, taken as the bucket's upper bound; in an open-ended
// bucket (max +Infinity) its lower bound, which the quantile is at least (bucketQuantileOpen says when).
export function bucketQuantile(buckets: Bucket[], q: number): number | null {
  const b = quantileBucket(buckets, q);
  if (!b) return null;
  return Number.isFinite(b.max) ? b.max : b.min;
}

// True when the quantile q lands in an open-ended bucket: bucketQuantile is then a lower bound.
export function bucketQuantileOpen(buckets: Bucket[], q: number): boolean {
  const b = quantileBucket(buckets, q);
  return b !== null && !Number.isFinite(b.max);
}

function quantileBucket(buckets: Bucket[], q: number): Bucket | null {
  const total = bucketTotal(buckets);
  if (total === 0) return null;
  let seen = 0;
  for (const b of buckets) {
    seen += b.count;
    if (seen >= q * total) return b;
  }
  return buckets.at(-1) ?? null;
}

// The samples a cumulative histogram gained since an earlier print of it: the counts of now minus those of before,
// bucket by bucket (same bounds), empty buckets left out.
export function bucketsSince(now: Bucket[], before: Bucket[]): Bucket[] {
  const earlier = new Map(before.map((b) => [`${b.min},${b.max}`, b.count]));
  return now.map((b) => ({...b, count: b.count - (earlier.get(`${b.min},${b.max}`) ?? 0)})).filter((b) => b.count > 0);
}

// Samples in open-ended buckets (values bounded on one side only).
export function openBucketCount(buckets: Bucket[]): number {
  return buckets.filter((b) => !Number.isFinite(b.max) || !Number.isFinite(b.min)).reduce((n, b) => n + b.count, 0);
}
