// Ephemeral ports chosen by connect() per destination, connect() and bind() cost and failures; with
// function probes, inet_hash_connect()'s search (ports tried per connect) and bind-time port choice.
import type {Bucket} from '../bpftrace/parse.js';
import {counter, counterTotal, presentCounts, type KernelState} from '../bpftrace/kernel-state.js';
import {defineMeasurement} from './types.js';

// What the port allocation measurement gives; the hashConnect/attempts/bindPorts fields are null on the
// tracepoint variant.
export type PortAllocationReading = {
  // connections given a local port, by destination (server) port
  newByServerPort: Record<string, number>;
  newByServerPortTotal: number;
  // chosen local ports by parity ("0" even, "1" odd)
  parity: Record<string, number>;
  // connect() latency, ns (seconds-long ones folded in from @connect_slow_ms)
  connectNs: Bucket[];
  connectOk: number;
  // failed connect() calls by errno number (EINPROGRESS is not a failure)
  connectErrors: Record<string, number>;
  // connect() returns whose entry came before the probes attached
  connectUnmatched: number;
  bindOk: number;
  // failed bind() calls by errno number
  bindErrors: Record<string, number>;
  // bind() latency (syscall entry to return), ns: bind(ip, 0) searches the range for a port free at that address
  bindNs: Bucket[];
  // inet_hash_connect() (kfunc/kprobe): latency ns, ports tried per call, the exact total, failures by errno
  hashConnectNs: Bucket[] | null;
  attempts: Bucket[] | null;
  attemptsSum: number | null;
  hashConnectErrors: Record<string, number> | null;
  // inet_csk_get_port() (kfunc/kprobe): ports given at bind time (and listen()), failures (all EADDRINUSE, 98: the
  // function returns 1, which __inet_bind() turns into EADDRINUSE)
  bindPorts: number | null;
  bindPortErrors: Record<string, number> | null;
};

const FN_NEEDS = ['btf', 'fn:inet_hash_connect', 'fn:__inet_check_established', 'fn:inet_csk_get_port'] as const;
const FN: Array<'kfunc' | 'kprobe'> = ['kfunc', 'kprobe'];

// Kernel facts: connect() picks its port in inet_hash_connect() -> __inet_hash_connect() (net/ipv4/inet_hashtables.c),
// trying ports with __inet_check_established(); bind(ip, 0) picks one in inet_csk_get_port() (inet_connection_sock.c).
export const portAllocation = defineMeasurement<'portAllocation', PortAllocationReading>({
  name: 'portAllocation',
  title: 'ephemeral ports per destination, connect() and bind() cost and failures',
  group: 'counts',
  maps: [
    {name: '@port_new', aggregation: 'count', keys: ['server port'], unit: 'connections', print: 'tick', about: 'connections given a local port, per destination port'},
    // two unkeyed counts rather than one keyed by parity: bpftrace (0.17, src/imap.cpp) makes an unkeyed count() a
    // one-entry per-CPU array, a keyed one a per-CPU hash (a hashed key on every connection)
    {name: '@port_even', aggregation: 'count', keys: [], unit: 'connections', print: 'tick', about: 'chosen local ports that are even'},
    {name: '@port_odd', aggregation: 'count', keys: [], unit: 'connections', print: 'tick', about: 'chosen local ports that are odd'},
    {name: '@connect_ns', aggregation: 'hist', keys: [], unit: 'ns', print: 'tick', feeds: ['kernel.latency.connect'], about: 'connect() latency below 2^31 ns'},
    {name: '@connect_slow_ms', aggregation: 'hist', keys: [], unit: 'ms', print: 'tick', feeds: ['kernel.latency.connect'], about: 'connect() calls of 2^31 ns or more, in ms'},
    {name: '@connect_errno', aggregation: 'count', keys: ['errno'], unit: 'calls', print: 'tick', about: 'failed connect() calls by errno'},
    {name: '@connect_ok', aggregation: 'count', keys: [], unit: 'calls', print: 'tick', about: 'connect() calls that did not fail'},
    {name: '@connect_unmatched', aggregation: 'count', keys: [], unit: 'calls', print: 'tick', about: 'connect() returns whose entry came before the probes attached'},
    {name: '@bind_ok', aggregation: 'count', keys: [], unit: 'calls', print: 'tick', about: 'bind() calls that succeeded'},
    {name: '@bind_fail', aggregation: 'count', keys: ['errno'], unit: 'calls', print: 'tick', about: 'failed bind() calls by errno'},
    {name: '@bind_ns', aggregation: 'hist', keys: [], unit: 'ns', print: 'tick', about: 'bind() latency'},
    {name: '@connect_start', aggregation: 'scratch', keys: ['tid'], unit: 'ns', print: 'never', feeds: ['kernel.latency.connect'], about: 'connect() entry time'},
    {name: '@bind_start', aggregation: 'scratch', keys: ['tid'], unit: 'ns', print: 'never', about: 'bind() entry time (of a traced process)'},
    {name: '@hash_connect_ns', aggregation: 'hist', keys: [], unit: 'ns', print: 'tick', kinds: FN, about: 'inet_hash_connect() latency'},
    {name: '@attempts', aggregation: 'lhist', keys: [], unit: 'ports tried', print: 'tick', kinds: FN, about: '__inet_check_established() calls per inet_hash_connect(), 0..1000'},
    {name: '@attempts_sum', aggregation: 'sum', keys: [], unit: 'ports tried', print: 'tick', kinds: FN, about: 'the exact total of @attempts'},
    {name: '@hash_connect_errno', aggregation: 'count', keys: ['errno'], unit: 'calls', print: 'tick', kinds: FN, about: 'failed inet_hash_connect() calls by errno'},
    {name: '@bind_ports', aggregation: 'count', keys: [], unit: 'calls', print: 'tick', kinds: FN, about: 'ports given by inet_csk_get_port()'},
    {name: '@bind_errno', aggregation: 'count', keys: ['errno'], unit: 'calls', print: 'tick', kinds: FN, about: 'failed inet_csk_get_port() calls, all counted as EADDRINUSE (98): the function returns 1, bind() reports EADDRINUSE'},
    {name: '@hc_start', aggregation: 'scratch', keys: ['tid'], unit: 'ns', print: 'never', kinds: FN, about: 'inet_hash_connect() entry time'},
    {name: '@hc_attempts', aggregation: 'scratch', keys: ['tid'], unit: 'ports tried', print: 'never', kinds: FN, about: 'ports tried so far in this call'},
    {name: '@hc_sk', aggregation: 'scratch', keys: ['tid'], unit: 'pointer', print: 'never', kinds: ['kprobe'], about: 'the socket of the call (kretprobe has no arguments)'},
    {name: '@gp_in', aggregation: 'scratch', keys: ['tid'], unit: 'pointer', print: 'never', kinds: ['kprobe'], about: 'the socket of inet_csk_get_port()'},
  ],
  variants: [
    {kind: 'kfunc', files: ['connect-syscalls.bt', 'portalloc-kfunc.bt'], needs: [...FN_NEEDS], hooks: 'kretfunc:inet_hash_connect, kfunc:__inet_check_established, kretfunc:inet_csk_get_port', live: [{map: '@port_new', perConnection: 1}]},
    {kind: 'kprobe', files: ['connect-syscalls.bt', 'portalloc-kprobe.bt'], needs: [...FN_NEEDS], hooks: 'kretprobe:inet_hash_connect, kprobe:__inet_check_established, kretprobe:inet_csk_get_port', live: [{map: '@port_new', perConnection: 1}]},
    {kind: 'tracepoint', files: ['connect-syscalls.bt', 'portalloc-tp.bt'], needs: ['btf'], hooks: 'sock:inet_sock_set_state, syscalls:sys_*_connect'},
  ],
  feeds: ['kernel.latency.connect'],
  read: (k: KernelState, kind) => {
    const fn = kind === 'kfunc' || kind === 'kprobe';
    return {
      newByServerPort: counter(k, '@port_new'),
      newByServerPortTotal: counterTotal(k, '@port_new'),
      parity: presentCounts({'0': counterTotal(k, '@port_even'), '1': counterTotal(k, '@port_odd')}),
      connectNs: k.hists['@connect_ns'] ?? [],
      connectOk: counterTotal(k, '@connect_ok'),
      connectErrors: counter(k, '@connect_errno'),
      connectUnmatched: counterTotal(k, '@connect_unmatched'),
      bindOk: counterTotal(k, '@bind_ok'),
      bindErrors: counter(k, '@bind_fail'),
      bindNs: k.hists['@bind_ns'] ?? [],
      hashConnectNs: fn ? (k.hists['@hash_connect_ns'] ?? []) : null,
      attempts: fn ? (k.hists['@attempts'] ?? []) : null,
      attemptsSum: fn && k.counters['@attempts_sum'] ? counterTotal(k, '@attempts_sum') : null,
      hashConnectErrors: fn ? counter(k, '@hash_connect_errno') : null,
      bindPorts: fn ? counterTotal(k, '@bind_ports') : null,
      bindPortErrors: fn ? counter(k, '@bind_errno') : null,
    };
  },
});
