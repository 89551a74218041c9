// bind-first (bind-before-connect): node:net's `localAddress` binds (ip, 0) before connect, so the kernel picks
// the port at bind() time, without knowing the destination. Ports picked by connect() serve every server port
// anew (range-size connections to each); ports bound first are used up once, for every destination.
import type {Summary} from '../correlate/summary.js';
import type {ConnRecord} from '../load/protocol.js';
import type {Claim, Scenario} from './types.js';

// The limit a bind(ip, 0) that fails with EADDRINUSE names.
export const BIND_LIMIT = 'range exhausted at bind time, for every destination';

// The steps' connections: connect-time to each server port, then bound first (ip, 0) to the first server port
// (range + 1 attempts) and once more to the second.
type Steps = {connectTime: {first: ConnRecord[]; second: ConnRecord[]}; bindFirst: {first: ConnRecord[]; second: ConnRecord[]}; rangeSize: number};

const ok = (rs: ConnRecord[]) => rs.filter((r) => r.errno === null);
const portSet = (rs: ConnRecord[]) => new Set(ok(rs).map((r) => r.lport));
const sameSet = (a: Set<number>, b: Set<number>) => a.size === b.size && [...a].every((p) => b.has(p));

// Judge the claims (pure).
export function bindFirstClaims(s: Summary, steps: Steps): Claim[] {
  const n = steps.rangeSize;
  const {connectTime: ct, bindFirst: bf} = steps;
  const ctPorts = [portSet(ct.first), portSet(ct.second)];
  const bfOk = [...ok(bf.first), ...ok(bf.second)];
  const bfFailed = [...bf.first, ...bf.second].filter((r) => r.errno !== null);
  const kernelBindFailures = s.kernel.errors.EADDRINUSE ?? 0;
  return [
    {
      claim: `ports chosen at connect(): ${n} connections to each of two server ports (${2 * n} in all) on the same ${n} local ports`,
      held: ok(ct.first).length === n && ok(ct.second).length === n && ctPorts[0]!.size === n && sameSet(ctPorts[0]!, ctPorts[1]!),
      evidence: {range: s.ports.range, toFirst: ok(ct.first).length, toSecond: ok(ct.second).length, localPorts: [...ctPorts[0]!].sort()},
    },
    {
      claim: `bound first (ip, 0): ${n} connections in all, then bind() fails with EADDRINUSE, toward the second server port too`,
      held: bfOk.length === n && ok(bf.second).length === 0 && bfFailed.length === 2 && bfFailed.every((r) => r.errno === 'EADDRINUSE') && bf.second.length === 1,
      evidence: {
        established: bfOk.length,
        failed: bfFailed.map((r) => `-> :${r.rport}: ${r.errno}`),
        limit: bfFailed.length > 0 && bfFailed.every((r) => r.errno === 'EADDRINUSE') ? BIND_LIMIT : null,
      },
    },
    {
      claim: `the kernel saw it: bind() failed with EADDRINUSE ${bfFailed.length} times, connect() never failed, ${3 * n} connections established on both ends`,
      held: kernelBindFailures === bfFailed.length && bfFailed.length > 0 && (s.kernel.errors.EADDRNOTAVAIL ?? 0) === 0 &&
        s.kernel.established?.client === 3 * n && s.kernel.established?.server === 3 * n,
      evidence: {kernelErrors: s.kernel.errors, kernelEstablished: s.kernel.established, limit: kernelBindFailures > 0 ? BIND_LIMIT : null},
    },
  ];
}

// The bind-first scenario: sequential connects from worker 0.
export const bindFirst: Scenario = {
  drive: async (ctx) => {
    ctx.setPhase('ramping');
    const [p1, p2] = ctx.ports;
    const n = ctx.connections; // the lab range's size (run-options)
    const gen = ctx.generator;
    const step = async (port: number, count: number, localAddress?: string) => {
      const from = gen.records.length;
      await gen.rampOn(0, {targets: [{host: ctx.host, port}], count, offset: 0, concurrency: 1, ratePerSec: 1000, localAddress});
      return gen.records.slice(from);
    };
    const connectTime = {first: await step(p1!, n), second: await step(p2!, n)};
    // free the ports at once (an RST each: no TIME_WAIT holds them), then bind first
    await gen.reset();
    ctx.note(`reset the ${2 * n} connect-time connections: their local ports are free again`);
    const bindFirst = {first: await step(p1!, n + 1, ctx.host), second: await step(p2!, 1, ctx.host)};
    return {connectTime, bindFirst, rangeSize: n} satisfies Steps;
  },
  claims: (s, steps) => bindFirstClaims(s, steps as Steps),
};
