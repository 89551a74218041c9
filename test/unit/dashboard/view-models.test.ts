import test from 'ava';
import {emptyKernelState, type KernelState} from '../../../src/bpftrace/kernel-state.js';
import {buildSample} from '../../../src/correlate/sample.js';
import * as vm from '../../../src/dashboard/view-models.js';
import {liveState, stats} from '../../helpers/live.js';

const kernel = (counters: KernelState['counters'], hists: KernelState['hists'] = {}): KernelState => ({...emptyKernelState(), counters, hists});

test('before the first sample every panel says waiting for data', (t) => {
  for (const v of [vm.connectionsView([], null), vm.slabView(null), vm.portsView(null), vm.socketView(null), vm.receiveView([], null), vm.limitsView(null), vm.planView(null)]) {
    t.deepEqual(v, {state: 'waiting'});
  }
});

test('a measurement the plan could not serve says unavailable here, with the reason', (t) => {
  const live = liveState(10);
  live.plan = live.plan.map((p) => (p.measurement === 'slab' ? {...p, variant: null, kind: null, why: 'unavailable here: kmem:kmem_cache_alloc has no `name` field'} : p));
  t.deepEqual(vm.slabView(live), {state: 'unavailable', why: 'kmem:kmem_cache_alloc has no `name` field'});
});

test('a probe that failed to attach makes its panel unavailable, with bpftrace\'s reason', (t) => {
  const live = liveState(10, emptyKernelState(), {failedProbes: [{measurement: 'socketCreation', why: 'Error attaching probe'}]});
  t.deepEqual(vm.socketView(live), {state: 'unavailable', why: 'Error attaching probe'});
});

test('slab: zero connections is waiting, not a division by zero', (t) => {
  t.deepEqual(vm.slabView(liveState(0, kernel({'@alloc_bytes': {TCP: 4736}}))), {state: 'waiting'});
});

test('slab: bytes per connection by cache, costliest first, call site beside the cache', (t) => {
  const live = liveState(10, kernel({'@alloc_bytes': {TCP: 47_360, dentry: 3840, tiny: 10}, '@freed_bytes': {dentry: 0}}), {slabSites: {TCP: 'sk_prot_alloc'}});
  const v = vm.slabView(live, live.slabSites);
  t.is(v.state, 'ok');
  if (v.state !== 'ok') return;
  t.deepEqual(v.headers, ['cache', 'call site', 'per conn']);
  t.deepEqual(v.rows, [
    ['all caches', '', '5 121 B'],
    ['TCP', 'sk_prot_alloc', '4 736 B'],
    ['dentry', '', '384 B'],
  ]);
});

test('connections: one series point per sample, generator and kernel', (t) => {
  const history = [1, 2, 3].map((i) => buildSample(i * 1000, stats(i * 10), kernel({'@client_estab': {'12000': i * 10 - 1}}), 0));
  const v = vm.connectionsView(history, liveState(30));
  t.is(v.state, 'ok');
  if (v.state !== 'ok') return;
  t.deepEqual(v.series[0]!.y, [10, 20, 30]);
  t.deepEqual(v.series[1]!.y, [9, 19, 29]);
  t.deepEqual(v.series[0]!.x, ['1s', '2s', '3s']);
});

test('ports: per destination against the range, parity and EADDRNOTAVAIL', (t) => {
  const v = vm.portsView(liveState(3, kernel({'@port_new': {'12000': 2, '12001': 1}, '@port_even': {'': 3}, '@connect_errno': {'99': 1}})));
  t.is(v.state, 'ok');
  if (v.state !== 'ok') return;
  t.deepEqual(v.rows.slice(0, 5), [
    ['127.0.0.1:12000', '2', '<1%'],
    ['127.0.0.1:12001', '1', '<1%'],
    ['ip_local_port_range', '28 232', ''],
    ['even/odd ports', '3/0', ''],
    ['EADDRNOTAVAIL', '1', ''],
  ]);
});

test('receive: a single sample has no rate (zero period guarded)', (t) => {
  const live = liveState(10);
  const v = vm.receiveView([live.sample], live);
  t.is(v.state, 'ok');
  if (v.state === 'ok') t.deepEqual(v.rows[1], ['per second', '0/s']);
});

test('receive: the rate is the segments between the last two samples over their period', (t) => {
  const a = buildSample(1000, stats(1), kernel({'@rx_tcp4': {'': 100}}), 0);
  const b = buildSample(3000, stats(1), kernel({'@rx_tcp4': {'': 700}}), 0);
  const v = vm.receiveView([a, b], liveState(1));
  if (v.state === 'ok') t.deepEqual(v.rows[1], ['per second', '300/s']);
  else t.fail();
});

test('histogram bars start at the first non-empty bucket', (t) => {
  const bars = vm.histBars([
    {min: 1024, max: 2047, count: 0},
    {min: 2048, max: 4095, count: 3},
    {min: 4096, max: 8191, count: 1},
  ]);
  t.deepEqual(bars, {titles: ['4 µs', '8 µs'], counts: [3, 1], thousands: false});
  t.deepEqual(vm.histBars([{min: 1024, max: 2047, count: 2_345_678}, {min: 2048, max: 4095, count: 400}]), {titles: ['2 µs', '4 µs'], counts: [2346, 0], thousands: true});
  t.deepEqual(vm.histBars([]), {titles: [], counts: []});
});

test('units: bytes and nanoseconds', (t) => {
  t.is(vm.bytesText(null), '-');
  t.is(vm.bytesText(512), '512 B');
  t.is(vm.bytesText(8600), '8 600 B');
  t.is(vm.bytesText(153_120_000), '153 MB');
  t.is(vm.nsText(999), '999 ns');
  t.is(vm.nsText(16_383), '16.4 µs');
  t.is(vm.nsText(2_500_000), '2.5 ms');
});

test('plan: one line per measurement with kind, hooks and what was passed over, then events', (t) => {
  const v = vm.planView(liveState(1, emptyKernelState(), {events: ['EADDRNOTAVAIL: ip_local_port_range']}));
  t.is(v.state, 'ok');
  if (v.state !== 'ok') return;
  t.deepEqual(v.rows[0], ['connections', 'tracepoint', 'sock:inet_sock_set_state (passed over: kfunc, kprobe)']);
  t.deepEqual(v.events, ['EADDRNOTAVAIL: ip_local_port_range']);
});

test('plan while starting: each program attaching, or ready and how long it took; once ramping, no status', (t) => {
  const starting = vm.planView(liveState(0, emptyKernelState(), {phase: 'starting', probesReady: {connections: 2900}}));
  t.is(starting.state, 'ok');
  if (starting.state !== 'ok') return;
  t.deepEqual(starting.rows[0]!.slice(0, 2), ['connections', 'tracepoint [ready 2.9 s]']);
  t.deepEqual(starting.rows.find((r) => r[0] === 'slab')!.slice(0, 2), ['slab', 'tracepoint [attaching]']);
  const ramping = vm.planView(liveState(10, emptyKernelState(), {phase: 'ramping', probesReady: {connections: 2900}}));
  t.is(ramping.state, 'ok');
  if (ramping.state !== 'ok') return;
  t.false(ramping.rows.some((r) => r[1]!.includes('[ready') || r[1]!.includes('[attaching]')));
});

test('limits: the closest limit is named', (t) => {
  const v = vm.limitsView(liveState(15_000));
  t.is(v.state, 'ok');
  if (v.state === 'ok') t.is(v.binding, 'closest: RLIMIT_NOFILE at 75%');
});

test('function probes add ports tried and lookups to their panels', (t) => {
  const k = kernel(
    {'@port_new': {'12000': 2}, '@tcp_v4_rcv': {'': 9}, '@lookups': {'early_demux,hit': 3, 'tcp_v4_rcv,miss': 3}},
    {'@attempts': [{min: 0, max: 0, count: 1}, {min: 1, max: 1, count: 1}], '@hash_connect_ns': [{min: 1024, max: 2047, count: 2}], '@lookup_ns[tcp_v4_rcv]': [{min: 256, max: 511, count: 3}]},
  );
  // served by function probes (the plan says which kind ran)
  const live = liveState(2, k);
  const fn = {...live, plan: live.plan.map((p) => ({...p, kind: p.measurement === 'receiveLookup' ? 'kprobe' : 'kfunc'}) as typeof p)};
  const ports = vm.portsView(fn);
  const receive = vm.receiveView([], fn);
  if (ports.state !== 'ok' || receive.state !== 'ok') return t.fail();
  t.deepEqual(ports.rows.slice(-2), [['ports tried p50/p99', '0/1', ''], ['hash_connect p50', '2 µs', '']]);
  t.deepEqual(receive.rows.slice(-4), [['tcp_v4_rcv', '9'], ['lookup early_demux hit', '3'], ['lookup tcp_v4_rcv miss', '3'], ['lookup p50', '512 ns']]);
});

test('slab: the bytes queued on the namespace\'s sockets sit beside the caches, per connection, marked not slab', (t) => {
  const live = {...liveState(10, kernel({'@alloc_bytes': {TCP: 47_360}})), buffers: {sockets: 20, unreadBytes: 240, unsentBytes: 0}};
  const v = vm.slabView(live);
  if (v.state !== 'ok') return t.fail(v.state);
  t.deepEqual(v.rows.slice(0, 3), [['all caches', '', '4 736 B'], ['socket buffers', 'not slab: queued', '24 B'], ['TCP', '', '4 736 B']]);
});
