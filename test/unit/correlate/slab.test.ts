import test from 'ava';
import {costByCache, perConnection, slabinfoDeltaOver, slabinfoDeltas} from '../../../src/correlate/slab.js';

const cache = (activeObjs: number, objSize: number) => ({activeObjs, numObjs: activeObjs, objSize, activeBytes: activeObjs * objSize});

test('per connection guards a zero divisor', (t) => {
  t.is(perConnection(1000, 0), null);
  t.is(perConnection(1000, 3), 333);
});

test('caches sorted by held bytes, tiny ones dropped, slabinfo deltas beside them', (t) => {
  const costs = costByCache(
    {TCP: 4736 * 10, sock_inode_cache: 1664 * 10, kmalloc_tiny: 40},
    10,
    {TCP: cache(100, 2368), sock_inode_cache: cache(50, 832)},
    {TCP: cache(120, 2368), sock_inode_cache: cache(70, 832)},
  );
  t.deepEqual(costs.map((c) => [c.cache, c.bytesPerConnection, c.slabinfoDeltaBytes]), [
    ['TCP', 4736, 20 * 2368],
    ['sock_inode_cache', 1664, 20 * 832],
  ]);
  t.is(slabinfoDeltaOver(costs), 20 * 2368 + 20 * 832);
});

test('no connections: no per-cache cost', (t) => {
  t.deepEqual(costByCache({TCP: 100}, 0, {}, {}), []);
});

test('a cache missing from slabinfo has no delta', (t) => {
  const [c] = costByCache({TCP: 4736}, 1, {}, {});
  t.is(c!.slabinfoDeltaBytes, null);
});

test('slabinfo deltas keep only caches that grew', (t) => {
  t.deepEqual(slabinfoDeltas({TCP: cache(10, 2368), dentry: cache(100, 192)}, {TCP: cache(30, 2368), dentry: cache(90, 192), filp: cache(5, 256)}), {
    TCP: 20 * 2368,
    filp: 5 * 256,
  });
});
