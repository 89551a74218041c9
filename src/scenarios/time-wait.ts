// time-wait (churn): the client opens, sends a byte and closes first, again and again, to one server ip:port. The
// active closer keeps each 4-tuple in TIME_WAIT for 60 s (TCP_TIMEWAIT_LEN), so a range of N ports gives N such
// connections a minute toward one destination: then connect() fails with EADDRNOTAVAIL while no connection is
// open. With tcp_tw_reuse 2 (loopback only, the kernel's default) a TIME_WAIT socket whose last timestamp is over
// 1 s old is taken over by the next connect (TcpExt.TWRecycled).
import {setTimeout as sleep} from 'node:timers/promises';
import {readAll} from '../measurements/index.js';
import type {Summary} from '../correlate/summary.js';
import type {ConnRecord} from '../load/protocol.js';
import type {TcpSockstat} from '../system/netns-parse.js';
import {TIME_WAIT_LIMIT} from '../correlate/errno.js';
import {TIME_WAIT_REUSES} from './defaults.js';
import type {Claim, Scenario} from './types.js';

// The limit an EADDRNOTAVAIL of this churn names.
export {TIME_WAIT_LIMIT};
// The pause before the connects that reuse TIME_WAIT sockets: over the 1 s tcp_twsk_unique() asks since the
// socket's last timestamp (whole seconds before 6.14, tcp_tw_reuse_delay ms since).
export const REUSE_PAUSE_MS = 2000;

// The namespace's counters the claims read (growth over each phase).
const COUNTERS = ['TcpExt.TWRecycled', 'TcpExt.TCPTimeWaitOverflow', 'TcpExt.TW'] as const;

// One phase: its tcp_tw_reuse, attempts, and the namespace and kernel when it ended.
export type TimeWaitPhase = {
  tcpTwReuse: number;
  attempts: ConnRecord[];
  // sockstat's TCP line of the namespace when the phase ended (null: unreadable)
  sockstat: TcpSockstat | null;
  // the kernel's TIME_WAIT reading when the phase ended (a print of every probe after its last connection)
  entered: number;
  reused: number | null;
  counters: Record<string, number | null>;
};

// What the steps measured: each phase, and the range, listeners and TIME_WAIT sockets before the first.
export type TimeWaitSteps = {rangeSize: number; listeners: number; twAtStart: number | null; exhaust: TimeWaitPhase; reuse: TimeWaitPhase};

const ok = (rs: ConnRecord[]) => rs.filter((r) => r.errno === null);
const failed = (rs: ConnRecord[]) => rs.filter((r) => r.errno !== null);

// Judge the claims (pure).
export function timeWaitClaims(s: Summary, steps: TimeWaitSteps): Claim[] {
  const {exhaust: a, reuse: b} = steps;
  const free = steps.rangeSize - (steps.twAtStart ?? 0);
  const okA = ok(a.attempts).length;
  const failA = failed(a.attempts);
  const openA = a.sockstat ? a.sockstat.inuse - steps.listeners : null;
  const okB = ok(b.attempts).length;
  const recycled = b.counters['TcpExt.TWRecycled'];
  const limit = failA.length === 1 && failA[0]!.errno === 'EADDRNOTAVAIL' ? TIME_WAIT_LIMIT : null;
  return [
    {
      claim: `tcp_tw_reuse 0, a range of ${steps.rangeSize} ports: ${free} connections open, send a byte and close first, then connect() fails with EADDRNOTAVAIL while none is open`,
      held: a.tcpTwReuse === 0 && okA === free && free > 0 && failA.length === 1 && failA[0]!.errno === 'EADDRNOTAVAIL' && a.attempts.at(-1)!.errno === 'EADDRNOTAVAIL' && openA === 0,
      evidence: {range: s.ports.range, established: okA, failed: failA.map((r) => r.errno), openConnections: openA, twAtStart: steps.twAtStart, limit},
    },
    {
      claim: `the ports are held by TIME_WAIT: the namespace's sockstat tw is ${free}, and the kernel saw ${free} sockets handed to TIME_WAIT`,
      held: a.sockstat?.tw === okA + (steps.twAtStart ?? 0) && a.entered === okA && a.counters['TcpExt.TCPTimeWaitOverflow'] === 0,
      evidence: {sockstatTw: a.sockstat?.tw ?? null, kernelEntered: a.entered, timeWaitOverflow: a.counters['TcpExt.TCPTimeWaitOverflow'], limit},
    },
    {
      claim: `tcp_tw_reuse 2 (loopback), after ${REUSE_PAUSE_MS / 1000} s: the next ${b.attempts.length} connects reuse TIME_WAIT ports and succeed (TcpExt.TWRecycled rises by as many)`,
      held: b.tcpTwReuse === 2 && b.attempts.length > 0 && okB === b.attempts.length && recycled === okB && (b.reused === null || b.reused === okB) &&
        b.sockstat?.tw === a.sockstat?.tw && b.entered === a.entered + okB,
      evidence: {established: okB, failed: failed(b.attempts).map((r) => r.errno), twRecycled: recycled, kernelReused: b.reused, kernelReusedWhy: b.reused === null ? 'no function probe served timeWait: TcpExt.TWRecycled is the count' : null,
        sockstatTw: b.sockstat?.tw ?? null, kernelEntered: b.entered - a.entered},
    },
  ];
}

// The time-wait scenario: sequential churn from worker 0 to the first server port.
export const timeWait: Scenario = {
  drive: async (ctx) => {
    ctx.setPhase('ramping');
    const gen = ctx.generator;
    const target = {host: ctx.host, port: ctx.ports[0]!};
    const n = ctx.connections; // the lab range's size (run-options)
    const counters = async () => (await ctx.netnsCounters?.()) ?? null;
    const phase = async (tcpTwReuse: number, count: number): Promise<TimeWaitPhase> => {
      await ctx.setSysctl?.('net.ipv4.tcp_tw_reuse', String(tcpTwReuse));
      const before = await counters();
      const from = gen.records.length;
      await gen.rampOn(0, {targets: [target], count, offset: 0, concurrency: 1, ratePerSec: 1000, churn: true});
      const k = readAll(await ctx.kernelAfterTicks(1), ctx.measuredBy);
      const after = await counters();
      return {
        tcpTwReuse: Number(await ctx.sysctl?.('net.ipv4.tcp_tw_reuse')),
        attempts: gen.records.slice(from),
        sockstat: (await ctx.sockstat?.()) ?? null,
        entered: k.timeWait.entered,
        reused: k.timeWait.reused,
        counters: Object.fromEntries(COUNTERS.map((c) => [c, before && after && c in before && c in after ? after[c]! - before[c]! : null])),
      };
    };
    const twAtStart = (await ctx.sockstat?.())?.tw ?? null;
    const exhaust = await phase(0, n + 1);
    ctx.note(`tcp_tw_reuse 0: ${ok(exhaust.attempts).length} connections, then ${failed(exhaust.attempts).map((r) => r.errno).join(', ') || 'no failure'}; ${exhaust.sockstat?.tw ?? '?'} sockets in TIME_WAIT`);
    await sleep(REUSE_PAUSE_MS);
    const reuse = await phase(2, TIME_WAIT_REUSES);
    ctx.note(`tcp_tw_reuse 2 after ${REUSE_PAUSE_MS} ms: ${ok(reuse.attempts).length} of ${TIME_WAIT_REUSES} connections, TWRecycled +${reuse.counters['TcpExt.TWRecycled'] ?? '?'}`);
    return {rangeSize: n, listeners: ctx.ports.length, twAtStart, exhaust, reuse} satisfies TimeWaitSteps;
  },
  claims: (s, steps) => timeWaitClaims(s, steps as TimeWaitSteps),
};
