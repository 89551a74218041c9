// `tcp-trace run [scenario]`: preflight -> lab -> probes + load -> hold -> summary, undone on every exit path.
import {setTimeout as sleep} from 'node:timers/promises';
import {requireRoot} from '../system/preflight.js';
import {inspectHost} from '../system/host.js';
import {memorySnapshot} from '../system/memory.js';
import {makeNetns, openLab} from '../lab/lab.js';
import {nsSysctl} from '../lab/netns.js';
import {Generator} from '../load/generator.js';
import {attachPlan} from '../probes/session.js';
import {formatPlan} from '../probes/plan.js';
import {buildSample} from '../correlate/sample.js';
import {buildSummary} from '../correlate/summary.js';
import {parsePortRange} from '../system/proc-parse.js';
import {PreconditionError} from '../errors.js';
import {runOptions} from './run-options.js';
import {createView} from './run-view.js';
import {onStopSignals} from './stop-signals.js';

// MemAvailable under this stops the ramp, whatever the scenario.
export const MEMORY_GUARD_BYTES = 2 * 2 ** 30;

// Run the experiment; resolves to the exit code.
export async function run({values, positionals}: {values: Record<string, string | boolean | undefined>; positionals: string[]}): Promise<number> {
  const opts = runOptions(values, positionals);
  await requireRoot();
  const view = createView(opts.headless || !process.stdout.isTTY, opts.connections);
  const stop = onStopSignals();
  const lab = await openLab();
  try {
    if (lab.leftovers > 0) view.note(`${lab.leftovers} journal(s) of killed runs exist: run \`sudo tcp-trace restore\``);
    const host = await inspectHost(lab.journal, opts.probes);
    if (host.tracefs === 'mounted') view.note('tracefs was not mounted: mounted it at /sys/kernel/tracing for this run');
    const missing = host.plan.filter((p) => !p.variant);
    if (opts.probes && missing.length === host.plan.length) {
      throw new PreconditionError(`\`--probes ${opts.probes}\` cannot attach here (${host.capabilities.kinds[opts.probes].why}): use --probes tracepoint or leave it out`);
    }
    for (const line of formatPlan(host.plan)) view.note(`plan: ${line}`);

    const netns = await makeNetns(lab, opts.portRange);
    const rangeText = await nsSysctl(netns.name, 'net.ipv4.ip_local_port_range');
    const range = parsePortRange(rangeText.replace(/\s+/, '\t'))!;
    const generator = await Generator.start({
      netns: netns.name, host: '127.0.0.1', ports: opts.ports, connections: opts.connections, perWorker: opts.perWorker,
      concurrency: opts.concurrency, ratePerSec: opts.ratePerSec, journal: lab.journal,
    });
    const plan = host.plan.map((p) =>
      opts.measure.includes(p.measurement) ? p : {...p, variant: null, kind: null, why: 'not measured in this run (--measure)'},
    );
    const session = await attachPlan(plan, {bpftrace: host.bpftrace.path, netnsInum: netns.inum, connections: opts.connections, journal: lab.journal});
    for (const f of session.failed) view.note(`probe ${f.entry.measurement} unavailable: ${f.why}`);

    const startedAt = Date.now();
    const memoryBefore = await memorySnapshot(true);
    let stoppedBy: string | null = null;
    const sampler = setInterval(async () => {
      const mem = await memorySnapshot();
      const sample = buildSample(Date.now() - startedAt, generator.stats(), session.state(), mem.meminfo.MemAvailable ?? 0);
      view.sample(sample);
      if (sample.memAvailableBytes < MEMORY_GUARD_BYTES && !stoppedBy) {
        stoppedBy = 'memory guard: MemAvailable under 2 GiB';
        stop.trigger('memory guard');
      }
    }, 1000);

    const rampDone = await Promise.race([generator.ramp().then(() => true), stop.signalled.then(() => false)]);
    const rampMs = Date.now() - startedAt;
    if (rampDone) {
      // the servers' last accepts can trail the clients' connects by a few ms
      await generator.waitAccepted(generator.stats().established, 5000);
      await Promise.race([sleep(opts.holdS * 1000), stop.signalled]);
    }
    stoppedBy ??= stop.reason();
    clearInterval(sampler);
    // no connect may be under way while the probes stop: both sides must count the same set
    await generator.pause();
    await generator.waitAccepted(generator.stats().established, 5000);
    const memoryAfter = await memorySnapshot(true);
    const kernel = await session.stop();
    view.sample(buildSample(Date.now() - startedAt, generator.stats(), kernel, memoryAfter.meminfo.MemAvailable ?? 0));
    await generator.close();
    const summary = buildSummary({
      scenario: opts.scenario, requested: opts.connections, ports: opts.ports, durationMs: Date.now() - startedAt, rampMs,
      generator: generator.stats(), records: generator.records, kernel, memoryBefore, memoryAfter, plan,
      failedProbes: session.failed.map((f) => ({measurement: f.entry.measurement, why: f.why})),
      lostEvents: session.lostEvents(), limits: host.limits,
      lab: {netns: netns.name, netnsInum: netns.inum, portRange: range}, stoppedBy,
    });
    view.summary(summary);
    return stop.reason() === 'SIGTERM' ? 143 : 0;
  } finally {
    view.close();
    stop.dispose();
    await lab.close();
  }
}
