// Every connection's 4-tuple and (destination port, local port) pair, as the kernel made it: the key the
// generator's records and the kernel's connections are joined on (ports.correlation). Sets with one key per
// connection, printed once when the probes stop: the maps the `pairs` process group is sized for.
import {counter, type KernelState} from '../bpftrace/kernel-state.js';
import {defineMeasurement} from './types.js';

// What the 4-tuple measurement gives (every variant alike).
export type FourTuplesReading = {
  // every (server port, local port) pair seen, as "server,local" (printed at the end only)
  pairs: string[];
  // every 4-tuple seen, as bpftrace's key "family,raddr high,raddr low,rport,laddr high,laddr low,lport" (printed
  // at the end only)
  tuples: string[];
};

const FN_NEEDS = ['btf', 'fn:inet_hash_connect'] as const;
// @tuples_hooked is 1 after one connect() got its port at the hook: 0.5 per connection passes with the warm-up's 2
const LIVE = [{map: '@tuples_hooked', perConnection: 0.5}] as const;

// Kernel facts: connect() takes its local port in inet_hash_connect() (net/ipv4/inet_hashtables.c; IPv6:
// inet6_hash_connect(), inet6_hashtables.c), which returns 0 with the 4-tuple set in struct sock, in the caller's
// context (so a process filter applies); the client's SYN_SENT -> ESTABLISHED (tcp_set_state(), net/ipv4/tcp.c,
// the sock:inet_sock_set_state tracepoint) runs in softirq, where pid and comm are not the caller's.
export const fourTuples = defineMeasurement<'fourTuples', FourTuplesReading>({
  name: 'fourTuples',
  title: "every connection's 4-tuple and (destination port, local port) pair",
  group: 'pairs',
  keysPerConnection: 1,
  maps: [
    {name: '@tuples', aggregation: 'set', keys: ['family', 'remote address high', 'remote address low', 'remote port', 'local address high', 'local address low', 'local port'], unit: '4-tuples', print: 'end', feeds: ['ports.fourTuples', 'ports.perDestination', 'ports.correlation', 'ports.parity'], about: 'every 4-tuple (an address as two 64-bit words of its bytes in network order, read little-endian: IPv4 in the low one)'},
    {name: '@ports', aggregation: 'set', keys: ['server port', 'local port'], unit: 'pairs', print: 'end', feeds: ['ports.pairs'], about: 'every (server port, local port) pair (trace)'},
    {name: '@tuples_hooked', aggregation: 'set', keys: [], unit: 'flag', print: 'tick', kinds: ['kfunc', 'kprobe'], about: '1 once a connect() got its port at the hook (the liveness check; a plain value, not a per-CPU count)'},
    {name: '@tuple_sk', aggregation: 'scratch', keys: ['tid'], unit: 'pointer', print: 'never', kinds: ['kprobe'], about: 'the socket of the call (kretprobe has no arguments)'},
  ],
  variants: [
    // connect() calls inet_hash_connect() in the caller's context: never skipped (the receive programs they share a
    // process with can be, and those skipped runs are not theirs)
    {kind: 'kfunc', files: ['tuples-kfunc.bt'], needs: [...FN_NEEDS], hooks: 'kretfunc:inet_hash_connect', live: [...LIVE], taskContextOnly: true},
    {kind: 'kprobe', files: ['tuples-kprobe.bt'], needs: [...FN_NEEDS], hooks: 'kretprobe:inet_hash_connect', live: [...LIVE], taskContextOnly: true},
    {kind: 'tracepoint', files: ['tuples-tp.bt'], needs: ['btf'], hooks: 'sock:inet_sock_set_state'},
  ],
  feeds: ['ports.perDestination', 'ports.correlation', 'ports.parity', 'ports.pairs', 'ports.fourTuples'],
  read: (k: KernelState) => ({
    pairs: Object.keys(counter(k, '@ports')),
    tuples: Object.keys(counter(k, '@tuples')),
  }),
});
