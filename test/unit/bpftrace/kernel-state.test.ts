import test from 'ava';
import {foldLines} from '../../helpers/live.js';
import {counter, counterTotal, mergeStates} from '../../../src/bpftrace/kernel-state.js';
import {slab} from '../../../src/measurements/slab.js';

const heldBytesByCache = (k: Parameters<typeof slab.read>[0]) => slab.read(k, null).heldBytesByCache;

const fold = foldLines;

test('each print of a running total replaces the last; a tick counts an interval', (t) => {
  const s = fold([
    '{"type": "map", "data": {"@client_estab": {"12000": 10, "12001": 5}}}',
    '{"type": "printf", "data": "tick\\n"}',
    '{"type": "map", "data": {"@client_estab": {"12000": 13, "12001": 5}}}',
    '{"type": "printf", "data": "tick\\n"}',
  ]);
  t.deepEqual(counter(s, '@client_estab'), {'12000': 13, '12001': 5});
  t.is(counterTotal(s, '@client_estab'), 18);
  t.is(s.ticks, 2);
});

test('keys printed twice in one print (collisions after ksym) add up', (t) => {
  const s = fold(['{"type": "map", "data": {"@sites": {"TCP,sk_prot_alloc": 2, "TCP,sk_prot_alloc": 3}}}']);
  t.deepEqual(counter(s, '@sites'), {'TCP,sk_prot_alloc': 5});
});

test('a histogram print replaces the last one', (t) => {
  const s = fold([
    '{"type": "hist", "data": {"@connect_ns": [{"min": 1024, "max": 2047, "count": 2}]}}',
    '{"type": "hist", "data": {"@connect_ns": [{"min": 512, "max": 1023, "count": 1}, {"min": 1024, "max": 2047, "count": 3}]}}',
  ]);
  t.deepEqual(s.hists['@connect_ns'], [
    {min: 512, max: 1023, count: 1},
    {min: 1024, max: 2047, count: 3},
  ]);
});

test("after END's marker, bpftrace's own map dump is not counted twice", (t) => {
  const s = fold([
    '{"type": "map", "data": {"@calls": {"socket": 23}}}',
    '{"type": "printf", "data": "end\\n"}',
    '{"type": "map", "data": {"@calls": {"socket": 23}}}',
  ]);
  t.is(counter(s, '@calls').socket, 23);
  t.true(s.ended);
});

test('held bytes are allocated minus freed', (t) => {
  const s = fold([
    '{"type": "map", "data": {"@alloc_bytes": {"TCP": 4736, "dentry": 384}}}',
    '{"type": "map", "data": {"@freed_bytes": {"TCP": 2368}}}',
    '{"type": "map", "data": {"@freed_bytes": {"TCP": 2368, "dentry": 192, "filp": 192}}}',
  ]);
  t.deepEqual(heldBytesByCache(s), {TCP: 2368, dentry: 192, filp: -192});
});

test('states of several programs merge; ticks are the slowest program\'s', (t) => {
  const a = fold(['{"type": "map", "data": {"@a": 1}}', '{"type": "printf", "data": "tick\\n"}']);
  const b = fold(['{"type": "map", "data": {"@b": 2}}']);
  const m = mergeStates([a, b]);
  t.is(counterTotal(m, '@a'), 1);
  t.is(counterTotal(m, '@b'), 2);
  t.is(m.ticks, 0);
  t.is(mergeStates([]).ticks, 0);
});

test('bytes allocated by cache come from the call-site map when the probe keeps no by-cache map', (t) => {
  const k = fold([
    '{"type": "map", "data": {"@alloc_sites": {"TCP,18446744071600045926": 4736, "TCP,18446744071600000001": 64, "kmalloc-rnd-05-192,1": 192}}}',
    '{"type": "map", "data": {"@freed_bytes": {"kmalloc-rnd-05-192": 192}}}',
  ]);
  t.deepEqual(heldBytesByCache(k), {TCP: 4800, 'kmalloc-rnd-05-192': 0});
});

test('a slab sample: bytes per connection are the sample\'s, the held total scales to the connections held', async (t) => {
  const {buildSample} = await import('../../../src/correlate/sample.js');
  const {stats} = await import('../../helpers/live.js');
  const k = fold(['{"type": "map", "data": {"@alloc_sites": {"TCP,1": 5000000}}}']);
  const sampled = buildSample(0, stats(100_000), k, 0, 5000);
  t.deepEqual(sampled.slab, {heldBytes: 100_000_000, bytesPerConnection: 1000, sampledConnections: 5000});
  t.deepEqual(buildSample(0, stats(5000), k, 0).slab, {heldBytes: 5_000_000, bytesPerConnection: 1000, sampledConnections: null});
});

test('connect() latencies of seconds (@connect_slow_ms) join @connect_ns in ns, whichever prints first, without counting twice', (t) => {
  const fast = '{"type": "hist", "data": {"@connect_ns": [{"min": 8192, "max": 16383, "count": 17}]}}';
  const slow = (n: number) => `{"type": "hist", "data": {"@connect_slow_ms": [{"min": 1024, "max": 2047, "count": 0}, {"min": 2048, "max": 4095, "count": ${n}}]}}`;
  for (const lines of [[fast, slow(2), fast, slow(3)], [slow(2), fast, slow(3), fast]]) {
    const h = fold(lines).hists['@connect_ns']!;
    t.deepEqual(h.filter((b) => b.count > 0), [
      {min: 8192, max: 16383, count: 17},
      {min: 2048e6, max: 4096e6 - 1, count: 3},
    ]);
  }
});
