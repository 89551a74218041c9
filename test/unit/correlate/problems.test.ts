import test from 'ava';
import {judgeProblems} from '../../../src/correlate/problems.js';

test('a full @ports map names itself, the numbers it makes wrong, and withholds them', (t) => {
  const {warnings, incomplete} = judgeProblems([{kind: 'map-full', map: '@ports', text: '@ports full at 4096 keys: new keys were dropped', count: 1, measurement: 'portAllocation'}]);
  t.deepEqual(warnings, ['portAllocation: @ports full at 4096 keys: new keys were dropped; port counts per destination and the 4-tuple correlation are low']);
  t.deepEqual(Object.keys(incomplete), ['ports.perDestination', 'ports.correlation', 'ports.pairs']);
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
