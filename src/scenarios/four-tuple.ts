// four-tuple: one local port (bind + SO_REUSEADDR) serves two connections to two server ports at once;
// a third from the same port to an already-used server ip:port fails with EADDRNOTAVAIL.
import type {Summary} from '../correlate/summary.js';
import type {ConnRecord} from '../load/protocol.js';
import type {Claim, Scenario} from './types.js';

// The fixed local port the three connections bind (outside the default ephemeral range's busy end).
export const LOCAL_PORT = 50_000;
const PAYLOADS = ['A-to-first', 'B-to-second', 'C-again-first'];

// The connections of the steps, in order.
type Steps = {records: ConnRecord[]; localPort: number; payloads: string[]};

// Judge the four-tuple claims from the three records (pure).
export function fourTupleClaims(s: Summary, steps: Steps): Claim[] {
  const [a, b, c] = steps.records;
  const [p1, p2] = s.ports.server;
  const bothUp = a?.errno === null && b?.errno === null;
  return [
    {
      claim: 'two connections share one local ip:port, to two server ports, both ESTABLISHED',
      held: bothUp && a!.lport === steps.localPort && b!.lport === steps.localPort && a!.rport !== b!.rport && (s.kernel.established?.client ?? 0) >= 2 && (s.kernel.established?.server ?? 0) >= 2,
      evidence: {first: a && `${a.laddr}:${a.lport} -> :${a.rport}`, second: b && `${b.laddr}:${b.lport} -> :${b.rport}`, kernelEstablished: s.kernel.established},
    },
    {
      claim: 'each payload reached the socket of its own 4-tuple (the receive lookup matched all four fields)',
      held: bothUp && a!.reply === `${p1}:${steps.payloads[0]}` && b!.reply === `${p2}:${steps.payloads[1]}`,
      evidence: {sent: steps.payloads.slice(0, 2), replies: [a?.reply, b?.reply], tcpSegmentsReceived: s.kernel.receive?.tcpSegments},
    },
    {
      claim: 'a third connection from the same local port to an already-used server ip:port fails with EADDRNOTAVAIL',
      held: c?.errno === 'EADDRNOTAVAIL' && (s.kernel.errors.EADDRNOTAVAIL ?? 0) === 1,
      evidence: {third: c && `:${steps.localPort} -> :${c.rport}: ${c.errno}`, kernelErrors: s.kernel.errors},
    },
  ];
}

// The four-tuple scenario: three sequential connects from 127.0.0.1:LOCAL_PORT to p1, p2, p1.
export const fourTuple: Scenario = {
  drive: async (ctx) => {
    ctx.setPhase('ramping');
    const [p1, p2] = ctx.ports;
    const steps: Steps = {records: [], localPort: LOCAL_PORT, payloads: PAYLOADS};
    for (const [i, port] of [p1!, p2!, p1!].entries()) {
      await ctx.generator.rampOn(0, {
        targets: [{host: ctx.host, port}], count: 1, offset: 0, concurrency: 1, ratePerSec: 1000,
        localAddress: ctx.host, localPort: LOCAL_PORT, payload: PAYLOADS[i],
      });
    }
    steps.records = ctx.generator.records.slice(0, 3);
    return steps;
  },
  claims: (s, steps) => fourTupleClaims(s, steps as Steps),
};
