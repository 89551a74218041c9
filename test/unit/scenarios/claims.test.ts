import test from 'ava';
import {portExhaustionClaims} from '../../../src/scenarios/port-exhaustion.js';
import {fourTupleClaims, LOCAL_PORT} from '../../../src/scenarios/four-tuple.js';
import {fdLimitClaims} from '../../../src/scenarios/fd-limit.js';
import {helloClaims} from '../../../src/scenarios/hello.js';
import {millionClaims} from '../../../src/scenarios/million.js';
import type {ConnRecord} from '../../../src/load/protocol.js';
import type {Summary} from '../../../src/correlate/summary.js';

const rec = (rport: number, lport: number, errno: string | null = null, reply?: string): ConnRecord => ({
  worker: 0, laddr: '127.0.0.1', lport, raddr: '127.0.0.1', rport, connectNs: 1, errno, atMs: 0, ...(reply ? {reply} : {}),
});

// The parts of a summary the claims read.
const summary = (over: Record<string, any>): Summary =>
  ({
    connections: {requested: 0, established: 0, failed: {}, accepted: 0, perSecond: 0},
    kernel: {established: {client: 0, server: 0}, syscalls: {socket: 0, connect: 0, accept: 0}, errors: {}, limitsHit: {}, receive: {tcpSegments: 0, packets: 0}},
    ports: {server: [12000, 12001], range: {low: 60000, high: 60009, size: 10}, perDestination: {}},
    slab: {bytesPerConnection: {tracepoint: null, slabinfo: null}, byCache: {}, source: 'tracepoint'},
    stoppedBy: null,
    ...over,
  }) as unknown as Summary;

const ten = (rport: number) => Array.from({length: 10}, (_, i) => rec(rport, 60000 + i));

test('port-exhaustion holds: 10, EADDRNOTAVAIL, 10 more on the same ports', (t) => {
  const s = summary({kernel: {established: {client: 20, server: 20}, errors: {EADDRNOTAVAIL: 1}}});
  const claims = portExhaustionClaims(s, {first: [...ten(12000), rec(12000, 0, 'EADDRNOTAVAIL')], second: ten(12001), rangeSize: 10});
  t.deepEqual(claims.map((c) => c.held), [true, true, true]);
});

test('port-exhaustion does not hold when the second port got other local ports', (t) => {
  const s = summary({kernel: {established: {client: 20, server: 20}, errors: {EADDRNOTAVAIL: 1}}});
  const second = ten(12001).map((r, i) => (i === 0 ? {...r, lport: 61000} : r));
  const claims = portExhaustionClaims(s, {first: [...ten(12000), rec(12000, 0, 'EADDRNOTAVAIL')], second, rangeSize: 10});
  t.deepEqual(claims.map((c) => c.held), [true, false, true]);
});

test('port-exhaustion does not hold when the 11th also succeeds', (t) => {
  const s = summary({kernel: {established: {client: 21, server: 21}, errors: {}}});
  const claims = portExhaustionClaims(s, {first: [...ten(12000), rec(12000, 61000)], second: ten(12001), rangeSize: 10});
  t.false(claims[0]!.held);
  t.false(claims[2]!.held);
});

test('four-tuple holds with one local port, crossed payloads right, the third EADDRNOTAVAIL', (t) => {
  const s = summary({kernel: {established: {client: 2, server: 2}, errors: {EADDRNOTAVAIL: 1}, receive: {tcpSegments: 14}}});
  const steps = {records: [rec(12000, LOCAL_PORT, null, '12000:A'), rec(12001, LOCAL_PORT, null, '12001:B'), rec(12000, 0, 'EADDRNOTAVAIL')], localPort: LOCAL_PORT, payloads: ['A', 'B', 'C']};
  t.deepEqual(fourTupleClaims(s, steps).map((c) => c.held), [true, true, true]);
});

test('four-tuple: a payload answered by the wrong server port does not hold', (t) => {
  const s = summary({kernel: {established: {client: 2, server: 2}, errors: {EADDRNOTAVAIL: 1}, receive: {tcpSegments: 14}}});
  const steps = {records: [rec(12000, LOCAL_PORT, null, '12001:A'), rec(12001, LOCAL_PORT, null, '12000:B'), rec(12000, 0, 'EADDRNOTAVAIL')], localPort: LOCAL_PORT, payloads: ['A', 'B', 'C']};
  t.false(fourTupleClaims(s, steps)[1]!.held);
});

test('fd-limit holds at exactly nofile minus the fds open at start, with EMFILE', (t) => {
  const records = [...Array.from({length: 236}, (_, i) => rec(12000, 40000 + i)), rec(12000, 0, 'EMFILE')];
  const s = summary({kernel: {errors: {EMFILE: 1}, limitsHit: {EMFILE: 'RLIMIT_NOFILE'}, syscalls: {socket: 236}}});
  const claims = fdLimitClaims(s, {records, nofile: 256, openFdsAtStart: 20, predicted: 236});
  t.deepEqual(claims.map((c) => c.held), [true, true]);
  t.false(fdLimitClaims(s, {records, nofile: 256, openFdsAtStart: 19, predicted: 237})[0]!.held);
});

test('hello holds when memory per connection grew', (t) => {
  const s = summary({connections: {established: 10}, kernel: {established: {client: 10, server: 10}}});
  const grew = helloClaims(s, {before: {tracepoint: 78_000, slabinfo: 80_000}, after: {tracepoint: 90_000, slabinfo: 99_000}, connections: 10});
  t.deepEqual(grew.map((c) => c.held), [true, true]);
  t.like(grew[1]!.evidence, {bytesPerConnectionBefore: 7800, bytesPerConnectionAfter: 9000});
  const same = helloClaims(s, {before: {tracepoint: 78_000, slabinfo: 80_000}, after: {tracepoint: 78_000, slabinfo: 80_000}, connections: 10});
  t.false(same[1]!.held);
});

test('million holds only past 65 535 with the kernel agreeing', (t) => {
  t.false(millionClaims(summary({connections: {requested: 3000, established: 3000}, kernel: {established: {client: 3000}}}))[0]!.held);
  t.true(millionClaims(summary({connections: {requested: 1e6, established: 70_000}, kernel: {established: {client: 70_000}}}))[0]!.held);
});
