// port-exhaustion: the limit is ip_local_port_range per destination, not 65 535: range-size connections
// to one server port, the next gets EADDRNOTAVAIL, then range-size more to a second port reuse the same ports.
import type {Summary} from '../correlate/summary.js';
import type {ConnRecord} from '../load/protocol.js';
import type {Claim, Scenario} from './types.js';

type Steps = {first: ConnRecord[]; second: ConnRecord[]; rangeSize: number};

// Judge the claims (pure).
export function portExhaustionClaims(s: Summary, steps: Steps): Claim[] {
  const n = steps.rangeSize;
  const okFirst = steps.first.filter((r) => r.errno === null);
  const failFirst = steps.first.filter((r) => r.errno !== null);
  const okSecond = steps.second.filter((r) => r.errno === null);
  const portsFirst = new Set(okFirst.map((r) => r.lport));
  const portsSecond = new Set(okSecond.map((r) => r.lport));
  const same = portsFirst.size === portsSecond.size && [...portsFirst].every((p) => portsSecond.has(p));
  return [
    {
      claim: `exactly ${n} connections (the range size) to one server ip:port, then EADDRNOTAVAIL`,
      held: okFirst.length === n && failFirst.length === 1 && failFirst[0]!.errno === 'EADDRNOTAVAIL' && steps.first.at(-1)?.errno === 'EADDRNOTAVAIL',
      evidence: {range: s.ports.range, established: okFirst.length, failed: failFirst.map((r) => r.errno), kernelErrors: s.kernel.errors},
    },
    {
      claim: `${n} more to a second server port succeed, reusing the same ${n} local ports`,
      held: okSecond.length === n && same,
      evidence: {established: okSecond.length, localPortsFirst: [...portsFirst].sort(), localPortsSecond: [...portsSecond].sort()},
    },
    {
      claim: 'the kernel agrees: one EADDRNOTAVAIL, 2 x range-size established',
      held: (s.kernel.errors.EADDRNOTAVAIL ?? 0) === 1 && s.kernel.established?.client === 2 * n,
      evidence: {kernelEstablished: s.kernel.established, kernelErrors: s.kernel.errors},
    },
  ];
}

// The port-exhaustion scenario.
export const portExhaustion: Scenario = {
  drive: async (ctx) => {
    ctx.setPhase('ramping');
    const [p1, p2] = ctx.ports;
    const rangeSize = ctx.connections; // set by the harness to the lab range's size
    await ctx.generator.rampOn(0, {targets: [{host: ctx.host, port: p1!}], count: rangeSize + 1, offset: 0, concurrency: 1, ratePerSec: 1000});
    const first = ctx.generator.records.slice();
    await ctx.generator.rampOn(0, {targets: [{host: ctx.host, port: p2!}], count: rangeSize, offset: 0, concurrency: 1, ratePerSec: 1000});
    return {first, second: ctx.generator.records.slice(first.length), rangeSize};
  },
  claims: (s, steps) => portExhaustionClaims(s, steps as Steps),
};
