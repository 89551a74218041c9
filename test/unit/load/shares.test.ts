import test from 'ava';
import {minPorts, serverWorkerCount, shareOut, splitPorts} from '../../../src/load/shares.js';

test('shares differ by at most one and add up', (t) => {
  t.deepEqual(shareOut(23, 4), [6, 6, 6, 5]);
  t.deepEqual(shareOut(20000, 2), [10000, 10000]);
  t.deepEqual(shareOut(0, 2), [0, 0]);
});

test('server processes: enough to keep each under the per-process share, never more than ports', (t) => {
  t.is(serverWorkerCount(4, 23, 15000), 1);
  t.is(serverWorkerCount(4, 20000, 15000), 2);
  t.is(serverWorkerCount(2, 100000, 15000), 2);
  // 12 500 a port: two ports would be 25 000 in one process, over the per-process share
  t.is(serverWorkerCount(8, 100000, 15000), 8);
  t.is(serverWorkerCount(67, 1_000_000, 15000), 67);
  t.is(serverWorkerCount(134, 1_000_000, 15000), 67);
});

test('ports go round robin to server processes', (t) => {
  t.deepEqual(splitPorts([1, 2, 3, 4], 20000, 15000), [[1, 3], [2, 4]]);
  t.deepEqual(splitPorts([1, 2, 3, 4], 23, 15000), [[1, 2, 3, 4]]);
  for (const groups of [splitPorts([...Array(8).keys()], 100000, 15000), splitPorts([...Array(10).keys()], 100000, 15000)]) {
    t.true(groups.every((g) => g.length * Math.ceil(100000 / groups.flat().length) <= 15000), JSON.stringify(groups));
  }
});

test('minimum ports for a connection count', (t) => {
  t.is(minPorts(20000, 15000), 2);
  t.is(minPorts(1, 15000), 1);
  t.is(minPorts(1_000_000, 15000), 67);
});
