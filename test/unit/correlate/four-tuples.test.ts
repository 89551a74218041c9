import test from 'ava';
import {addressWord, fourTuples, localsPerDestination} from '../../../src/correlate/four-tuples.js';

test('address words as bpftrace prints them: 127.0.0.1 is 16777343; IPv6 ::1 keeps its last 32 bits', (t) => {
  t.is(addressWord(2, 16_777_343), '127.0.0.1');
  t.is(addressWord(2, 50_331_775), '127.0.0.3');
  t.is(addressWord(10, 16_777_216), '*:0:1');
});

test('two client addresses reusing local port 45000 toward one server: two 4-tuples, two locals for that destination', (t) => {
  const tuples = fourTuples(['2,16777343,23550,33554559,45000', '2,16777343,23550,50331775,45000', '10,16777216,23551,16777216,40000']);
  t.deepEqual(tuples, [
    {local: '127.0.0.2:45000', remote: '127.0.0.1:23550'},
    {local: '127.0.0.3:45000', remote: '127.0.0.1:23550'},
    {local: '[*:0:1]:40000', remote: '[*:0:1]:23551'},
  ]);
  t.deepEqual(localsPerDestination(tuples), {'127.0.0.1:23550': 2, '[*:0:1]:23551': 1});
});
