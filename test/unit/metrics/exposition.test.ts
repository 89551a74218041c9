import test from 'ava';
// @ts-expect-error: the parser ships no types
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import {renderMetrics} from '../../../src/metrics/exposition.js';
import {emptyKernelState, type KernelState} from '../../../src/bpftrace/kernel-state.js';

const kernel: KernelState = {
  ...emptyKernelState(),
  counters: {
    '@client_estab': {'12000': 12, '12001': 11},
    '@server_estab': {'12000': 12, '12001': 11},
    '@socket_ok': {'': 23},
    '@accept_ok': {'': 23},
    '@connect_errno': {'99': 1},
    '@alloc_bytes': {TCP: 4736 * 23},
    '@freed_bytes': {TCP: 4736},
    '@tw_entered': {'12000': 5},
  },
  hists: {'@connect_ns': [{min: 16384, max: 32767, count: 20}, {min: 32768, max: 65535, count: 3}]},
};

test('Prometheus text: a real parser reads every family with the right values', (t) => {
  const text = renderMetrics({kernel, generator: {established: 23, failed: {}}}, 'prometheus');
  const parsed = parsePrometheusTextFormat(text) as Array<{name: string; type: string; metrics: any[]}>;
  const family = (name: string) => parsed.find((f) => f.name === name)!;
  t.is(family('tcptrace_established_connections_total').type, 'COUNTER');
  const client = family('tcptrace_established_connections_total').metrics.filter((m) => m.labels.side === 'client');
  t.is(client.reduce((n, m) => n + Number(m.value), 0), 23);
  t.deepEqual(family('tcptrace_syscall_errors_total').metrics, [{labels: {syscall: 'connect', errno: 'EADDRNOTAVAIL'}, value: '1'}]);
  t.deepEqual(family('tcptrace_time_wait_entered_sockets_total').metrics, [{labels: {port: '12000'}, value: '5'}]);
  t.deepEqual(family('tcptrace_slab_held_bytes').metrics, [{labels: {cache: 'TCP'}, value: String(4736 * 22)}]);
  const h = family('tcptrace_connect_latency_seconds').metrics[0];
  t.is(h.count, '23');
  t.deepEqual(h.buckets, {'0.000032768': '20', '0.000065536': '23', '+Inf': '23'});
  t.is(family('tcptrace_generator_connections_total').metrics[0].value, '23');
});

test('OpenMetrics text: counter families named without _total, units, # EOF last', (t) => {
  const text = renderMetrics({kernel}, 'openmetrics');
  t.regex(text, /^# TYPE tcptrace_established_connections counter$/m);
  t.regex(text, /^tcptrace_established_connections_total\{side="client",port="12000"\} 12$/m);
  t.regex(text, /^# UNIT tcptrace_connect_latency_seconds seconds$/m);
  t.true(text.endsWith('# EOF\n'));
  t.false(text.includes('tcptrace_generator_connections'));
});

test('an open-ended bucket (a 7.1 s connect under bpftrace 0.17) counts only in le="+Inf", and the sum takes its lower bound', (t) => {
  const k: KernelState = {...emptyKernelState(), hists: {'@connect_ns': [{min: 16384, max: 32767, count: 2}, {min: 2 ** 31, max: Number.POSITIVE_INFINITY, count: 1}]}};
  const parsed = parsePrometheusTextFormat(renderMetrics({kernel: k}, 'prometheus')) as Array<{name: string; metrics: any[]}>;
  const h = parsed.find((f) => f.name === 'tcptrace_connect_latency_seconds')!.metrics[0];
  t.deepEqual(h.buckets, {'0.000032768': '2', '+Inf': '3'});
  t.is(h.count, '3');
  t.true(Number(h.sum) >= 2 ** 31 / 1e9, h.sum);
});
