// Pure parsing of `bpftrace -f json` output lines into typed events.
import {isJsonObject, member, parseJsonEntries, type JsonObject, type JsonValue} from './json-entries.js';

// One bucket of a hist()/lhist(): values in [min, max] seen count times.
export type Bucket = {min: number; max: number; count: number};
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
  | {type: 'other'; kind: string}
  | {type: 'malformed'; line: string; reason: string};

const splitKey = (key: string): string[] => (key === '' ? [] : key.split(','));

const toNumber = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : Number(v ?? NaN));

const toBuckets = (v: JsonValue | undefined): Bucket[] =>
  Array.isArray(v)
    ? v.filter(isJsonObject).map((b) => ({
        min: toNumber(member(b, 'min')),
        max: toNumber(member(b, 'max')),
        count: toNumber(member(b, 'count')),
      }))
    : [];

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
  if ((kind === 'map' || kind === 'hist' || kind === 'stats') && isJsonObject(data)) {
    const [name, value] = data.entries[0] ?? ['', null];
    if (kind === 'map') return parseMap(name, value);
    if (kind === 'hist') return parseHist(name, value);
    return parseStats(name, value);
  }
  return {type: 'other', kind};
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

// The value below which a share q (0..1) of samples fall, taken as the bucket's upper bound.
export function bucketQuantile(buckets: Bucket[], q: number): number | null {
  const total = bucketTotal(buckets);
  if (total === 0) return null;
  let seen = 0;
  for (const b of buckets) {
    seen += b.count;
    if (seen >= q * total) return b.max;
  }
  return buckets.at(-1)?.max ?? null;
}
