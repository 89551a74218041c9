import test from 'ava';
import {boundSlabMisses, judgeProblems} from '../../../src/correlate/problems.js';

test('a full @tuples map names itself, the numbers it makes wrong (its declared feeds), and withholds them; a full @ports only the pairs', (t) => {
  const {warnings, incomplete} = judgeProblems([{kind: 'map-full', map: '@tuples', text: '@tuples full at 4096 keys: new keys were dropped', count: 1, measurement: 'portAllocation'}]);
  t.deepEqual(warnings, ['portAllocation: @tuples full at 4096 keys: new keys were dropped; port counts per destination and the 4-tuple correlation are low']);
  t.deepEqual(Object.keys(incomplete), ['ports.fourTuples', 'ports.perDestination', 'ports.correlation', 'ports.parity']);
  const pairs = judgeProblems([{kind: 'map-full', map: '@ports', text: '@ports full at 4096 keys: new keys were dropped', count: 1, measurement: 'portAllocation'}]);
  t.deepEqual(Object.keys(pairs.incomplete), ['ports.pairs']);
});

test('a full slab map withholds slab per connection; a non-JSON line withholds nothing but is said', (t) => {
  const {warnings, incomplete} = judgeProblems([
    {kind: 'map-full', map: '@live', text: '@live full at 65536 keys: new keys were dropped', count: 3, measurement: 'slab'},
    {kind: 'not-json', map: null, text: 'bpftrace printed a line that is not JSON: x', count: 1, measurement: 'connections'},
  ]);
  t.deepEqual(Object.keys(incomplete), ['slab.bytesPerConnection.tracepoint', 'slab.byCache', 'slab.heldBytesByCache', 'slab.connections']);
  t.is(warnings.length, 2);
  t.regex(warnings[0]!, /^slab: @live full at 65536 keys: new keys were dropped \(3 times\); slab held per connection is wrong/);
  t.is(warnings[1], 'connections: bpftrace printed a line that is not JSON: x');
});

test('a few failed helper calls (at most 1 % of the connections) are said and the numbers kept; more withhold them; a full map always does', (t) => {
  const busy = (count: number) => ({kind: 'helper-error' as const, map: '@live', text: 'map_update_elem failed with -16 (Device or resource busy) updating @live', count, measurement: 'slab'});
  const few = judgeProblems([busy(4)], 499);
  t.deepEqual(few.incomplete, {});
  t.deepEqual(few.warnings, ['slab: map_update_elem failed with -16 (Device or resource busy) updating @live (4 times); slab numbers may be off by 4 event(s) of 499 connections (under 1 %: kept)']);
  t.deepEqual(Object.keys(judgeProblems([busy(5)], 499).incomplete), ['slab.bytesPerConnection.tracepoint', 'slab.byCache', 'slab.heldBytesByCache', 'slab.connections']);
  t.deepEqual(Object.keys(judgeProblems([busy(1)]).incomplete).length, 4, 'without a connection count nothing is tolerated');
  const full = {kind: 'map-full' as const, map: '@tuples', text: '@tuples full at 4096 keys: new keys were dropped', count: 1, measurement: 'portAllocation'};
  t.true('ports.correlation' in judgeProblems([full], 1_000_000).incomplete);
});

test('run\'s skipped slab runs: kept, with their worst case (runs x the largest object) in bytes and as a share of the bytes held', (t) => {
  const missed = (measurement: string, count: number) => ({kind: 'missed-runs' as const, map: null, measurement, count, text: `the kernel skipped ${count} runs of its programs (recursion_misses: another BPF program was running on that CPU)`});
  // 8 runs x 4096 B = 32 768 B of 3 844 000 B held (500 connections of 7688 B): 0.9 %
  const kept = boundSlabMisses([missed('slab', 8)], 3_844_000, 4096);
  t.deepEqual(kept.rest, []);
  t.deepEqual(kept.warnings, ['slab: the kernel skipped 8 runs of its programs (recursion_misses: another BPF program was running on that CPU); slab held may be off by up to 32768 B (8 x the largest object, 4096 B), 0.9 % of the 3844000 B held: kept']);
  // a small run: 2 runs of a 23-connection one, said as the larger share it is
  t.regex(boundSlabMisses([missed('slab', 2)], 176_824, 4096).warnings[0]!, /up to 8192 B .*, 4\.6 % of the 176824 B held: kept$/);
  // another measurement's skipped runs, and nothing held, are left to judgeProblems (which withholds them)
  const rx = boundSlabMisses([missed('receiveLookup', 1)], 3_844_000, 4096);
  t.is(rx.rest.length, 1);
  t.true('kernel.receive' in judgeProblems(rx.rest, 500).incomplete);
  t.is(boundSlabMisses([missed('slab', 1)], 0, 4096).rest.length, 1);
});
