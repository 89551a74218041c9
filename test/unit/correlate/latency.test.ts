import test from 'ava';
import {latency} from '../../../src/correlate/latency.js';

test('a quantile in an open-ended bucket (bpftrace 0.17: 2^31 ns or more) is its lower bound, said to be one', (t) => {
  const l = latency([{min: 16384, max: 32767, count: 1}, {min: 2 ** 31, max: Number.POSITIVE_INFINITY, count: 2}]);
  t.deepEqual(l, {count: 3, p50Ns: 2 ** 31, p99Ns: 2 ** 31, p50AtLeast: true, p99AtLeast: true, openBuckets: 2});
  t.deepEqual(latency([{min: 16384, max: 32767, count: 3}, {min: 2 ** 31, max: Number.POSITIVE_INFINITY, count: 1}]), {
    count: 4, p50Ns: 32767, p99Ns: 2 ** 31, p50AtLeast: false, p99AtLeast: true, openBuckets: 1,
  });
  t.is(latency([]), null);
});
