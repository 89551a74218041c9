// `tcp-trace run [scenario]`: preflight -> lab -> load + probes -> scenario steps -> hold -> summary,
// recorded in a run directory and undone on every exit path.
import type {FlagValues} from '../options.js';
import {setTimeout as sleep} from 'node:timers/promises';
import {memorySnapshot} from '../system/memory.js';
import {loadKallsyms, topSiteByCache} from '../system/kallsyms.js';
import {parsePortRange} from '../system/proc-parse.js';
import {makeNetns} from '../lab/lab.js';
import {nsExec, nsSysctl} from '../lab/netns.js';
import {parseTcpSockstat} from '../system/netns-parse.js';
import {netnsCounters, netnsSnapshot} from '../system/netns-state.js';
import {Generator, idleStats} from '../load/generator.js';
import {warmUp} from '../load/spawn-worker.js';
import {clientWorkerCount} from '../load/shares.js';
import {attachPlan, type ProbeSession} from '../probes/session.js';
import {formatPlan, type PlanEntry} from '../probes/plan.js';
import {buildSample} from '../correlate/sample.js';
import {buildSummary} from '../correlate/summary.js';
import {emptyKernelState} from '../bpftrace/kernel-state.js';
import {kindsOf, readAll} from '../measurements/index.js';
import type {LiveState} from '../correlate/live.js';
import {RunDir} from '../record/run-dir.js';
import {buildManifest, machineFacts} from '../record/manifest.js';
import {SCENARIOS} from '../scenarios/index.js';
import type {ScenarioContext} from '../scenarios/types.js';
import {generatorConnections, PER_WORKER, runOptions, type RunOptions} from './run-options.js';
import {readFileSync} from 'node:fs';
import {parseNofile} from '../system/proc-parse.js';
import {registerCleanup} from '../lab/cleanup.js';
import {memoryGuardBytes} from './run-sampler.js';
import {faultLine, lostText, markLost, watchPrograms, type Fault} from './run-faults.js';
import {measurementRuns} from './program-runs.js';
import type {MeasurementRuns} from '../correlate/missed-runs.js';
import {openExperiment} from './lifecycle.js';

// The RLIMIT_NOFILE of this process, which the workers inherit.
function ownNofile(): {soft: number; hard: number} {
  return parseNofile(readFileSync('/proc/self/limits', 'utf8')) ?? {soft: 1024, hard: 1024};
}

// How many connections the generator must be sized for (port-exhaustion makes 2 x range + 1, ...).
function generatorSize(opts: RunOptions): number {
  return generatorConnections(opts.scenario, opts.connections);
}

// Run the experiment; resolves to the exit code.
export async function run({values, positionals}: {values: FlagValues; positionals: string[]}): Promise<number> {
  const opts = runOptions(values, positionals, ownNofile().hard);
  const x = await openExperiment(opts.probes);
  const {stop, lab, host, startedAt} = x;
  let generator: Generator | null = null;
  let session: ProbeSession | null = null;
  // the generator's processes end on every exit path (after the sampler stops: the experiment closes newest first)
  x.onClose(() => generator?.close(1000));
  try {
    const dir = RunDir.create(opts.out, opts.scenario);
    const view = await x.openView({
      headless: opts.headless,
      hooks: {
        refreshMs: opts.refreshMs,
        onStop: (why) => stop.trigger(why === 'q' ? 'SIGINT' : why),
        onPause: (paused) => void (paused ? generator?.pause() : generator?.resume()),
        onSnapshot: (data) => {
          const name = `snapshot-${Date.now()}.json`;
          dir.writeJson(name, data);
          return name;
        },
      },
    });
    // warnings.txt: each line once, as it is seen
    const written = new Set<string>();
    const recordWarning = (line: string) => {
      if (written.has(line)) return;
      written.add(line);
      try {
        dir.appendWarning(x.elapsedMs(), line);
      } catch {
        // the run directory's disk full: the next sample's write names that fault (and the run stops)
      }
    };
    const bpftraceWarnings = x.bpftraceWarnings;
    for (const w of bpftraceWarnings) recordWarning(w);
    // each problem bpftrace reports (a full map, a helper error) is said once, as it appears, and recorded
    const noteProblems = () => x.noteProblems(session, recordWarning);
    let plan: PlanEntry[] = host.plan.map((p) =>
      opts.measure.includes(p.measurement) ? p : {...p, variant: null, kind: null, why: 'not measured in this run (--measure)'},
    );
    for (const line of formatPlan(plan)) view.note(`plan: ${line}`);
    view.note(`run directory: ${dir.path}`);
    if (opts.perWorker < PER_WORKER) {
      const clients = clientWorkerCount(generatorSize(opts), opts.perWorker);
      view.note(`hard RLIMIT_NOFILE ${ownNofile().hard}: at most ${opts.perWorker} sockets a worker process, so ${clients} client process(es) and ${opts.ports.length} server port(s)`);
    }

    const netns = await makeNetns(lab, opts.portRange);
    const range = parsePortRange((await nsSysctl(netns.name, 'net.ipv4.ip_local_port_range')).replace(/\s+/, '\t'))!;
    const labFacts = {netns: netns.name, netnsInum: netns.inum, portRange: range};
    // the slab probe stops after a sample of the connections (a scenario may keep it to the end: hello)
    const slabSampled = opts.slabSample > 0 && opts.slabSample < generatorSize(opts) && plan.some((p) => p.measurement === 'slab' && p.variant);
    let slabConnections: number | null = null;
    // the slab program's runs as the kernel counted them, read just before it stops after its sample
    let frozenRuns: Record<string, MeasurementRuns> = {};
    // the ramp's pause while the slab probe stops, and the steps' waits on the kernel: not part of the establish rate
    let freezeMs = 0;
    let notRampingMs = 0;
    const facts = await machineFacts();
    // written with the plan as planned, then again as attached: a run killed while attaching still has one
    const writeManifest = () =>
      dir.writeJson('manifest.json', buildManifest({facts, host, plan, scenario: opts.scenario, parameters: {...opts}, lab: labFacts, startedAt}));
    writeManifest();

    let failedProbes: Array<{measurement: string; why: string}> = [];
    // parts that failed mid-run; one that stops the run makes stoppedBy `fault: <part>`
    const faults: Fault[] = [];
    const fault = (f: Omit<Fault, 'atMs'>, stopsRun: boolean): Fault => {
      const full = {...f, atMs: x.elapsedMs()};
      faults.push(full);
      view.note(faultLine(full));
      if (stopsRun) {
        stoppedBy ??= `fault: ${f.part}`;
        stop.trigger(`fault: ${f.part}`);
      }
      return full;
    };
    // the run directory's disk full (or gone): named once, the run stops, the rest is printed all the same
    let diskFailed = false;
    const onDisk = (write: () => void | Promise<void>) => async () => {
      try {
        await write();
      } catch (error) {
        if (diskFailed) return;
        diskFailed = true;
        const e = error as NodeJS.ErrnoException;
        fault({part: `run directory ${dir.path}`, why: `${e.code ?? 'write failed'}: ${e.message}`,
          missing: 'what is written there from now on (samples, summary.json, connections.csv); the summary is still printed'}, true);
      }
    };
    const probesReady: Record<string, number> = {};
    // read once a process: the host inspection already did
    const symbols = await loadKallsyms();
    let stoppedBy: string | null = null;
    let phase: LiveState['phase'] = 'starting';
    // the lab's queued bytes beside slab, on the dashboard (read without a socket: the probes count socket())
    const queues = x.pollQueues(netns.name);
    // before the workers and the probes are up, their counts are zero: nothing was made or seen yet
    const live = (kernel = session?.state() ?? emptyKernelState(), memAvailable = 0, stats = generator?.stats() ?? idleStats()): LiveState => ({
      scenario: opts.scenario, requested: opts.connections, ports: opts.ports, portRange: range,
      sample: {...buildSample(x.elapsedMs(), stats, kernel, memAvailable, slabConnections), phase},
      generator: stats, kernel, plan, failedProbes, limits: host.limits, perWorkerSockets: opts.perWorker, phase, events: [],
      slabSites: topSiteByCache(readAll(kernel).slab.allocBytesBySite, symbols), probesReady, buffers: queues.latest(),
    });
    // the first sample at once, while the workers start and the probes attach (seconds: see README), then one a second
    x.sample({
      live: (memAvailable) => {
        noteProblems();
        return live(undefined, memAvailable);
      },
      record: (sample) => void onDisk(() => dir.appendSample(sample))(),
      onLowMemory: (memAvailable) => {
        const guard = memoryGuardBytes();
        const why = `memory guard: MemAvailable under ${(guard / 2 ** 30).toFixed(guard % 2 ** 30 === 0 ? 0 : 1)} GiB`;
        stoppedBy ??= why;
        fault({part: 'memory', why: `MemAvailable ${Math.round(memAvailable / 2 ** 20)} MiB under the guard's ${Math.round(guard / 2 ** 20)} MiB`,
          missing: 'the connections not made yet: the ramp stops here'}, true);
      },
    });
    // connections.csv: appended as each batch of records arrives (a crash keeps every row written so far)
    const csv = dir.openConnections();
    registerCleanup(() => csv.close());
    // the workers start while the probes attach: neither needs the other, and both take seconds
    const [started, attached] = await Promise.allSettled([
      Generator.start({
        netns: netns.name, host: opts.host, ports: opts.ports, connections: generatorSize(opts), perWorker: opts.perWorker,
        concurrency: opts.concurrency, ratePerSec: opts.ratePerSec, serverMode: opts.serverMode,
        clientNofile: opts.nofile ? {soft: opts.nofile, hard: opts.nofile} : undefined,
        backlog: opts.backlog, accept: opts.scenario === 'accept-overflow' ? false : undefined,
        sharedServers: opts.sharedServers, clientAddresses: opts.clientAddresses,
      }),
      attachPlan(plan, {
        bpftrace: host.bpftrace.path, version: host.bpftrace.version, kmemNameDataOffset: host.capabilities.kmemNameDataOffset, structOffsets: host.capabilities.structOffsets, netnsInum: netns.inum, connections: generatorSize(opts),
        connectionsFor: slabSampled ? {slab: opts.slabSample} : undefined, journal: lab.journal, warmUp: (n) => warmUp(netns.name, n),
        // each client worker keeps up to --concurrency connects under way
        inFlight: opts.concurrency * clientWorkerCount(generatorSize(opts), opts.perWorker),
        onReady: (entry, ms, bpftrace) => {
          probesReady[entry.measurement] = ms;
          // the CPU bpftrace used to start (its BTF, the programs' compile and verification, its maps' preallocation):
          // the workers start on the same cores meanwhile
          const cpu = bpftrace.cpuMs === null ? '' : ` (bpftrace pid ${bpftrace.pid}: ${(bpftrace.cpuMs / 1000).toFixed(2)} s of CPU so far)`;
          view.note(`probe ${entry.measurement}: ${entry.variant!.file} ready after ${(ms / 1000).toFixed(1)} s${cpu}`);
        },
      }),
    ]);
    if (started.status === 'fulfilled') {
      generator = started.value;
      generator.onRows = (rows) => void onDisk(() => csv.append(rows))();
      generator.onWorkerDied = (d) => void fault({part: d.part, why: d.how, missing: d.missing}, true);
    }
    // on failure the other half's processes end with generator.close() and lab.close() (finally), or with tcp-trace
    if (started.status === 'rejected') throw started.reason;
    if (attached.status === 'rejected') throw attached.reason;
    const gen = started.value;
    const probes = attached.value;
    session = probes;
    // the plan as attached: a variant that failed or stayed silent was replaced by the next one
    for (const [i, p] of probes.plan.entries()) {
      if (p.variant?.file !== plan[i]!.variant?.file) view.note(`plan: ${p.measurement} fell back to ${p.kind ?? 'none'}: ${p.why}`);
    }
    plan = probes.plan;
    failedProbes = probes.failures;
    // a program that dies from now on: its measurement is lost (never frozen at its last totals); the run goes on
    const programs = watchPrograms(
      probes.attached.map((a) => ({measurement: a.entry.measurement, pid: a.handle.pid, file: a.entry.variant?.file ?? '?'})),
      (p) => {
        const f = fault({part: `bpftrace ${p.file} (pid ${p.pid})`, why: `the ${p.measurement} program ended unasked`,
          missing: `${p.measurement} from then on (shown as lost)`, measurement: p.measurement}, false);
        failedProbes.push({measurement: p.measurement, why: lostText(f)});
      },
    );
    registerCleanup(() => programs.stop());
    for (const f of failedProbes) view.note(`probe ${f.measurement} unavailable: ${f.why}`);
    writeManifest();

    if (opts.metricsPort) {
      await x.serveMetrics(opts.metricsPort, () => ({kernel: probes.state(), generator: gen.stats()}));
    }
    gen.onWarning = (message) => view.note(message);
    for (const message of gen.warnings) view.note(message);
    const memoryBefore = await memorySnapshot(true);
    const rampStartedAt = Date.now();

    const ctx: ScenarioContext = {
      generator: gen, connections: opts.connections, ports: opts.ports, portRange: range, host: opts.host, nofile: opts.nofile, backlog: opts.backlog,
      netnsCounters: () => netnsCounters(netns.name),
      sysctl: (key) => nsSysctl(netns.name, key).catch(() => null),
      setSysctl: async (key, value) => void (await nsExec(netns.name, ['sysctl', '-q', '-w', `${key}=${value}`])),
      sockstat: async () => parseTcpSockstat(await nsExec(netns.name, ['cat', '/proc/net/sockstat']).catch(() => '')),
      measuredBy: kindsOf(probes.plan),
      stopped: stop.signalled, kernelAfterTicks: probes.afterTicks, memory: () => memorySnapshot(true),
      buffers: async () => (await netnsSnapshot(netns.name)).buffers,
      note: (t) => view.note(t), setPhase: (p) => (phase = p), notRamping: (ms) => (notRampingMs += ms),
      slabSample: slabSampled
        ? {
            connections: opts.slabSample,
            freeze: async () => {
              const t0 = Date.now();
              // the sample is the connections the servers accepted: wait for the last of them, then stop the probe
              await gen.waitAccepted(gen.stats().established, 5000);
              programs.unwatch('slab');
              // its skipped runs read after its last print, before it stops (only a program that does stop)
              if (await probes.freeze('slab', async () => void (frozenRuns = await measurementRuns(probes, 'slab')))) slabConnections = gen.stats().established;
              freezeMs = Date.now() - t0;
            },
          }
        : undefined,
    };
    const scenario = SCENARIOS[opts.scenario];
    // stopped while starting: no load at all, and no claim to judge
    if (stop.reason()) view.note(`stopped (${stop.reason()}) before the ramp began: no connection was made`);
    const steps = stop.reason() ? null : await scenario.drive(ctx);
    const rampMs = Date.now() - rampStartedAt - freezeMs - Math.round(notRampingMs);
    if (!stop.reason()) {
      phase = 'holding';
      await Promise.race([sleep(opts.holdS * 1000), stop.signalled]);
    }
    stoppedBy ??= stop.reason();
    phase = 'stopping';
    x.stopSampling();
    // no connect may be under way while the probes stop: both sides must count the same set
    await gen.pause();
    await gen.waitAccepted(gen.stats().established, 5000);
    const memoryAfter = await memorySnapshot(true);
    programs.stop();
    // a frozen program's skipped runs are from its freeze
    const {kernel, runs, problems} = await x.stopProbes(probes, frozenRuns);
    // the namespace's ports in use, read once no probe counts the reader's own socket (ss makes one there)
    const addressUse = await netnsSnapshot(netns.name).then((s) => s.ephemeralUse, () => null);
    // what the last prints showed (a map full only at its END print) is said too
    noteProblems();
    phase = 'done';
    const final = live(kernel, memoryAfter.meminfo.MemAvailable ?? 0);
    view.update(final);
    await onDisk(() => dir.appendSample(final.sample))();
    await gen.close();
    const base = buildSummary({
      scenario: opts.scenario, requested: opts.connections, ports: opts.ports, durationMs: x.elapsedMs(), startupMs: rampStartedAt - startedAt.getTime(), rampMs,
      generator: gen.stats(), connections: gen.connections, kernel, memoryBefore, memoryAfter, plan, failedProbes,
      lostEvents: probes.lostEvents(), limits: host.limits, lab: labFacts, stoppedBy, slabConnections,
      problems, warnings: bpftraceWarnings, addressUse,
    });
    const summary = markLost({...base, runs, claims: steps ? scenario.claims(base, steps) : [], faults, runDirectory: dir.path}, faults);
    // the summary's verdicts too (runs the kernel skipped, a measurement unavailable, what a problem withholds): the
    // file holds every warning the summary has
    for (const w of summary.warnings) recordWarning(w);
    await onDisk(() => dir.writeJson('summary.json', summary))();
    await onDisk(() => csv.close())();
    view.summary(summary);
    await lab.close();
    await Promise.race([view.finished(), stop.signalled]);
    if (stop.reason() === 'SIGTERM') return 143;
    // a part that failed (the memory guard is a planned stop, not a failure): the summary says which, exit 1
    return faults.some((f) => f.part !== 'memory') ? 1 : 0;
  } finally {
    await x.close();
  }
}
