// The kernel's own counts for the BPF programs a process holds, from /proc/PID/fdinfo of its program fds:
// runs (run_cnt, counted only while kernel.bpf_stats_enabled is 1) and runs skipped because another BPF
// program was running on that CPU (recursion_misses, Linux 5.12+; tracepoint programs count them from 6.7).
import {readFile, readdir} from 'node:fs/promises';

// One loaded program as its fdinfo tells it; recursionMisses null where the kernel does not say (before 5.12).
export type ProgramStats = {progId: number; progType: number; runCount: number; runTimeNs: number; recursionMisses: number | null};

// BPF_PROG_TYPE_PERF_EVENT: bpftrace's interval probes (a skipped run is a late print, no event lost).
export const PROG_TYPE_PERF_EVENT = 7;

// A /proc/PID/fdinfo/FD text -> the program's stats, or null when the fd is not a BPF program.
export function parseProgFdinfo(text: string): ProgramStats | null {
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s*(\\d+)\\s*$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  const progId = field('prog_id');
  // a bpf_link's fdinfo names its program too (prog_id) but has no run counts: not a program (bpftrace 0.27 holds a
  // link per attachment; read after the program's fd, it hid the program's recursion_misses)
  if (progId === null || /^link_id:/m.test(text)) return null;
  return {progId, progType: field('prog_type') ?? 0, runCount: field('run_cnt') ?? 0, runTimeNs: field('run_time_ns') ?? 0, recursionMisses: field('recursion_misses')};
}

// The programs pid holds (each once, by prog_id); [] when it is gone.
export async function programsOf(pid: number): Promise<ProgramStats[]> {
  const fds = await readdir(`/proc/${pid}/fdinfo`).catch(() => [] as string[]);
  const texts = await Promise.all(fds.map((fd) => readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '')));
  const byId = new Map<number, ProgramStats>();
  for (const t of texts) {
    const p = parseProgFdinfo(t);
    if (p) byId.set(p.progId, p);
  }
  return [...byId.values()];
}

// True when the kernel counts runs (kernel.bpf_stats_enabled = 1); run_cnt stays 0 otherwise.
export async function bpfStatsEnabled(): Promise<boolean> {
  return (await readFile('/proc/sys/kernel/bpf_stats_enabled', 'utf8').catch(() => '0')).trim() === '1';
}
