// million: one host holds far more than 65 535 connections; ramps towards --connections over many
// server ports and stops cleanly at the memory guard or a limit, saying which.
import type {Summary} from '../correlate/summary.js';
import {rampSteps} from './ramp.js';
import type {Claim, Scenario} from './types.js';

// Judge the claim (pure).
export function millionClaims(s: Summary): Claim[] {
  return [
    {
      claim: 'one host holds more than 65 535 TCP connections',
      held: s.connections.established > 65_535 && s.kernel.established?.client === s.connections.established,
      evidence: {requested: s.connections.requested, established: s.connections.established, kernelClient: s.kernel.established?.client, stoppedBy: s.stoppedBy, failed: s.connections.failed},
    },
  ];
}

// The million scenario.
export const million: Scenario = {
  drive: rampSteps,
  claims: (s) => millionClaims(s),
};
