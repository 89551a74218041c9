// ramp (default): N connections from the generator to a few server ports; what each one costs.
import type {Summary} from '../correlate/summary.js';
import type {Claim, Scenario, ScenarioContext} from './types.js';

// Ramp to N, or until stopped. With a slab sample of k < N: ramp to k, wait until the servers accepted them
// all, freeze the slab probe (its totals are then those k connections' exactly), and ramp on to N.
export async function rampSteps(ctx: ScenarioContext): Promise<{completed: boolean}> {
  ctx.setPhase('ramping');
  const untilStopped = (p: Promise<void>) => Promise.race([p.then(() => true), ctx.stopped.then(() => false)]);
  // given only when the sample is smaller than the run (run.ts decides)
  const k = ctx.slabSample?.connections ?? 0;
  if (k > 0) {
    if (!(await untilStopped(ctx.generator.ramp(0, k)))) return {completed: false};
    // waits for the servers' accepts, then stops the probe (a pause not counted in the establish rate)
    await ctx.slabSample!.freeze();
    ctx.note(`slab: the first ${k} connections measured by the slab probe (it stopped there); /proc/slabinfo measures the whole run`);
  }
  const completed = await untilStopped(ctx.generator.ramp(k));
  if (completed) await ctx.generator.waitAccepted(ctx.generator.stats().established, 5000);
  return {completed};
}

// The ramp's claims: every connection established and seen by the kernel on both ends; kernel memory
// of a few KB each; the server used its K ports for all of them (no port per connection on the server).
export function rampClaims(s: Summary): Claim[] {
  const bytes = s.slab.bytesPerConnection.tracepoint ?? s.slab.bytesPerConnection.slabinfo;
  const serverPorts = Object.keys(s.ports.perDestination ?? {}).length;
  return [
    {
      claim: 'every connection the generator made, the kernel saw established on both ends',
      held: s.connections.established > 0 && s.kernel.established?.client === s.connections.established && s.kernel.established?.server === s.connections.established,
      evidence: {generator: s.connections.established, kernelClient: s.kernel.established?.client, kernelServer: s.kernel.established?.server},
    },
    {
      claim: 'a connection costs a few KB of kernel memory (both ends, loopback)',
      held: bytes !== null && bytes >= 1024 && bytes <= 64 * 1024,
      evidence: {bytesPerConnection: bytes, source: s.slab.source, byCache: s.slab.byCache},
    },
    {
      claim: 'the server needs no port per connection: all of them share its listening ports',
      held: serverPorts > 0 && serverPorts <= s.ports.server.length && s.connections.established > s.ports.server.length,
      evidence: {connections: s.connections.established, serverPorts: s.ports.server, portsPerDestination: s.ports.perDestination},
    },
  ];
}

// The ramp scenario.
export const ramp: Scenario = {
  drive: rampSteps,
  claims: (s) => rampClaims(s),
};
