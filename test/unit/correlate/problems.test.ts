import test from 'ava';
import {judgeProblems} from '../../../src/correlate/problems.js';

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
