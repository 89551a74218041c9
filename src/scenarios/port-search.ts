// port-search: connect() searches a destination's ephemeral ports, and the search gets longer as they fill. One
// destination, a lab range of N ports (1000 by default), connects one by one until the range is full and one more,
// read by tenths of the range: which parity the ports had, what connect() cost, how many ports it tried.
// Kernel facts (net/ipv4/inet_hashtables.c, __inet_hash_connect(), Linux 4.6+ "tcp/dccp: better use of ephemeral
// ports in connect()"): the search starts at an offset of the low end's parity and steps by 2, so the first N/2
// ports given have the low end's parity; only once those are all in use does it scan the other parity. A port already
// bound by another connect() is tried with __inet_check_established() (is the 4-tuple free?); a free one is taken
// without it. So each connect of the second half tries the N/2 full ports of the first parity first, and the connect
// that fails (EADDRNOTAVAIL) tries all N (Linux 6.15+ may try each twice: a lockless lookup first).
import {bucketQuantile, bucketsSince, type Bucket} from '../bpftrace/parse.js';
import type {Summary} from '../correlate/summary.js';
import type {ConnRecord} from '../load/protocol.js';
import {readAll, type Readings} from '../measurements/index.js';
import type {Claim, Scenario} from './types.js';

// One tenth of the range (or the one connect past it): the generator's attempts and the kernel's counts made
// during it (the kernel's totals after it minus those before it).
export type FillStep = {
  // 1..10: the tenth of the range being filled; 11: the connect past the full range
  decile: number;
  // connections held toward the destination before and after the step
  fillFrom: number;
  fillTo: number;
  attempts: ConnRecord[];
  kernel: {
    // connect() calls that did not fail, and failures by errno number
    connectOk: number;
    connectErrors: Record<string, number>;
    // connect() latency (syscall entry to return), ns
    connectNs: Bucket[];
    // ports given, by parity ("0" even, "1" odd)
    parity: Record<string, number>;
    // ports tried (__inet_check_established() calls) per connect, and their exact total: null on the tracepoint variant
    attempts: Bucket[] | null;
    attemptsSum: number | null;
  } | null;
  // why the kernel's counts of this step are missing (no port allocation program; its totals lagged the generator)
  kernelMissing?: string;
};

// What the scenario measured.
export type PortSearchSteps = {rangeLow: number; rangeSize: number; steps: FillStep[]};

// One row of the per-tenth table the claims and the report show.
export type FillRow = {
  decile: number;
  fill: string;
  connects: number;
  // the generator's median connect() time (to established), ns
  generatorP50Ns: number | null;
  // the kernel's median connect() syscall time: a log2 bucket's upper bound, ns
  kernelP50Ns: number | null;
  // ports of the low end's parity / the other parity given in this tenth (the kernel's count)
  lowParity: number | null;
  otherParity: number | null;
  // fewest and most ports tried by one connect (bucket bounds), and the exact total: null without function probes
  attemptsMin: number | null;
  attemptsMax: number | null;
  attemptsSum: number | null;
};

const ok = (rs: ConnRecord[]) => rs.filter((r) => r.errno === null);
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]! : null);

// The per-tenth table (pure).
export function fillRows(steps: PortSearchSteps): FillRow[] {
  const low = steps.rangeLow & 1;
  return steps.steps.map((s) => {
    const k = s.kernel;
    const tried = k?.attempts?.filter((b) => b.count > 0) ?? [];
    return {
      decile: s.decile,
      fill: s.decile <= 10 ? `${10 * (s.decile - 1)}-${10 * s.decile}%` : 'full + 1',
      connects: s.attempts.length,
      generatorP50Ns: median(ok(s.attempts).map((r) => r.connectNs)),
      kernelP50Ns: k ? bucketQuantile(k.connectNs, 0.5) : null,
      lowParity: k ? (k.parity[String(low)] ?? 0) : null,
      otherParity: k ? (k.parity[String(1 - low)] ?? 0) : null,
      attemptsMin: k?.attempts ? (tried[0]?.min ?? null) : null,
      attemptsMax: k?.attempts ? (tried.length ? (Number.isFinite(tried.at(-1)!.max) ? tried.at(-1)!.max : tried.at(-1)!.min) : null) : null,
      attemptsSum: k?.attemptsSum ?? null,
    };
  });
}

// Judge the claims (pure).
export function portSearchClaims(s: Summary, steps: PortSearchSteps): Claim[] {
  const n = steps.rangeSize;
  const half = n / 2;
  const lowParity = steps.rangeLow & 1;
  const parityName = (p: number) => (p === 0 ? 'even' : 'odd');
  const fills = steps.steps.filter((x) => x.decile <= 10);
  const all = fills.flatMap((x) => x.attempts);
  const made = ok(all);
  const firstHalf = made.slice(0, half);
  const secondHalf = made.slice(half);
  const past = steps.steps.find((x) => x.decile === 11);
  const rows = fillRows(steps);
  const kernelSteps = steps.steps.filter((x) => x.kernel);
  const kernelComplete = kernelSteps.length === steps.steps.length;
  const sumKernel = (from: number, to: number, p: number) => fills.filter((x) => x.decile > from && x.decile <= to).reduce((a, x) => a + (x.kernel?.parity[String(p)] ?? 0), 0);
  const first = rows.find((r) => r.decile === 1);
  const last = rows.find((r) => r.decile === 10);
  const claims: Claim[] = [
    {
      claim: `the first ${half} connects to one destination get ports of the range's low end parity (${parityName(lowParity)}), the next ${half} the other parity (${parityName(1 - lowParity)})`,
      held: made.length === n && firstHalf.every((r) => (r.lport & 1) === lowParity) && secondHalf.every((r) => (r.lport & 1) !== lowParity) &&
        kernelComplete && sumKernel(0, 5, lowParity) === half && sumKernel(0, 5, 1 - lowParity) === 0 && sumKernel(5, 10, 1 - lowParity) === half && sumKernel(5, 10, lowParity) === 0,
      evidence: {
        range: s.ports.range,
        generator: {
          firstHalf: {[parityName(lowParity)]: firstHalf.filter((r) => (r.lport & 1) === lowParity).length, [parityName(1 - lowParity)]: firstHalf.filter((r) => (r.lport & 1) !== lowParity).length},
          secondHalf: {[parityName(lowParity)]: secondHalf.filter((r) => (r.lport & 1) === lowParity).length, [parityName(1 - lowParity)]: secondHalf.filter((r) => (r.lport & 1) !== lowParity).length},
        },
        kernel: kernelComplete
          ? {
              firstHalf: {[parityName(lowParity)]: sumKernel(0, 5, lowParity), [parityName(1 - lowParity)]: sumKernel(0, 5, 1 - lowParity)},
              secondHalf: {[parityName(lowParity)]: sumKernel(5, 10, lowParity), [parityName(1 - lowParity)]: sumKernel(5, 10, 1 - lowParity)},
            }
          : null,
        incomplete: kernelComplete ? null : steps.steps.find((x) => !x.kernel)?.kernelMissing ?? null,
      },
    },
    {
      claim: `the range full (${n} ports toward one destination), one more connect() fails with EADDRNOTAVAIL`,
      held: made.length === n && past !== undefined && past.attempts.length === 1 && past.attempts[0]!.errno === 'EADDRNOTAVAIL' &&
        (s.kernel.errors.EADDRNOTAVAIL ?? 0) === 1 && s.kernel.established?.client === n,
      evidence: {established: made.length, past: past?.attempts.map((r) => r.errno ?? 'connected') ?? [], kernelErrors: s.kernel.errors, kernelEstablished: s.kernel.established},
    },
    {
      claim: 'connect() gets slower as the destination\'s ports fill: the kernel\'s median connect() of the last tenth is above the first tenth\'s',
      held: first?.kernelP50Ns != null && last?.kernelP50Ns != null && last.kernelP50Ns > first.kernelP50Ns,
      evidence: {byDecile: rows},
    },
  ];
  const measured = rows.every((r) => r.attemptsSum !== null) && kernelComplete;
  if (measured) {
    const second = rows.filter((r) => r.decile > 5 && r.decile <= 10);
    const failing = rows.find((r) => r.decile === 11);
    claims.push({
      claim: `with function probes: every connect of the second half tries at least ${half} ports (__inet_check_established()), the one that fails at least ${n}`,
      held: second.length === 5 && second.every((r) => r.attemptsMin !== null && r.attemptsMin >= half) && failing?.attemptsSum != null && failing.attemptsSum >= n,
      evidence: {secondHalfFewest: Math.min(...second.map((r) => r.attemptsMin ?? 0)), failing: failing?.attemptsSum ?? null, byDecile: rows.map((r) => ({fill: r.fill, min: r.attemptsMin, max: r.attemptsMax, sum: r.attemptsSum}))},
    });
  }
  return claims;
}

// The kernel's counts of one step (pure): the port allocation reading after it minus the one before it.
export function kernelStep(now: Readings['portAllocation'], before: Readings['portAllocation']): NonNullable<FillStep['kernel']> {
  const minus = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]).filter(([, v]) => v !== 0));
  return {
    connectOk: now.connectOk - before.connectOk,
    connectErrors: minus(now.connectErrors, before.connectErrors),
    connectNs: bucketsSince(now.connectNs, before.connectNs),
    parity: minus(now.parity, before.parity),
    attempts: now.attempts && before.attempts ? bucketsSince(now.attempts, before.attempts) : null,
    // a sum not printed yet (no inet_hash_connect() since the program started) is 0, not unknown
    attemptsSum: now.attemptsSum !== null ? now.attemptsSum - (before.attemptsSum ?? 0) : null,
  };
}

// The port-search scenario: sequential connects from worker 0 to the first server port, read after every tenth.
export const portSearch: Scenario = {
  drive: async (ctx) => {
    ctx.setPhase('ramping');
    const gen = ctx.generator;
    const n = ctx.connections; // the lab range's size (run-options)
    const rangeLow = ctx.portRange?.low ?? 0;
    const target = {host: ctx.host, port: ctx.ports[0]!};
    const measured = (ctx.measuredBy?.portAllocation ?? null) !== null;
    const reading = async (calls: number): Promise<Readings['portAllocation'] | null> => {
      if (!measured) return null;
      // the totals of a print begun after the last connect returned: its count equals every call so far
      for (let tick = 0; tick < 3; tick++) {
        const r = readAll(await ctx.kernelAfterTicks(1), ctx.measuredBy).portAllocation;
        const seen = r.connectOk + Object.values(r.connectErrors).reduce((a, b) => a + b, 0);
        if (seen >= calls) return r;
      }
      return null;
    };
    let before = await reading(0);
    const steps: FillStep[] = [];
    for (let decile = 1; decile <= 11; decile++) {
      const fillFrom = decile === 1 ? 0 : Math.round((n * (decile - 1)) / 10);
      const count = decile <= 10 ? Math.round((n * decile) / 10) - fillFrom : 1;
      const from = gen.records.length;
      await gen.rampOn(0, {targets: [target], count, offset: 0, concurrency: 1, ratePerSec: 1000});
      const attempts = gen.records.slice(from);
      const now = await reading(gen.records.length);
      const kernel = now && before ? kernelStep(now, before) : null;
      const kernelMissing = !measured ? 'no port allocation program in this run' : kernel ? undefined : 'the kernel\'s totals did not reach the generator\'s calls within 3 prints';
      steps.push({decile, fillFrom, fillTo: fillFrom + ok(attempts).length, attempts, kernel, ...(kernelMissing ? {kernelMissing} : {})});
      before = now;
      const row = fillRows({rangeLow, rangeSize: n, steps}).at(-1)!;
      const us = (ns: number | null) => (ns === null ? '?' : `${(ns / 1000).toFixed(0)} µs`);
      ctx.note(`port search ${row.fill}: ${ok(attempts).length} of ${attempts.length} connected${attempts.some((r) => r.errno) ? ` (${attempts.filter((r) => r.errno).map((r) => r.errno).join(', ')})` : ''}, ` +
        `connect() p50 ${us(row.kernelP50Ns)} (kernel), ${us(row.generatorP50Ns)} (generator)` +
        (row.attemptsSum !== null ? `, ports tried ${row.attemptsMin}-${row.attemptsMax}` : ''));
      if (decile <= 10 && ok(attempts).length < count) break;
    }
    return {rangeLow, rangeSize: n, steps} satisfies PortSearchSteps;
  },
  claims: (s, steps) => portSearchClaims(s, steps as PortSearchSteps),
};
