import test from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {bucketQuantile, bucketTotal, mergeEntries, parseLine, type BpftraceEvent} from '../../../src/bpftrace/parse.js';
import {FIXTURES} from '../../helpers/paths.js';

// Real output of bpftrace 0.17 (-f json) on Linux 6.18, with a truncated last line appended.
const lines = readFileSync(join(FIXTURES, 'bpftrace-0.17-mixed.ndjson'), 'utf8').split('\n');
const events = lines.map(parseLine).filter((e): e is BpftraceEvent => e !== null);
const named = (type: string, name: string) => events.find((e) => e.type === type && 'name' in e && e.name === name) as any;

test('attached_probes gives the probe count', (t) => {
  t.deepEqual(events[0], {type: 'attached', probes: 4});
});

test('blank lines (empty maps) give no event', (t) => {
  t.is(parseLine(''), null);
  t.is(parseLine('   '), null);
  t.true(lines.some((l) => l === ''));
});

test('printf text is kept', (t) => {
  t.deepEqual(events[1], {type: 'printf', text: 'hello 1\n'});
});

test('a plain hist has one unkeyed series whose buckets add up', (t) => {
  const h = named('hist', '@lat');
  t.is(h.series.length, 1);
  t.deepEqual(h.series[0].keys, []);
  t.is(bucketTotal(h.series[0].buckets), 12);
  t.is(bucketQuantile(h.series[0].buckets, 0.5), 65535);
});

test('a keyed hist has one series per key, negative keys included', (t) => {
  const h = named('hist', '@lk');
  t.deepEqual(h.series.map((s: any) => s.keys[0]), ['-115', '-111', '-2']);
  t.deepEqual(h.series.map((s: any) => bucketTotal(s.buckets)), [3, 3, 6]);
});

test('lhist buckets keep their linear bounds', (t) => {
  const h = named('hist', '@lh');
  t.deepEqual(h.series[0].buckets[0], {min: 0, max: 19, count: 6});
  t.is(h.series[0].buckets.length, 6);
});

test('stats gives count, average and total', (t) => {
  t.deepEqual(named('stats', '@st').series[0], {keys: [], count: 12, average: 48049, total: 576591});
});

test('multi-key maps split on commas', (t) => {
  const m = named('map', '@two');
  t.deepEqual(m.entries, [
    {keys: ['bash', '-111'], value: 3},
    {keys: ['curl', '-115'], value: 3},
    {keys: ['curl', '-2'], value: 6},
  ]);
});

test('scalar maps give one entry without keys', (t) => {
  t.deepEqual(named('map', '@s').entries, [{keys: [], value: 12}]);
});

test('keys that collide after ksym() are both kept, and merge by summing', (t) => {
  const m = named('map', '@ks');
  t.is(m.entries.length, 2);
  t.deepEqual(mergeEntries(m.entries), [{keys: ['_text', '1'], value: 24}]);
});

test('a truncated line is reported as malformed, not thrown', (t) => {
  const last = events.at(-1)!;
  t.is(last.type, 'malformed');
});

test('lost events, in JSON and in text form', (t) => {
  t.deepEqual(parseLine('{"type": "lost_events", "data": {"events": 7}}'), {type: 'lost', events: 7});
  t.deepEqual(parseLine('Lost 12 events'), {type: 'lost', events: 12});
});

test('other message types are passed over by kind', (t) => {
  t.deepEqual(parseLine('{"type": "time", "data": "10:00:00\\n"}'), {type: 'other', kind: 'time', line: '{"type": "time", "data": "10:00:00\\n"}'});
});

test('quantiles of an empty histogram are null', (t) => {
  t.is(bucketQuantile([], 0.5), null);
  t.is(bucketQuantile([{min: 0, max: 1, count: 0}], 0.99), null);
});
