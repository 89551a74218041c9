// Each measurement's BPF programs as the kernel counts them (runs, runs skipped), read from the fdinfo of the fds
// its bpftrace process holds: read while that process runs (its programs go with it).
import {bpfStatsEnabled, programsOf} from '../system/bpf-programs.js';
import {runsByMeasurement, type MeasurementRuns} from '../correlate/missed-runs.js';
import type {ProbeSession} from '../probes/session.js';

// Runs of each attached measurement (only: that one alone), as runsByMeasurement counts them. A process serves
// several measurements: each gets the programs, runs and skipped runs of the whole process, but for a variant whose
// hooks run in task context only (a syscall cannot nest in a running program) the skipped runs are not its own: 0.
// Reads /proc and bpf_stats_enabled; never throws.
export async function measurementRuns(session: Pick<ProbeSession, 'attached'>, only?: string): Promise<Record<string, MeasurementRuns>> {
  const [statsEnabled, list] = await Promise.all([
    bpfStatsEnabled(),
    Promise.all(
      session.attached
        .filter((a) => only === undefined || a.entry.measurement === only)
        .map(async (a) => ({measurement: a.entry.measurement, programs: await programsOf(a.handle.pid), uncharged: a.entry.variant?.taskContextOnly})),
    ),
  ]);
  return runsByMeasurement(list, statsEnabled);
}
