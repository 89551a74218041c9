// `tcp-trace trace`: the same probes without the load generator, on someone else's connections in the host's
// namespace (or a named one): connections filtered by port (--port either end, --lport, --rport), syscalls by --pid / --comm, for
// --duration seconds or until Ctrl-C.
import {stat} from 'node:fs/promises';
import {setTimeout as sleep} from 'node:timers/promises';
import {requireRoot} from '../system/preflight.js';
import {inspectHost} from '../system/host.js';
import {openLab} from '../lab/lab.js';
import {attachPlan} from '../probes/session.js';
import {versionWarnings} from '../system/bpftrace-info.js';
import {judgeProblems, unavailableProblems} from '../correlate/problems.js';
import {planToJson, type PlanEntry} from '../probes/plan.js';
import {flagList, flagString, positiveInt, probeKind, seconds, type FlagValues} from '../options.js';
import {UsageError} from '../errors.js';
import {traceLive, traceSummary} from '../correlate/trace.js';
import {memorySnapshot} from '../system/memory.js';
import {createDashboard} from '../dashboard/dashboard.js';
import {writeFileSync} from 'node:fs';
import {onStopSignals} from './stop-signals.js';
import {serveMetrics} from '../metrics/server.js';
import {registerCleanup} from '../lab/cleanup.js';
import {netnsSnapshot, pageBytes, pollQueues} from '../system/netns-state.js';
import {limitsHit, limitsOfNetns, netnsReport} from '../correlate/netns-report.js';
import {kernelErrors} from '../correlate/summary.js';
import {missedRunProblems} from '../correlate/missed-runs.js';
import {measurementRuns} from './program-runs.js';

// Trace; resolves to the exit code.
export async function run({values}: {values: FlagValues}): Promise<number> {
  const str = (k: string) => flagString(values, k);
  // --port: either end of a connection (as tcpdump's `port`); --lport / --rport: the local / remote end only
  const portFlag = (name: string) => (str(name) === undefined ? null : positiveInt(`--${name}`, str(name), 0, 1, 65_535));
  const port = portFlag('port');
  const lport = portFlag('lport');
  const rport = portFlag('rport');
  const durationS = seconds('--duration', str('duration'), 0, 86_400);
  const forced = probeKind(str('probes'));
  const netnsName = str('netns');
  // --pid P, several times or comma-separated: the programs get an `||` of them (bpftrace 0.17 cannot fill a map from user space)
  const pids = [...new Set(flagList(values, 'pid').map((p) => positiveInt('--pid', p, 0, 1, 4_194_304)))];
  const comm = str('comm');
  if (comm !== undefined && (comm.length === 0 || comm.length > 15)) {
    throw new UsageError(`Expected \`--comm\` to be a command name of 1 to 15 characters (the kernel keeps 15), got \`${comm}\``);
  }
  const metricsPort = str('metrics-port') === undefined ? null : positiveInt('--metrics-port', str('metrics-port'), 0, 1, 65_535);
  await requireRoot();
  const nsPath = netnsName ? `/run/netns/${netnsName}` : '/proc/self/ns/net';
  const inum = await stat(nsPath).then(
    (s) => Number(s.ino),
    () => {
      throw new UsageError(`No network namespace \`${netnsName}\` (${nsPath}): name one that \`ip netns list\` shows, or leave --netns out`);
    },
  );
  const stop = onStopSignals();
  const lab = await openLab();
  const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  let dashboard: ReturnType<typeof createDashboard> | null = null;
  let queues: ReturnType<typeof pollQueues> | null = null;
  try {
    const host = await inspectHost(lab.tracefs, forced);
    // the traced namespace's own limits and counters (ip netns exec: /proc/sys/net and /proc/net are per namespace),
    // read before the probes attach and after they stop: ss and sysctl's own socket() calls there are not traced
    const [nsBefore, pageSize] = await Promise.all([netnsSnapshot(netnsName ?? null), pageBytes()]);
    // no warm-up here: its connections would land among the ones being traced; function probes are trusted
    const plan: PlanEntry[] = host.plan.map((p) => (p.variant ? {...p, variant: {...p.variant, live: undefined}} : p));
    const session = await attachPlan(plan, {
      bpftrace: host.bpftrace.path, version: host.bpftrace.version, kmemNameDataOffset: host.capabilities.kmemNameDataOffset, netnsInum: inum, connections: 20_000, journal: lab.journal,
      warmUp: async () => undefined,
      process: {pids, comm},
      ports: {either: port ?? 0, local: lport ?? 0, remote: rport ?? 0},
    });
    // on a terminal (and without --headless) the run's dashboard, fed by the kernel's counts alone
    dashboard = values.headless !== true && process.stdout.isTTY
      ? createDashboard({
          refreshMs: 1000,
          onStop: (why) => stop.trigger(why === 'q' ? 'SIGINT' : why),
          onPause: () => undefined,
          onSnapshot: (data) => {
            const name = `tcp-trace-trace-snapshot-${Date.now()}.json`;
            writeFileSync(name, `${JSON.stringify(data, null, 2)}\n`);
            return name;
          },
        })
      : null;
    const note = (text: string) => (dashboard ? dashboard.note(text) : out({type: 'note', text}));
    for (const line of lab.leftovers) note(line);
    const view = dashboard;
    const metrics = metricsPort ? await serveMetrics(metricsPort, () => ({kernel: session.state()})) : null;
    if (metrics) {
      registerCleanup(metrics.close);
      note(`metrics: http://127.0.0.1:${metricsPort}/metrics`);
    }
    const limits = limitsOfNetns(host.limits, nsBefore);
    const who = [pids.length > 0 ? `pid ${pids.join(', ')}` : '', comm ? `comm ${comm}` : ''].filter(Boolean).join(', ');
    const ends = [port ? `port ${port} (either end)` : '', lport ? `local port ${lport}` : '', rport ? `remote port ${rport}` : ''].filter(Boolean).join(', ');
    note(`tracing namespace ${netnsName ?? 'of the host'} (inode ${inum})${ends ? `, connections on ${ends}` : ''}${who ? `, syscalls of ${who}` : ''}`);
    const startedAt = Date.now();
    const failedProbes = session.failures;
    // the namespace's queued bytes beside slab, on the dashboard (read without a socket: the trace counts socket())
    queues = view ? pollQueues(netnsName ?? null) : null;
    const live = async () =>
      traceLive({
        tMs: Date.now() - startedAt, kernel: session.state(), port, portsFiltered: true, plan: session.plan, failedProbes, limits,
        portRange: limits.ipLocalPortRange, memAvailableBytes: (await memorySnapshot()).meminfo.MemAvailable ?? 0, buffers: queues?.latest() ?? null,
      });
    const tick = async () => {
      if (view) {
        const state = await live();
        // a tick under way when the trace ends must not draw on a closed screen
        if (dashboard) view.update(state);
      } else {
        const runs = await measurementRuns(session);
        const problems = [...unavailableProblems(failedProbes), ...session.problems(), ...missedRunProblems(runs)];
        out({type: 'sample', tMs: Date.now() - startedAt, ...traceSummary(session.state(), null, problems, session.plan), runs});
      }
    };
    void tick();
    const ticker = setInterval(() => void tick(), 1000);
    await Promise.race([durationS > 0 ? sleep(durationS * 1000) : new Promise(() => undefined), stop.signalled]);
    clearInterval(ticker);
    queues?.stop();
    await metrics?.close();
    // read while the programs are still loaded: their fds go with bpftrace
    const runs = await measurementRuns(session);
    const kernel = await session.stop();
    const nsAfter = await netnsSnapshot(netnsName ?? null);
    const problems = [...unavailableProblems(failedProbes), ...session.problems(), ...missedRunProblems(runs)];
    dashboard?.close();
    dashboard = null;
    out({
      type: 'summary', mode: 'trace', netns: {name: netnsName ?? null, inum}, port, lport, rport, pids, comm: comm ?? null, durationMs: Date.now() - startedAt,
      ...traceSummary(kernel, null, problems, session.plan), lostEvents: session.lostEvents(),
      // runs of each measurement's programs the kernel skipped (recursion_misses) and ran (run_cnt)
      runs,
      namespace: netnsReport(nsBefore, nsAfter, pageSize),
      // the limit each error points at, with the evidence (EADDRNOTAVAIL: the range, or a 4-tuple already in use)
      limitsHit: limitsHit(kernelErrors(kernel), nsAfter),
      probePlan: planToJson(session.plan), probeFailures: failedProbes,
      stoppedBy: stop.reason(),
      // what makes numbers wrong (a bpftrace version's defect, full maps, helper errors), in words
      warnings: [...versionWarnings(host.bpftrace.version), ...judgeProblems(problems).warnings],
    });
    return stop.reason() === 'SIGTERM' ? 143 : 0;
  } finally {
    queues?.stop();
    dashboard?.close();
    stop.dispose();
    await lab.close();
  }
}
