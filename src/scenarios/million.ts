// million: one host holds far more than 65 535 connections; ramps towards --connections over many
// server ports and stops cleanly at the memory guard or a limit, saying which.
import type {Summary} from '../correlate/summary.js';
import {rampByTenths, rateCollapse, rateRows, type RampTenth} from './ramp-tenths.js';
import type {Claim, Scenario} from './types.js';

type Steps = {clientAddresses: string[]; tenths: RampTenth[]; rangeSize?: number};

// Judge the claim (pure); the rate by tenth of the ramp, and where it fell, are its evidence.
export function millionClaims(s: Summary, steps: Steps = {clientAddresses: [], tenths: []}): Claim[] {
  // a share of the range per client address only where the connections were bound to addresses and a lab range set
  const rows = rateRows(steps.tenths, Math.max(1, steps.clientAddresses.length), steps.clientAddresses.length > 0 && steps.rangeSize ? steps.rangeSize : 0);
  return [
    {
      claim: 'one host holds more than 65 535 TCP connections',
      held: s.connections.established > 65_535 && s.kernel.established?.client === s.connections.established,
      evidence: {
        requested: s.connections.requested, established: s.connections.established, kernelClient: s.kernel.established?.client, stoppedBy: s.stoppedBy, failed: s.connections.failed,
        byTenth: rows, rateCollapse: rateCollapse(rows),
      },
    },
  ];
}

// The million scenario.
export const million: Scenario = {
  drive: async (ctx) => {
    const clientAddresses = ctx.generator.options.clientAddresses ?? [];
    const {tenths} = await rampByTenths(ctx, clientAddresses.length > 0);
    return {clientAddresses, tenths, ...(ctx.portRange ? {rangeSize: ctx.portRange.high - ctx.portRange.low + 1} : {})} satisfies Steps;
  },
  claims: (s, steps) => millionClaims(s, steps as Steps),
};
