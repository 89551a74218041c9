// The ramp read by tenths: how fast each tenth of the connections was made and what bind() cost the kernel then.
// Connections bound first to a client address (bind(ip, 0), node:net's localAddress) get their port from
// inet_csk_get_port() -> inet_csk_find_open_port() (net/ipv4/inet_connection_sock.c, Linux 4.6+): with SO_REUSEADDR
// set (libuv sets it) it searches the lower half of the range first, from a random offset, ports of the parity
// opposite to connect()'s first, and tries each port already bound at that address in turn until one is free. Once an
// address holds those (a quarter of the range), every bind() walks them all, and the establish rate falls (measured
// here, one-port at 100 000 over 4 addresses and a range of 28 232: 9 400/s to 27 % of the range, 1 100/s past it,
// 300/s at 89 %; bind() p50 4 us to 34 ms).
import {bucketQuantile, bucketsSince, type Bucket} from '../bpftrace/parse.js';
import {readAll, type Readings} from '../measurements/index.js';
import type {ScenarioContext} from './types.js';

// One tenth of the ramp: the connections established by its end, the time the ramp spent in it, and the kernel's
// bind() counts made during it (the totals after it minus those before it).
export type RampTenth = {
  // 1..10
  tenth: number;
  // connections established (generator) by the end of this tenth, all tenths so far
  established: number;
  // connects tried in this tenth, and the ramp's time for them (the slab probe's freeze left out), ms
  attempted: number;
  rampMs: number;
  // bind() calls that succeeded / failed by errno number, and their latency, ns; null without the port allocation program
  kernel: {bindOk: number; bindErrors: Record<string, number>; bindNs: Bucket[]} | null;
  // why the kernel's counts of this tenth are missing
  kernelMissing?: string;
};

// One row of the rate table the claims, the notes and the report show.
export type RateRow = {
  tenth: number;
  established: number;
  // connections established per client address by the end of this tenth, and that as a share of the range (0..1,
  // rounded to 0.001; null where no lab range was set)
  perAddress: number;
  rangeShare: number | null;
  // the establish rate in this tenth, connections per second
  perSecond: number | null;
  // the kernel's bind() calls in this tenth and their median and 99th percentile (log2 bucket upper bounds), ns
  binds: number | null;
  bindP50Ns: number | null;
  bindP99Ns: number | null;
};

// Where the establish rate fell: the first tenth whose rate is under a quarter of the first tenth's.
export type RateCollapse = {
  tenth: number;
  fromPerSecond: number;
  toPerSecond: number;
  // connections established when the slow tenth began, per client address, and that share of the range (0..1)
  atConnections: number;
  perAddress: number;
  rangeShare: number | null;
  bindP50NsBefore: number | null;
  bindP50NsThen: number | null;
};

// The rate table (pure). addresses: how many client addresses the connections are bound to (1: the kernel chooses).
export function rateRows(tenths: RampTenth[], addresses: number, rangeSize: number): RateRow[] {
  return tenths.map((t, i) => {
    const made = t.established - (i > 0 ? tenths[i - 1]!.established : 0);
    const perAddress = Math.ceil(t.established / Math.max(1, addresses));
    const binds = t.kernel ? t.kernel.bindOk + Object.values(t.kernel.bindErrors).reduce((a, b) => a + b, 0) : null;
    return {
      tenth: t.tenth,
      established: t.established,
      perAddress,
      rangeShare: rangeSize > 0 ? Math.round((perAddress / rangeSize) * 1000) / 1000 : null,
      perSecond: t.rampMs > 0 ? Math.round((made * 1000) / t.rampMs) : null,
      binds,
      bindP50Ns: t.kernel ? bucketQuantile(t.kernel.bindNs, 0.5) : null,
      bindP99Ns: t.kernel ? bucketQuantile(t.kernel.bindNs, 0.99) : null,
    };
  });
}

// The first tenth (after the first) whose establish rate is under a quarter of the first tenth's, or null (pure).
export function rateCollapse(rows: RateRow[]): RateCollapse | null {
  const first = rows[0];
  if (!first?.perSecond) return null;
  const i = rows.findIndex((r, j) => j > 0 && r.perSecond !== null && r.perSecond * 4 < first.perSecond!);
  if (i < 0) return null;
  const prev = rows[i - 1]!;
  return {
    tenth: rows[i]!.tenth,
    fromPerSecond: first.perSecond,
    toPerSecond: rows[i]!.perSecond!,
    atConnections: prev.established,
    perAddress: prev.perAddress,
    rangeShare: prev.rangeShare,
    bindP50NsBefore: first.bindP50Ns,
    bindP50NsThen: rows[i]!.bindP50Ns,
  };
}

// The kernel's bind() counts of one tenth (pure): the port allocation reading after it minus the one before it.
export function bindStep(now: Readings['portAllocation'], before: Readings['portAllocation']): NonNullable<RampTenth['kernel']> {
  return {
    bindOk: now.bindOk - before.bindOk,
    bindErrors: Object.fromEntries(Object.entries(now.bindErrors).map(([k, v]) => [k, v - (before.bindErrors[k] ?? 0)]).filter(([, v]) => v !== 0)),
    bindNs: bucketsSince(now.bindNs, before.bindNs),
  };
}

const us = (ns: number | null) => (ns === null ? '?' : ns >= 1e6 ? `${(ns / 1e6).toFixed(1)} ms` : `${Math.round(ns / 1000)} µs`);

// Ramp to N in tenths (or until stopped); the slab sample as rampSteps takes it. bound: each connection binds (ip, 0)
// first: the kernel is read after each tenth (its bind() count must reach the tenth's connects, at most 3 prints),
// and those waits are left out of the run's establish rate (ctx.notRamping). Unbound, only the rate is kept.
export async function rampByTenths(ctx: ScenarioContext, bound: boolean): Promise<{completed: boolean; tenths: RampTenth[]}> {
  ctx.setPhase('ramping');
  const gen = ctx.generator;
  const n = ctx.connections;
  const addresses = gen.options.clientAddresses?.length ?? 1;
  // a share of the range per client address only where the connections are bound to addresses
  const rangeSize = bound && ctx.portRange ? ctx.portRange.high - ctx.portRange.low + 1 : 0;
  const measured = bound && (ctx.measuredBy?.portAllocation ?? null) !== null;
  const stoppedFirst = (p: Promise<void>) => Promise.race([p.then(() => true), ctx.stopped.then(() => false)]);
  const binds = (r: Readings['portAllocation']) => r.bindOk + Object.values(r.bindErrors).reduce((a, b) => a + b, 0);
  const read = async () => readAll(await ctx.kernelAfterTicks(1), ctx.measuredBy).portAllocation;
  // the kernel's totals, and how long the ramp waited for them (not ramping)
  const waited = async <T>(f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      ctx.notRamping?.(performance.now() - t0);
    }
  };
  const baseline = measured ? await waited(read) : null;
  const baseBinds = baseline ? binds(baseline) : 0;
  // the totals of a print begun after the tenth's last bind() returned: its count since the ramp began reaches every
  // connect the generator tried (binds before it, a server's or the warm-up's, are left out)
  const reading = async (attempted: number): Promise<Readings['portAllocation'] | null> => {
    for (let tick = 0; tick < 3; tick++) {
      const r = await read();
      if (binds(r) - baseBinds >= attempted) return r;
    }
    return null;
  };
  const attemptedAtStart = gen.stats().attempted;
  const k = ctx.slabSample?.connections ?? 0;
  let before = baseline;
  let done = 0;
  const tenths: RampTenth[] = [];
  for (let tenth = 1; tenth <= 10 && done < n; tenth++) {
    const to = Math.round((n * tenth) / 10);
    // under 10 connections, some tenths are empty
    if (to === done) continue;
    let rampMs = 0;
    const timed = async (from: number, until: number) => {
      const t0 = performance.now();
      const finished = await stoppedFirst(gen.ramp(from, until));
      rampMs += performance.now() - t0;
      return finished;
    };
    const attemptedBefore = gen.stats().attempted;
    if (k > done && k < to) {
      if (!(await timed(done, k))) return {completed: false, tenths};
      // waits for the servers' accepts, then stops the probe (a pause not counted in the rate)
      await ctx.slabSample!.freeze();
      ctx.note(`slab: the first ${k} connections measured by the slab probe (it stopped there); /proc/slabinfo measures the whole run`);
      done = k;
    }
    if (!(await timed(done, to))) return {completed: false, tenths};
    done = to;
    const now = measured ? await waited(() => reading(gen.stats().attempted - attemptedAtStart)) : null;
    const kernel = now && before ? bindStep(now, before) : null;
    const kernelMissing = !bound ? undefined
      : !measured ? 'no port allocation program in this run'
      : !before ? "the kernel's totals before this tenth were not read (the last tenth's reading fell short)"
      : kernel ? undefined : "the kernel's bind() count did not reach the generator's connects within 3 prints";
    tenths.push({tenth, established: gen.stats().established, attempted: gen.stats().attempted - attemptedBefore, rampMs: Math.round(rampMs), kernel, ...(kernelMissing ? {kernelMissing} : {})});
    // a reading that fell short is no baseline: the next tenth starts from a fresh one
    before = now ?? (measured ? await waited(read) : null);
    const row = rateRows(tenths, addresses, rangeSize).at(-1)!;
    ctx.note(`ramp tenth ${tenth}: ${row.established} established${bound ? ` (${row.perAddress} per client address${row.rangeShare !== null ? `, ${Math.round(row.rangeShare * 100)}% of the range` : ''})` : ''}, ` +
      `${row.perSecond ?? '?'}/s` + (bound ? `, bind() p50 ${us(row.bindP50Ns)} p99 ${us(row.bindP99Ns)} (kernel)` : ''));
  }
  await gen.waitAccepted(gen.stats().established, 5000);
  const collapse = rateCollapse(rateRows(tenths, addresses, rangeSize));
  if (collapse) {
    ctx.note(`the establish rate fell from ${collapse.fromPerSecond}/s to ${collapse.toPerSecond}/s in tenth ${collapse.tenth}, past ${collapse.atConnections} connections` +
      (bound ? ` (${collapse.perAddress} per client address${collapse.rangeShare !== null ? `, ${Math.round(collapse.rangeShare * 100)}% of the range` : ''})` : '') +
      (bound ? `: bind(ip, 0) p50 ${us(collapse.bindP50NsBefore)} then ${us(collapse.bindP50NsThen)} (inet_csk_find_open_port() scans the ports already taken for a free one)` : ''));
  }
  return {completed: true, tenths};
}
