// fd-limit: the file-descriptor limit, not the port number, stops a process: a client worker with a low
// RLIMIT_NOFILE gets EMFILE once its fds (node's own plus one per socket) reach the limit.
import type {Summary} from '../correlate/summary.js';
import type {ConnRecord} from '../load/protocol.js';
import type {Claim, Scenario} from './types.js';

type Steps = {records: ConnRecord[]; nofile: number; openFdsAtStart: number; predicted: number};

// Judge the claims (pure).
export function fdLimitClaims(s: Summary, steps: Steps): Claim[] {
  const ok = steps.records.filter((r) => r.errno === null).length;
  const firstFailure = steps.records.find((r) => r.errno !== null);
  return [
    {
      claim: `RLIMIT_NOFILE ${steps.nofile} stops the worker at the predicted count, with EMFILE`,
      held: ok === steps.predicted && firstFailure?.errno === 'EMFILE',
      evidence: {limit: 'RLIMIT_NOFILE', nofile: steps.nofile, openFdsAtStart: steps.openFdsAtStart, predicted: steps.predicted, established: ok, firstFailure: firstFailure?.errno ?? null},
    },
    {
      claim: 'the kernel saw socket() fail with EMFILE, which names RLIMIT_NOFILE',
      held: (s.kernel.errors.EMFILE ?? 0) > 0 && s.kernel.limitsHit.EMFILE === 'RLIMIT_NOFILE' && s.kernel.syscalls?.socket === ok,
      evidence: {kernelErrors: s.kernel.errors, limitsHit: s.kernel.limitsHit, kernelSockets: s.kernel.syscalls?.socket},
    },
  ];
}

// The fd-limit scenario: sequential connects from worker 0, past its limit.
export const fdLimit: Scenario = {
  drive: async (ctx) => {
    ctx.setPhase('ramping');
    const nofile = ctx.nofile ?? 256;
    await Promise.race([
      ctx.generator.rampOn(0, {targets: ctx.generator.targets(), count: ctx.connections, offset: 0, concurrency: 1, ratePerSec: 5000}),
      ctx.stopped,
    ]);
    const openFdsAtStart = ctx.generator.clientOpenFds[0] ?? 0;
    // one fd per socket: the worker holds nofile - (fds it had) connections
    return {records: ctx.generator.records.slice(), nofile, openFdsAtStart, predicted: nofile - openFdsAtStart};
  },
  claims: (s, steps) => fdLimitClaims(s, steps as Steps),
};
