// The time-wait scenario's claims, judged on made-up phases (pure).
import test from 'ava';
import {TIME_WAIT_LIMIT, timeWaitClaims, type TimeWaitPhase, type TimeWaitSteps} from '../../../src/scenarios/time-wait.js';
import type {ConnRecord} from '../../../src/load/protocol.js';
import type {Summary} from '../../../src/correlate/summary.js';

const rec = (lport: number, errno: string | null = null): ConnRecord => ({worker: 0, laddr: '127.0.0.1', lport, raddr: '127.0.0.1', rport: 12000, connectNs: 1, errno, atMs: 0});
const s = {ports: {range: {low: 60000, high: 60049, size: 50}}} as unknown as Summary;
const sockstat = (inuse: number, tw: number) => ({inuse, orphan: 0, tw, alloc: inuse, memPages: 0});
const counters = (recycled: number) => ({'TcpExt.TWRecycled': recycled, 'TcpExt.TCPTimeWaitOverflow': 0, 'TcpExt.TW': 0});

const exhaust: TimeWaitPhase = {
  tcpTwReuse: 0, attempts: [...Array.from({length: 50}, (_, i) => rec(60000 + i)), rec(0, 'EADDRNOTAVAIL')],
  sockstat: sockstat(1, 50), entered: 50, reused: null, counters: counters(0),
};
const reuse: TimeWaitPhase = {tcpTwReuse: 2, attempts: Array.from({length: 10}, (_, i) => rec(60000 + i)), sockstat: sockstat(1, 50), entered: 60, reused: null, counters: counters(10)};
const steps = (over: Partial<TimeWaitSteps> = {}): TimeWaitSteps => ({rangeSize: 50, listeners: 1, twAtStart: 0, exhaust, reuse, ...over});

test('time-wait holds: 50 then EADDRNOTAVAIL with none open, 50 in TIME_WAIT (sockstat, kernel), 10 reused (TWRecycled)', (t) => {
  const claims = timeWaitClaims(s, steps());
  t.deepEqual(claims.map((c) => c.held), [true, true, true]);
  t.is(claims[0]!.evidence.limit, TIME_WAIT_LIMIT);
  t.is(claims[0]!.evidence.openConnections, 0);
  t.is(claims[2]!.evidence.kernelReused, null);
});

test('time-wait with a function probe: its reuse count must equal TWRecycled', (t) => {
  t.true(timeWaitClaims(s, steps({reuse: {...reuse, reused: 10}}))[2]!.held);
  t.false(timeWaitClaims(s, steps({reuse: {...reuse, reused: 9}}))[2]!.held);
});

test('time-wait does not hold when a connection is still open, or TIME_WAIT sockets were not reused', (t) => {
  t.deepEqual(timeWaitClaims(s, steps({exhaust: {...exhaust, sockstat: sockstat(2, 50)}})).map((c) => c.held), [false, true, true]);
  t.deepEqual(timeWaitClaims(s, steps({reuse: {...reuse, attempts: [rec(0, 'EADDRNOTAVAIL')], counters: counters(0), entered: 50}})).map((c) => c.held), [true, true, false]);
  // sockets in TIME_WAIT before the run (a warm-up's) take their ports: fewer connections, the same claims
  const warm = steps({twAtStart: 2, exhaust: {...exhaust, attempts: [...exhaust.attempts.slice(0, 48), rec(0, 'EADDRNOTAVAIL')], entered: 48}, reuse: {...reuse, entered: 58}});
  t.deepEqual(timeWaitClaims(s, warm).map((c) => c.held), [true, true, true]);
});
