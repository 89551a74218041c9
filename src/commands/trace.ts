// `tcp-trace trace`: the same probes without the load generator, on someone else's connections in the host's
// namespace (or a named one): connections filtered by port (--port either end, --lport, --rport), syscalls by --pid / --comm, for
// --duration seconds or until Ctrl-C.
import {stat} from 'node:fs/promises';
import {setTimeout as sleep} from 'node:timers/promises';
import {attachPlan} from '../probes/session.js';
import {judgeProblems, unavailableProblems} from '../correlate/problems.js';
import {planToJson, type PlanEntry} from '../probes/plan.js';
import {flagList, flagString, positiveInt, probeKind, seconds, type FlagValues} from '../options.js';
import {UsageError} from '../errors.js';
import {traceLive, traceSampleLine, traceSummary} from '../correlate/trace.js';
import {writeFileSync} from 'node:fs';
import {netnsSnapshot, pageBytes} from '../system/netns-state.js';
import {limitsHit, limitsOfNetns, netnsReport} from '../correlate/netns-report.js';
import {kernelErrors} from '../correlate/summary.js';
import {missedRunProblems} from '../correlate/missed-runs.js';
import {measurementRuns} from './program-runs.js';
import {openExperiment} from './lifecycle.js';
import {requireRoot} from '../system/preflight.js';

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
  // as root first: a namespace named by a user who is not is not looked for
  await requireRoot();
  const nsPath = netnsName ? `/run/netns/${netnsName}` : '/proc/self/ns/net';
  const inum = await stat(nsPath).then(
    (s) => Number(s.ino),
    () => {
      throw new UsageError(`No network namespace \`${netnsName}\` (${nsPath}): name one that \`ip netns list\` shows, or leave --netns out`);
    },
  );
  const x = await openExperiment(forced);
  const {stop, host} = x;
  try {
    // a headless sample is the run's sample shape, with what the summary would say at that moment under `trace`
    const view = await x.openView({
      headless: values.headless === true,
      line: traceSampleLine,
      hooks: {
        refreshMs: 1000,
        onStop: (why) => stop.trigger(why === 'q' ? 'SIGINT' : why),
        onPause: () => undefined,
        onSnapshot: (data) => {
          const name = `tcp-trace-trace-snapshot-${Date.now()}.json`;
          writeFileSync(name, `${JSON.stringify(data, null, 2)}\n`);
          return name;
        },
      },
    });
    // the traced namespace's own limits and counters (ip netns exec: /proc/sys/net and /proc/net are per namespace),
    // read before the probes attach and after they stop: ss and sysctl's own socket() calls there are not traced
    const [nsBefore, pageSize] = await Promise.all([netnsSnapshot(netnsName ?? null), pageBytes()]);
    // no warm-up here: its connections would land among the ones being traced; function probes are trusted
    const plan: PlanEntry[] = host.plan.map((p) => (p.variant ? {...p, variant: {...p.variant, live: undefined}} : p));
    const session = await attachPlan(plan, {
      bpftrace: host.bpftrace.path, version: host.bpftrace.version, kmemNameDataOffset: host.capabilities.kmemNameDataOffset, structOffsets: host.capabilities.structOffsets, netnsInum: inum, connections: 20_000, journal: x.lab.journal,
      warmUp: async () => undefined,
      process: {pids, comm},
      ports: {either: port ?? 0, local: lport ?? 0, remote: rport ?? 0},
    });
    if (metricsPort) await x.serveMetrics(metricsPort, () => ({kernel: session.state()}));
    const limits = limitsOfNetns(host.limits, nsBefore);
    const who = [pids.length > 0 ? `pid ${pids.join(', ')}` : '', comm ? `comm ${comm}` : ''].filter(Boolean).join(', ');
    const ends = [port ? `port ${port} (either end)` : '', lport ? `local port ${lport}` : '', rport ? `remote port ${rport}` : ''].filter(Boolean).join(', ');
    view.note(`tracing namespace ${netnsName ?? 'of the host'} (inode ${inum})${ends ? `, connections on ${ends}` : ''}${who ? `, syscalls of ${who}` : ''}`);
    const tracingSince = Date.now();
    const failedProbes = session.failures;
    // the namespace's queued bytes beside slab, on the dashboard (read without a socket: the trace counts socket())
    const queues = x.pollQueues(netnsName ?? null);
    // what makes a number wrong: a measurement that never attached, bpftrace's problems, runs the kernel skipped
    const problemsWith = (runs: Awaited<ReturnType<typeof measurementRuns>>) => [...unavailableProblems(failedProbes), ...session.problems(), ...missedRunProblems(runs)];
    // one sample at once, then one a second: the dashboard's, or a JSON line
    x.sample({
      live: async (memAvailableBytes) => {
        const kernel = session.state();
        const live = traceLive({
          tMs: x.elapsedMs(), kernel, port, portsFiltered: true, plan: session.plan, failedProbes, limits,
          portRange: limits.ipLocalPortRange, memAvailableBytes, buffers: queues.latest(),
        });
        if (!view.headless) return live;
        const runs = await measurementRuns(session);
        return {...live, trace: {...traceSummary(kernel, null, problemsWith(runs), session.plan), runs}};
      },
    });
    await Promise.race([durationS > 0 ? sleep(durationS * 1000) : new Promise(() => undefined), stop.signalled]);
    x.stopSampling();
    const {kernel, runs} = await x.stopProbes(session);
    const nsAfter = await netnsSnapshot(netnsName ?? null);
    // bpftrace's problems are kept after the programs stop
    const problems = problemsWith(runs);
    // the summary on the terminal as it was (a dashboard's screen restored first)
    view.close();
    process.stdout.write(`${JSON.stringify({
      type: 'summary', mode: 'trace', netns: {name: netnsName ?? null, inum}, port, lport, rport, pids, comm: comm ?? null, durationMs: Date.now() - tracingSince,
      ...traceSummary(kernel, null, problems, session.plan), lostEvents: session.lostEvents(),
      // runs of each measurement's programs the kernel skipped (recursion_misses) and ran (run_cnt)
      runs,
      namespace: netnsReport(nsBefore, nsAfter, pageSize),
      // the limit each error points at, with the evidence (EADDRNOTAVAIL: the range, or a 4-tuple already in use)
      limitsHit: limitsHit(kernelErrors(kernel), nsAfter),
      probePlan: planToJson(session.plan), probeFailures: failedProbes,
      stoppedBy: stop.reason(),
      // what makes numbers wrong (a bpftrace version's defect, full maps, helper errors), in words
      warnings: [...x.bpftraceWarnings, ...judgeProblems(problems).warnings],
    })}\n`);
    return stop.reason() === 'SIGTERM' ? 143 : 0;
  } finally {
    await x.close();
  }
}
