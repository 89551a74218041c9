// One experiment's lifecycle, the same for `run` and `trace`: open (root, stop signals, the lab, the host's probe
// plan), a view (dashboard or JSON lines), a sampler that draws and records one live state a second, the probes
// stopped with their skipped runs read first, and every part undone, newest first, on every exit path.
import {requireRoot} from '../system/preflight.js';
import {inspectHost, type Host} from '../system/host.js';
import {openLab, type Lab} from '../lab/lab.js';
import {onStopSignals, type StopSignals} from './stop-signals.js';
import {dashboardView, headlessView, type RunView} from './run-view.js';
import {startSampler, type SamplerOptions} from './run-sampler.js';
import {pollQueues} from '../system/netns-state.js';
import {serveMetrics} from '../metrics/server.js';
import type {MetricsInput} from '../metrics/exposition.js';
import {registerCleanup} from '../lab/cleanup.js';
import {versionWarnings} from '../system/bpftrace-info.js';
import {measurementRuns} from './program-runs.js';
import {missedRunProblems, type MeasurementRuns} from '../correlate/missed-runs.js';
import type {MeasurementProblem} from '../correlate/problems.js';
import type {ProbeSession} from '../probes/session.js';
import type {KernelState} from '../bpftrace/kernel-state.js';
import type {DashboardHooks} from '../dashboard/dashboard.js';
import type {LiveState} from '../correlate/live.js';
import type {ProbeKind} from '../probes/catalog.js';
import {PreconditionError, warnLine} from '../errors.js';

// What a view needs: a dashboard (on a terminal, unless headless) with its hooks, or JSON lines where `line` says
// what a sample's line holds (default: the sample).
export type ViewOptions = {headless: boolean; hooks: DashboardHooks; line?: (live: LiveState) => object};

// The probes' last totals, their runs the kernel skipped (read before they stopped) and what makes numbers wrong.
export type StoppedProbes = {kernel: KernelState; runs: Record<string, MeasurementRuns>; problems: MeasurementProblem[]};

// An open experiment; close() undoes it (call it in a finally).
export type Experiment = {
  stop: StopSignals;
  lab: Lab;
  host: Host;
  // when the command began: samples count from here, start-up included
  startedAt: Date;
  // ms since startedAt
  elapsedMs: () => number;
  // the bpftrace version's known defects, in words (noted on the view when it opens)
  bpftraceWarnings: string[];
  // the view; notes before openView() go nowhere
  view: RunView;
  openView: (o: ViewOptions) => Promise<RunView>;
  // run at close(), the last added first
  onClose: (fn: () => unknown) => void;
  // sample at once, then every second, until stopSampling() (or close())
  sample: (o: Omit<SamplerOptions, 'view'>) => void;
  // the sampler and the queue poller stop (a tick under way neither draws nor records)
  stopSampling: () => void;
  // the namespace's queued bytes (null: the host's), polled every few seconds on a terminal until stopSampling()
  // (latest() null in headless)
  pollQueues: (netns: string | null) => {latest: () => ReturnType<ReturnType<typeof pollQueues>['latest']>};
  // /metrics on 127.0.0.1:port, closed at close()
  serveMetrics: (port: number, current: () => MetricsInput) => Promise<void>;
  // each problem bpftrace reported (a full map, a helper error) noted once, as it appears; onNew: also recorded there
  noteProblems: (session: Pick<ProbeSession, 'problems'> | null, onNew?: (line: string) => void) => void;
  // stop the probes: skipped runs read while the programs are loaded (their fds go with bpftrace); frozen: runs
  // read earlier for a program that stopped before the others
  stopProbes: (session: ProbeSession, frozen?: Record<string, MeasurementRuns>) => Promise<StoppedProbes>;
  close: () => Promise<void>;
};

// Open an experiment: root, the stop signals, the lab (tracefs mounted where missing), the host and its plan.
// Throws PreconditionError when `--probes kind` can attach nothing here (the lab undone first).
export async function openExperiment(probes?: ProbeKind): Promise<Experiment> {
  await requireRoot();
  const startedAt = new Date();
  const stop = onStopSignals();
  let lab: Lab;
  try {
    lab = await openLab();
  } catch (error) {
    stop.dispose();
    throw error;
  }
  const closers: Array<() => unknown> = [];
  let view: RunView | null = null;
  let sampler: {stop: () => void} | null = null;
  let poller: {stop: () => void} | null = null;
  let closed = false;
  const stopSampling = () => {
    sampler?.stop();
    poller?.stop();
  };
  // each step runs whatever the one before did; a failure is said on stderr (as the cleanup stack does), and the
  // terminal is restored first
  const step = async (fn: () => unknown) => {
    try {
      await fn();
    } catch (error) {
      warnLine(`tcp-trace: cleanup failed: ${(error as Error).message}`);
    }
  };
  const close = async () => {
    if (closed) return;
    closed = true;
    stopSampling();
    await step(() => view?.close());
    for (const fn of closers.splice(0).reverse()) await step(fn);
    stop.dispose();
    await step(() => lab.close());
  };
  let host: Host;
  try {
    host = await inspectHost(lab.tracefs, probes);
    if (probes && host.plan.every((p) => !p.variant)) {
      throw new PreconditionError(`\`--probes ${probes}\` cannot attach here (${host.capabilities.kinds[probes].why}): use --probes tracepoint or leave it out`);
    }
  } catch (error) {
    await close();
    throw error;
  }
  const bpftraceWarnings = versionWarnings(host.bpftrace.version);
  const noted = new Set<string>();
  const nowhere: RunView = {headless: true, note: () => undefined, update: () => undefined, summary: () => undefined, finished: async () => undefined, close: () => undefined};
  const x: Experiment = {
    stop, lab, host, startedAt, bpftraceWarnings,
    elapsedMs: () => Date.now() - startedAt.getTime(),
    get view() {
      return view ?? nowhere;
    },
    openView: async ({headless, hooks, line}) => {
      view = headless || !process.stdout.isTTY ? headlessView(line) : await dashboardView(hooks);
      for (const l of lab.leftovers) view.note(l);
      if (host.tracefs === 'mounted') view.note('tracefs was not mounted: mounted it at /sys/kernel/tracing for this run');
      if (host.tracefs === 'shared') view.note('tracefs: sharing the mount another tcp-trace command made (the last one to end unmounts it)');
      for (const w of bpftraceWarnings) view.note(`warning: ${w}`);
      return view;
    },
    onClose: (fn) => void closers.push(fn),
    sample: (o) => {
      sampler = startSampler({...o, view: x.view});
    },
    stopSampling,
    pollQueues: (netns) => {
      const dashboard = view !== null && !view.headless;
      if (!dashboard || poller) return {latest: () => null};
      const q = pollQueues(netns);
      poller = q;
      return q;
    },
    serveMetrics: async (port, current) => {
      const metrics = await serveMetrics(port, current);
      closers.push(registerCleanup(metrics.close));
      x.view.note(`metrics: http://127.0.0.1:${port}/metrics`);
    },
    noteProblems: (session, onNew) => {
      for (const p of session?.problems() ?? []) {
        const line = `${p.measurement}: ${p.text}`;
        if (noted.has(line)) continue;
        noted.add(line);
        x.view.note(`warning: ${line}`);
        onNew?.(line);
      }
    },
    stopProbes: async (session, frozen = {}) => {
      const runs = {...(await measurementRuns(session)), ...frozen};
      const kernel = await session.stop();
      return {kernel, runs, problems: [...session.problems(), ...missedRunProblems(runs)]};
    },
    close,
  };
  return x;
}
