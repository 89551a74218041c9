// `tcp-trace run [scenario]`: preflight -> lab -> load + probes -> scenario steps -> hold -> summary,
// recorded in a run directory and undone on every exit path.
import type {FlagValues} from '../options.js';
import {setTimeout as sleep} from 'node:timers/promises';
import {requireRoot} from '../system/preflight.js';
import {inspectHost} from '../system/host.js';
import {memorySnapshot} from '../system/memory.js';
import {loadKallsyms, topSiteByCache} from '../system/kallsyms.js';
import {parsePortRange} from '../system/proc-parse.js';
import {makeNetns, openLab} from '../lab/lab.js';
import {nsSysctl} from '../lab/netns.js';
import {Generator} from '../load/generator.js';
import {warmUp} from '../load/spawn-worker.js';
import {attachPlan, type ProbeSession} from '../probes/session.js';
import {formatPlan, type PlanEntry} from '../probes/plan.js';
import {buildSample} from '../correlate/sample.js';
import {buildSummary} from '../correlate/summary.js';
import {counter} from '../correlate/kernel-state.js';
import type {LiveState} from '../correlate/live.js';
import {RunDir} from '../record/run-dir.js';
import {buildManifest, machineFacts} from '../record/manifest.js';
import {SCENARIOS} from '../scenarios/index.js';
import type {ScenarioContext} from '../scenarios/types.js';
import {PreconditionError} from '../errors.js';
import {runOptions, type RunOptions} from './run-options.js';
import {dashboardView, headlessView, type RunView} from './run-view.js';
import {onStopSignals} from './stop-signals.js';
import {serveMetrics} from '../metrics/server.js';
import {registerCleanup} from '../lab/cleanup.js';

// MemAvailable under this stops the ramp, whatever the scenario.
export const MEMORY_GUARD_BYTES = 2 * 2 ** 30;

// How many connections the generator must be sized for (port-exhaustion makes 2 x range + 1).
function generatorSize(opts: RunOptions): number {
  return opts.scenario === 'port-exhaustion' ? 2 * opts.connections + 1 : opts.connections;
}

// Wait until every probe has printed `ticks` more times (at most 3 s), then give the latest totals.
async function kernelAfterTicks(session: ProbeSession, ticks: number) {
  const target = session.state().ticks + ticks;
  for (let i = 0; i < 60 && session.state().ticks < target; i++) await sleep(50);
  return session.state();
}

// Run the experiment; resolves to the exit code.
export async function run({values, positionals}: {values: FlagValues; positionals: string[]}): Promise<number> {
  const opts = runOptions(values, positionals);
  await requireRoot();
  const stop = onStopSignals();
  const lab = await openLab();
  let view: RunView | null = null;
  let generator: Generator | null = null;
  try {
    const host = await inspectHost(lab.journal, opts.probes);
    if (opts.probes && host.plan.every((p) => !p.variant)) {
      throw new PreconditionError(`\`--probes ${opts.probes}\` cannot attach here (${host.capabilities.kinds[opts.probes].why}): use --probes tracepoint or leave it out`);
    }
    const dir = RunDir.create(opts.out, opts.scenario);
    const headless = opts.headless || !process.stdout.isTTY;
    view = headless
      ? headlessView()
      : dashboardView({
          refreshMs: opts.refreshMs,
          onStop: (why) => stop.trigger(why === 'q' ? 'SIGINT' : why),
          onPause: (paused) => void (paused ? generator?.pause() : generator?.resume()),
          onSnapshot: (data) => {
            const name = `snapshot-${Date.now()}.json`;
            dir.writeJson(name, data);
            return name;
          },
        });
    if (lab.leftovers > 0) view.note(`${lab.leftovers} journal(s) of killed runs exist: run \`sudo tcp-trace restore\``);
    if (host.tracefs === 'mounted') view.note('tracefs was not mounted: mounted it at /sys/kernel/tracing for this run');
    let plan: PlanEntry[] = host.plan.map((p) =>
      opts.measure.includes(p.measurement) ? p : {...p, variant: null, kind: null, why: 'not measured in this run (--measure)'},
    );
    for (const line of formatPlan(plan)) view.note(`plan: ${line}`);
    view.note(`run directory: ${dir.path}`);

    const netns = await makeNetns(lab, opts.portRange);
    const range = parsePortRange((await nsSysctl(netns.name, 'net.ipv4.ip_local_port_range')).replace(/\s+/, '\t'))!;
    const labFacts = {netns: netns.name, netnsInum: netns.inum, portRange: range};
    // ramp, million: the slab probe stops after a sample of the connections (hello needs it to the end)
    const slabSampled = opts.slabSample > 0 && opts.slabSample < generatorSize(opts) && opts.scenario !== 'hello' && plan.some((p) => p.measurement === 'slab' && p.variant);
    let slabConnections: number | null = null;
    // the ramp's pause while the slab probe stops: not part of the establish rate
    let freezeMs = 0;
    // the workers start while the probes attach: neither needs the other, and both take seconds
    const [started, attached] = await Promise.allSettled([
      Generator.start({
        netns: netns.name, host: '127.0.0.1', ports: opts.ports, connections: generatorSize(opts), perWorker: opts.perWorker,
        concurrency: opts.concurrency, ratePerSec: opts.ratePerSec, serverMode: opts.serverMode, journal: lab.journal,
        clientNofile: opts.nofile ? {soft: opts.nofile, hard: opts.nofile} : undefined,
      }),
      attachPlan(plan, {
        bpftrace: host.bpftrace.path, version: host.bpftrace.version, netnsInum: netns.inum, connections: generatorSize(opts),
        connectionsFor: slabSampled ? {slab: opts.slabSample} : undefined, journal: lab.journal, warmUp: (n) => warmUp(netns.name, n),
      }),
    ]);
    if (started.status === 'fulfilled') generator = started.value;
    // on failure the other half's processes are in the journal: lab.close() (finally) ends them
    if (started.status === 'rejected') throw started.reason;
    if (attached.status === 'rejected') throw attached.reason;
    const gen = started.value;
    const session = attached.value;
    // the plan as attached: a variant that failed or stayed silent was replaced by the next one
    for (const [i, p] of session.plan.entries()) {
      if (p.variant?.file !== plan[i]!.variant?.file) view.note(`plan: ${p.measurement} fell back to ${p.kind ?? 'none'}: ${p.why}`);
    }
    plan = session.plan;
    const failedProbes = session.failed.map((f) => ({measurement: f.entry.measurement, why: f.why}));
    for (const f of failedProbes) view.note(`probe ${f.measurement} unavailable: ${f.why}`);
    const startedAt = new Date();
    dir.writeJson('manifest.json', buildManifest({facts: await machineFacts(), host, plan, scenario: opts.scenario, parameters: {...opts}, lab: labFacts, startedAt}));

    if (opts.metricsPort) {
      const metrics = await serveMetrics(opts.metricsPort, () => ({kernel: session.state(), generator: gen.stats()}));
      registerCleanup(metrics.close);
      view.note(`metrics: http://127.0.0.1:${opts.metricsPort}/metrics`);
    }
    gen.onWarning = (message) => view!.note(message);
    for (const message of gen.warnings) view.note(message);
    const symbols = await loadKallsyms();
    const memoryBefore = await memorySnapshot(true);
    let stoppedBy: string | null = null;
    let phase: LiveState['phase'] = 'starting';
    const live = (kernel = session.state(), memAvailable = 0, stats = gen.stats()): LiveState => ({
      scenario: opts.scenario, requested: opts.connections, ports: opts.ports, portRange: range,
      sample: buildSample(Date.now() - startedAt.getTime(), stats, kernel, memAvailable, slabConnections),
      generator: stats, kernel, plan, failedProbes, limits: host.limits, perWorkerSockets: opts.perWorker, phase, events: [], slabConnections,
      slabSites: topSiteByCache(counter(kernel, '@alloc_sites'), symbols),
    });
    const tick = async () => {
      const mem = await memorySnapshot();
      const state = live(session.state(), mem.meminfo.MemAvailable ?? 0);
      view!.update(state);
      dir.appendSample(state.sample);
      if (state.sample.memAvailableBytes < MEMORY_GUARD_BYTES && !stoppedBy) {
        stoppedBy = 'memory guard: MemAvailable under 2 GiB';
        view!.note(stoppedBy);
        stop.trigger('memory guard');
      }
    };
    // the first sample at once (what the kernel holds before the ramp), then one a second
    void tick();
    const sampler = setInterval(() => void tick(), 1000);

    const ctx: ScenarioContext = {
      generator: gen, connections: opts.connections, ports: opts.ports, host: '127.0.0.1', nofile: opts.nofile,
      stopped: stop.signalled, kernelAfterTicks: (n) => kernelAfterTicks(session, n), memory: () => memorySnapshot(true),
      note: (t) => view!.note(t), setPhase: (p) => (phase = p),
      slabSample: slabSampled
        ? {
            connections: opts.slabSample,
            freeze: async () => {
              const t0 = Date.now();
              if (await session.freeze('slab')) slabConnections = gen.stats().established;
              freezeMs = Date.now() - t0;
            },
          }
        : undefined,
    };
    const scenario = SCENARIOS[opts.scenario];
    const steps = await scenario.drive(ctx);
    const rampMs = Date.now() - startedAt.getTime() - freezeMs;
    if (!stop.reason()) {
      phase = 'holding';
      await Promise.race([sleep(opts.holdS * 1000), stop.signalled]);
    }
    stoppedBy ??= stop.reason();
    phase = 'stopping';
    clearInterval(sampler);
    // no connect may be under way while the probes stop: both sides must count the same set
    await gen.pause();
    await gen.waitAccepted(gen.stats().established, 5000);
    const memoryAfter = await memorySnapshot(true);
    const kernel = await session.stop();
    phase = 'done';
    const final = live(kernel, memoryAfter.meminfo.MemAvailable ?? 0);
    view.update(final);
    dir.appendSample(final.sample);
    await gen.close();
    const base = buildSummary({
      scenario: opts.scenario, requested: opts.connections, ports: opts.ports, durationMs: Date.now() - startedAt.getTime(), rampMs,
      generator: gen.stats(), records: gen.records, kernel, memoryBefore, memoryAfter, plan, failedProbes,
      lostEvents: session.lostEvents(), limits: host.limits, lab: labFacts, stoppedBy, slabConnections,
    });
    const summary = {...base, claims: scenario.claims(base, steps), runDirectory: dir.path};
    dir.writeJson('summary.json', summary);
    await dir.writeConnections(gen.records);
    view.summary(summary);
    await lab.close();
    await Promise.race([view.finished(), stop.signalled]);
    return stop.reason() === 'SIGTERM' ? 143 : 0;
  } finally {
    view?.close();
    stop.dispose();
    await generator?.close(1000);
    await lab.close();
  }
}
