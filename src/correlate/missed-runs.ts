// Pure accounting of the runs the kernel skipped, per measurement: every program of the measurement's bpftrace
// process, its recursion_misses summed, and the problem that makes its numbers wrong.
import {PROG_TYPE_PERF_EVENT, type ProgramStats} from '../system/bpf-programs.js';
import type {MeasurementProblem} from './problems.js';

// One measurement's programs: how many, runs skipped by the kernel (null: this kernel does not say), and runs
// counted (null: kernel.bpf_stats_enabled is 0, so the kernel did not count them).
export type MeasurementRuns = {programs: number; recursionMisses: number | null; eventsMissed: number | null; runCount: number | null};

// Per measurement, from each attached program's fdinfo stats; eventsMissed leaves out the interval (print)
// programs, whose skipped run is a late print, not a lost event. uncharged: the measurement's own hooks run in task
// context only (a syscall cannot nest in a running program), so the process's skipped runs are not its own: 0.
export function runsByMeasurement(list: Array<{measurement: string; programs: ProgramStats[]; uncharged?: boolean}>, statsEnabled: boolean): Record<string, MeasurementRuns> {
  const out: Record<string, MeasurementRuns> = {};
  for (const {measurement, programs, uncharged} of list) {
    const known = uncharged || programs.every((p) => p.recursionMisses !== null);
    const sum = (ps: ProgramStats[]) => (uncharged ? 0 : ps.reduce((n, p) => n + (p.recursionMisses ?? 0), 0));
    out[measurement] = {
      programs: programs.length,
      recursionMisses: known ? sum(programs) : null,
      eventsMissed: known ? sum(programs.filter((p) => p.progType !== PROG_TYPE_PERF_EVENT)) : null,
      runCount: statsEnabled ? programs.reduce((n, p) => n + p.runCount, 0) : null,
    };
  }
  return out;
}

// A problem for each measurement whose event programs the kernel skipped: its numbers are low (or, for slab,
// held bytes too high) by up to that many events.
export function missedRunProblems(runs: Record<string, MeasurementRuns>): MeasurementProblem[] {
  return Object.entries(runs)
    .filter(([, r]) => (r.eventsMissed ?? 0) > 0)
    .map(([measurement, r]) => ({
      kind: 'missed-runs' as const,
      map: null,
      measurement,
      count: r.eventsMissed!,
      text: `the kernel skipped ${r.eventsMissed} runs of its programs (recursion_misses: another BPF program was running on that CPU)`,
    }));
}
