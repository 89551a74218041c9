// accept-overflow: a server that stops calling accept(), with a listen() backlog of 16. backlog + 1 connections
// complete into its accept queue; the SYNs after that are dropped (TcpExt.ListenOverflows, ListenDrops) and the
// clients retransmit them until the server accepts again: 1 s, then 2 s more (3 s after the first), 4 s more ...,
// or, since Linux 6.7, every second for the first tcp_syn_linear_timeouts (4) and then doubling.
import {setTimeout as sleep} from 'node:timers/promises';
import {readAll} from '../measurements/index.js';
import type {Summary} from '../correlate/summary.js';
import type {ConnRecord} from '../load/protocol.js';
import type {Claim, Scenario} from './types.js';

// The two waiting connects start this far apart (the first one this long after the queue filled).
export const WAIT_SPACING_MS = 2000;
// The server accepts again this long after the last waiting connect began: half way between SYNs on either
// schedule, so that the last one completes ~1 s after it began and the one before it ~3 s (2.5 s after its start).
export const RESUME_AFTER_LAST_MS = 500;
// A bound on every connect (none takes near this long here).
const CONNECT_TIMEOUT_MS = 20_000;

// The counters of the lab namespace that say what happened to the SYNs.
const COUNTERS = ['TcpExt.ListenOverflows', 'TcpExt.ListenDrops', 'TcpExt.TCPSynRetrans'] as const;

type Steps = {
  backlog: number;
  // the namespace's tcp_syn_linear_timeouts (0 where the kernel has none)
  linearTimeouts: number;
  // the connects that found room in the queue, then those that waited
  queued: ConnRecord[];
  waited: ConnRecord[];
  // the kernel's counts while the server still did not accept (the queue full)
  whileStopped: {clientEstablished: number; serverEstablished: number; accepts: number} | null;
  // growth of COUNTERS over the steps (null: unreadable)
  counters: Record<string, number | null>;
};

// When a connect sends its SYNs, in s after it began: the initial RTO is 1 s; the first `linear` retransmissions
// keep it (tcp_syn_linear_timeouts, Linux 6.7+: 4; 0 before), then it doubles: 0, 1, 3, 7 ... or 0, 1, 2, 3, 4, 5, 7 ...
export function synTimesS(linear: number, count = 8): number[] {
  const out = [0];
  let rto = 1;
  for (let i = 1; i < count; i++) {
    out.push(out.at(-1)! + rto);
    if (i > linear) rto *= 2;
  }
  return out;
}

// SYN retransmissions before a connect completed, from its latency: n when it completed within 0.4 s after its
// n-th retransmission on that schedule (0: at once); null when near none.
export function retransmissionsOf(connectNs: number, linear: number): number | null {
  const s = connectNs / 1e9;
  const n = synTimesS(linear).findIndex((t) => Math.abs(s - t) <= 0.4);
  return n < 0 ? null : n;
}

// Judge the claims (pure).
export function acceptOverflowClaims(s: Summary, steps: Steps): Claim[] {
  const q = steps.backlog + 1;
  const waits = steps.waited.map((r) => (r.errno === null ? retransmissionsOf(r.connectNs, steps.linearTimeouts) : null));
  const retransmissions = waits.every((n) => n !== null) ? waits.reduce<number>((a, n) => a + n!, 0) : null;
  const c = steps.counters;
  const stopped = steps.whileStopped;
  const n = steps.queued.length + steps.waited.length;
  // handshakes the kernel timed at over a quarter second (SYN_SENT -> ESTABLISHED): the waiting connects'; the queued
  // ones take microseconds
  const slowHandshakes = (s.kernel.histograms.handshakeNs ?? []).filter((b) => b.min >= 2 ** 28).reduce((a, b) => a + b.count, 0);
  return [
    {
      claim: `backlog ${steps.backlog}: ${q} connections complete into the accept queue while the server does not accept`,
      held: steps.queued.length === q && steps.queued.every((r) => r.errno === null) && stopped?.clientEstablished === q && stopped.serverEstablished === q && stopped.accepts === 0,
      evidence: {backlog: steps.backlog, queued: steps.queued.filter((r) => r.errno === null).length, kernelWhileNotAccepting: stopped},
    },
    {
      claim: 'later SYNs are dropped: the namespace counts each in TcpExt.ListenOverflows and ListenDrops',
      held: retransmissions !== null && retransmissions > 0 && c['TcpExt.ListenOverflows'] === retransmissions && c['TcpExt.ListenDrops'] === retransmissions,
      evidence: {synsDropped: retransmissions, counters: c},
    },
    {
      claim: "the waiting clients' connect() took the SYN retransmission delays: each completed on a retransmitted SYN (1 s, then 3 s ...), its handshake timed so by the kernel",
      held: retransmissions !== null && steps.waited.length > 0 && waits.every((w) => w! > 0) && c['TcpExt.TCPSynRetrans'] === retransmissions && slowHandshakes === steps.waited.length,
      evidence: {
        connectMs: steps.waited.map((r) => Math.round(r.connectNs / 1e6)),
        retransmissionsEach: waits,
        synScheduleS: synTimesS(steps.linearTimeouts),
        tcpSynLinearTimeouts: steps.linearTimeouts,
        tcpSynRetrans: c['TcpExt.TCPSynRetrans'],
        // the kernel's handshakes (SYN_SENT -> ESTABLISHED) of over 0.27 s, and their histogram: the seconds are there
        kernelSlowHandshakes: slowHandshakes,
        kernelHandshakeNs: s.kernel.histograms.handshakeNs,
        // the connect() call itself: non-blocking, it returns at once (EINPROGRESS)
        connectSyscallLatency: s.kernel.latency.connect,
      },
    },
    {
      claim: 'once the server accepts again every connection is accepted, the kernel counting each on both ends',
      held: s.kernel.established?.client === n && s.kernel.established?.server === n && s.kernel.syscalls?.accept === n && s.connections.accepted === n,
      evidence: {connections: n, kernelEstablished: s.kernel.established, kernelAccepts: s.kernel.syscalls?.accept, accepted: s.connections.accepted},
    },
  ];
}

// The accept-overflow scenario: the server workers hand their listening sockets over without accepting.
export const acceptOverflow: Scenario = {
  drive: async (ctx) => {
    ctx.setPhase('ramping');
    const gen = ctx.generator;
    const backlog = ctx.backlog ?? 16;
    const target = {host: ctx.host, port: ctx.ports[0]!};
    const before = (await ctx.netnsCounters?.()) ?? null;
    const linearTimeouts = Number((await ctx.sysctl?.('net.ipv4.tcp_syn_linear_timeouts')) ?? 0) || 0;
    await gen.rampOn(0, {targets: [target], count: backlog + 1, offset: 0, concurrency: 1, ratePerSec: 1000});
    const queued = gen.records.slice();
    // the kernel's counts with the queue full (a print of every probe after the last handshake)
    const r = readAll(await ctx.kernelAfterTicks(1));
    const whileStopped = {
      clientEstablished: r.connections.client,
      serverEstablished: r.connections.server,
      accepts: r.socketCreation.calls.accept ?? 0,
    };
    // the waiting connects, WAIT_SPACING_MS apart (the rate's token bucket), and the server accepting again after the last
    const waiting = ctx.connections - backlog - 1;
    const ramp = gen.rampOn(0, {targets: [target], count: waiting, offset: 0, concurrency: waiting, ratePerSec: 1000 / WAIT_SPACING_MS, connectTimeoutMs: CONNECT_TIMEOUT_MS});
    await sleep(waiting * WAIT_SPACING_MS + RESUME_AFTER_LAST_MS);
    await gen.resumeAccept();
    ctx.note(`the server accepts again, ${waiting * WAIT_SPACING_MS + RESUME_AFTER_LAST_MS} ms after the waiting connects began`);
    await ramp;
    await gen.waitAccepted(ctx.connections, 5000);
    const after = (await ctx.netnsCounters?.()) ?? null;
    const counters = Object.fromEntries(COUNTERS.map((name) => [name, before && after && name in before && name in after ? after[name]! - before[name]! : null]));
    return {backlog, linearTimeouts, queued, waited: gen.records.slice(queued.length), whileStopped, counters} satisfies Steps;
  },
  claims: (s, steps) => acceptOverflowClaims(s, steps as Steps),
};
