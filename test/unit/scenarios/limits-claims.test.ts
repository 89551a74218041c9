import test from 'ava';
import {bindFirstClaims, BIND_LIMIT} from '../../../src/scenarios/bind-first.js';
import {acceptOverflowClaims, retransmissionsOf, synTimesS} from '../../../src/scenarios/accept-overflow.js';
import {ipv6Claims} from '../../../src/scenarios/ipv6.js';
import {onePortClaims} from '../../../src/scenarios/one-port.js';
import type {ConnRecord} from '../../../src/load/protocol.js';
import type {Summary} from '../../../src/correlate/summary.js';

const rec = (rport: number, lport: number, errno: string | null = null, connectNs = 1): ConnRecord => ({
  worker: 0, laddr: '127.0.0.1', lport, raddr: '127.0.0.1', rport, connectNs, errno, atMs: 0,
});

// The parts of a summary the claims read.
const summary = (over: Record<string, any>): Summary =>
  ({
    connections: {requested: 0, established: 0, failed: {}, accepted: 0, perSecond: 0},
    kernel: {established: {client: 0, server: 0}, syscalls: {socket: 0, connect: 0, accept: 0}, errors: {}, limitsHit: {}, latency: {socket: null, connect: null},
      receive: {tcpSegments: 0, packets: 0, byIpVersion: {v4: 0, v6: 0}}, functions: {tcpV4Rcv: null, tcpV6Rcv: null}},
    ports: {server: [12000, 12001], range: {low: 60000, high: 60019, size: 20}, perDestination: {}, fourTupleCount: 0, localPortsByAddress: {}},
    slab: {bytesPerConnection: {tracepoint: null, slabinfo: null}, byCache: {}, source: 'tracepoint'},
    stoppedBy: null,
    notMeasured: {},
    ...over,
  }) as unknown as Summary;

const twenty = (rport: number) => Array.from({length: 20}, (_, i) => rec(rport, 60000 + i));

test('bind-first holds: 20 + 20 connect-time, 20 bound first, EADDRINUSE toward both ports, seen by the kernel', (t) => {
  const s = summary({kernel: {...summary({}).kernel, established: {client: 60, server: 60}, errors: {EADDRINUSE: 2}}});
  const steps = {connectTime: {first: twenty(12000), second: twenty(12001)}, bindFirst: {first: [...twenty(12000), rec(12000, 0, 'EADDRINUSE')], second: [rec(12001, 0, 'EADDRINUSE')]}, rangeSize: 20};
  const claims = bindFirstClaims(s, steps);
  t.deepEqual(claims.map((c) => c.held), [true, true, true]);
  t.is(claims[1]!.evidence.limit, BIND_LIMIT);
});

test('bind-first does not hold when the second server port still got a bound connection', (t) => {
  const s = summary({kernel: {...summary({}).kernel, established: {client: 61, server: 61}, errors: {EADDRINUSE: 1}}});
  const steps = {connectTime: {first: twenty(12000), second: twenty(12001)}, bindFirst: {first: [...twenty(12000), rec(12000, 0, 'EADDRINUSE')], second: [rec(12001, 60001)]}, rangeSize: 20};
  t.deepEqual(bindFirstClaims(s, steps).map((c) => c.held), [true, false, false]);
});

test('SYN schedule: doubling RTOs, or 1 s steps for tcp_syn_linear_timeouts first; retransmissions read off a latency', (t) => {
  t.deepEqual(synTimesS(0, 5), [0, 1, 3, 7, 15]);
  t.deepEqual(synTimesS(4, 8), [0, 1, 2, 3, 4, 5, 7, 11]);
  t.is(retransmissionsOf(3.05e9, 0), 2);
  t.is(retransmissionsOf(3.05e9, 4), 3);
  t.is(retransmissionsOf(1.02e9, 4), 1);
  t.is(retransmissionsOf(0.001e9, 4), 0);
  t.is(retransmissionsOf(2.5e9, 0), null);
});

const overflowSteps = (waitedNs: number[], counters: number) => ({
  backlog: 16, linearTimeouts: 4,
  queued: Array.from({length: 17}, (_, i) => rec(12000, 40000 + i)),
  waited: waitedNs.map((ns, i) => rec(12000, 41000 + i, null, ns)),
  whileStopped: {clientEstablished: 17, serverEstablished: 17, accepts: 0},
  counters: {'TcpExt.ListenOverflows': counters, 'TcpExt.ListenDrops': counters, 'TcpExt.TCPSynRetrans': counters},
});
// the kernel's handshakes: 17 of tens of µs, one of 1 s, one of 3 s (from the millisecond histogram: open-ended)
const handshakeNs = [{min: 32768, max: 65535, count: 17}, {min: 536870912, max: 1073741823, count: 1}, {min: 2147483648, max: 4294967295, count: 1}];
const overflowSummary = summary({connections: {established: 19, accepted: 19, failed: {}}, kernel: {...summary({}).kernel, established: {client: 19, server: 19}, syscalls: {socket: 19, connect: 19, accept: 19}, histograms: {handshakeNs}}});

test('accept-overflow holds: 17 queued, 1 + 3 dropped SYNs counted, connects completed on retransmissions', (t) => {
  t.deepEqual(acceptOverflowClaims(overflowSummary, overflowSteps([1.02e9, 3.04e9], 4)).map((c) => c.held), [true, true, true, true]);
});

test('accept-overflow does not hold when the counters disagree or a waiting connect completed between SYNs', (t) => {
  t.deepEqual(acceptOverflowClaims(overflowSummary, overflowSteps([1.02e9, 3.04e9], 3)).map((c) => c.held), [true, false, false, true]);
  t.deepEqual(acceptOverflowClaims(overflowSummary, overflowSteps([1.02e9, 2.5e9], 4)).map((c) => c.held), [true, false, false, true]);
  const accepting = {...overflowSteps([1.02e9, 3.04e9], 4), whileStopped: {clientEstablished: 17, serverEstablished: 17, accepts: 3}};
  t.false(acceptOverflowClaims(overflowSummary, accepting)[0]!.held);
});

test('accept-overflow: the kernel must have timed both waiting handshakes at over a quarter second', (t) => {
  const quick = summary({...overflowSummary, kernel: {...overflowSummary.kernel, histograms: {handshakeNs: [{min: 32768, max: 65535, count: 18}, {min: 2147483648, max: 4294967295, count: 1}]}}});
  const claims = acceptOverflowClaims(quick, overflowSteps([1.02e9, 3.04e9], 4));
  t.false(claims[2]!.held);
  t.is(claims[2]!.evidence.kernelSlowHandshakes, 1);
});

const ramped = (over: Record<string, any>) => {
  const base = summary({});
  return summary({
    connections: {requested: 300, established: 300, failed: {}, accepted: 300},
    ports: {...base.ports, perDestination: {'12000': 150, '12001': 150}},
    slab: {bytesPerConnection: {tracepoint: 8000, slabinfo: null}, byCache: {TCPv6: 4992, sock_inode_cache: 1664}, source: 'tracepoint'},
    ...over,
    kernel: {...base.kernel, established: {client: 300, server: 300}, ...over.kernel},
  });
};

test('ipv6 holds with TCPv6 objects and IPv6 segments only; an IPv4 TCP object or segment does not', (t) => {
  const v6 = {receive: {tcpSegments: 900, packets: 900, byIpVersion: {v4: 0, v6: 900}}};
  t.deepEqual(ipv6Claims(ramped({kernel: v6})).map((c) => c.held), [true, true, true, true, true]);
  const tcp4 = ramped({kernel: v6, slab: {bytesPerConnection: {tracepoint: 8000, slabinfo: null}, byCache: {TCP: 4736, TCPv6: 4992}, source: 'tracepoint'}});
  t.false(ipv6Claims(tcp4)[3]!.held);
  t.false(ipv6Claims(ramped({kernel: {receive: {tcpSegments: 900, packets: 900, byIpVersion: {v4: 3, v6: 897}}}}))[4]!.held);
  // the tracepoint variant: the function counts are null, each with the plan's why beside it
  const why = 'receiveLookup ran its tracepoint variant, which hooks no kernel function (kprobe: no kprobes)';
  const tp = ipv6Claims(ramped({kernel: v6, notMeasured: {'kernel.functions.tcpV6Rcv': why, 'kernel.functions.tcpV4Rcv': why}}))[4]!;
  t.like(tp.evidence, {tcpV6Rcv: null, tcpV6RcvWhy: why, tcpV4Rcv: null, tcpV4RcvWhy: why});
});

test('one-port holds: 180 to one port from 4 addresses of at most 50 ports each, 180 4-tuples, two processes accepting', (t) => {
  const addresses = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
  const over = (byAddress: Record<string, number>, tuples: number) =>
    summary({
      connections: {established: 180, accepted: 180, failed: {}},
      kernel: {...summary({}).kernel, established: {client: 180, server: 180}, syscalls: {socket: 180, connect: 180, accept: 180}},
      ports: {server: [12000], range: {low: 60000, high: 60049, size: 50}, perDestination: {'12000': 50}, fourTupleCount: tuples, localPortsByAddress: byAddress},
    });
  const even = Object.fromEntries(addresses.map((a) => [a, 45]));
  const bins = [{min: 2048, max: 4095, count: 18}];
  const tenths = Array.from({length: 10}, (_, i) => ({tenth: i + 1, established: 18 * (i + 1), attempted: 18, rampMs: 100, kernel: {bindOk: 18, bindErrors: {}, bindNs: bins}}));
  t.deepEqual(onePortClaims(over(even, 180), {clientAddresses: addresses, acceptedByServer: [100, 80], tenths}).map((c) => c.held), [true, true, true, true, true]);
  // one tenth's bind() count short of its connects (a print lost), or a failed bind, or no kernel count: not held
  const short = tenths.map((x) => (x.tenth === 4 ? {...x, kernel: {...x.kernel, bindOk: 17}} : x));
  const failed = tenths.map((x) => (x.tenth === 10 ? {...x, kernel: {...x.kernel, bindErrors: {'98': 1}}} : x));
  const missing = tenths.map((x) => (x.tenth === 1 ? {...x, kernel: null, kernelMissing: 'no port allocation program in this run'} : x));
  t.false(onePortClaims(over(even, 180), {clientAddresses: addresses, acceptedByServer: [100, 80], tenths: short})[4]!.held);
  t.false(onePortClaims(over(even, 180), {clientAddresses: addresses, acceptedByServer: [100, 80], tenths: failed})[4]!.held);
  const none = onePortClaims(over(even, 180), {clientAddresses: addresses, acceptedByServer: [100, 80], tenths: missing})[4]!;
  t.false(none.held);
  t.is(none.evidence.incomplete, 'no port allocation program in this run');
  t.false(onePortClaims(over(even, 180), {clientAddresses: addresses, acceptedByServer: [100, 80], tenths: []})[4]!.held);
  const claims = onePortClaims(over({...even, '127.0.0.2': 51}, 179), {clientAddresses: addresses, acceptedByServer: [180], tenths});
  t.deepEqual(claims.map((c) => c.held), [true, false, false, false, true]);
});
