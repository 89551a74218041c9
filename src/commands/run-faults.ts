// Parts of a run failing mid-run (a worker, a bpftrace program, the run directory's disk, memory): each is
// noticed within a second, named in one line, recorded in the summary, and what it makes missing is said.
import {isSameProcess, startTimeOf} from '../system/processes.js';

// One fault: which part, when (ms since the run began), why, and what it makes missing.
export type Fault = {part: string; atMs: number; why: string; missing: string; measurement?: string};

// The one line a fault is named in.
export function faultLine(f: Fault): string {
  return `fault at ${(f.atMs / 1000).toFixed(1)} s: ${f.part}: ${f.why}; missing: ${f.missing}`;
}

// What a lost measurement shows instead of its numbers.
export function lostText(f: Fault): string {
  return `lost at ${(f.atMs / 1000).toFixed(1)} s: ${f.why}`;
}

// The summary's fields each measurement fills: a lost one's are replaced by its "lost at" text, never left
// frozen at the last totals the program printed.
const FIELDS: Record<string, Array<[string, string]>> = {
  connections: [['kernel', 'established']],
  // connect() calls are counted by the port allocation program (kernel.syscalls.connect)
  portAllocation: [['kernel', 'syscalls']],
  fourTuples: [['ports', 'perDestination'], ['ports', 'parity'], ['ports', 'correlation'], ['ports', 'fourTupleCount'], ['ports', 'localPortsByAddress']],
  socketCreation: [['kernel', 'syscalls'], ['kernel', 'latency']],
  receiveLookup: [['kernel', 'receive']],
  timeWait: [['kernel', 'timeWait']],
  slab: [['slab', 'bytesPerConnection'], ['slab', 'byCache']],
};

// The summary with every lost measurement's fields replaced by its "lost at" text (pure).
export function markLost<T extends Record<string, any>>(summary: T, faults: Fault[]): T {
  const out: Record<string, any> = structuredClone(summary);
  for (const f of faults) {
    for (const [group, field] of FIELDS[f.measurement ?? ''] ?? []) {
      if (out[group] && typeof out[group] === 'object') out[group][field] = lostText(f);
    }
  }
  return out as T;
}

// Watch bpftrace processes by pid (a 250 ms poll: they are not our children's children only, and the runner
// owns their exit); onDeath once for each that dies while watched. unwatch(measurement) before a planned stop.
export function watchPrograms(
  programs: Array<{measurement: string; pid: number; file: string}>,
  onDeath: (p: {measurement: string; pid: number; file: string}) => void,
): {unwatch: (measurement: string) => void; stop: () => void} {
  const watched = new Map<string, {measurement: string; pid: number; file: string; startTime: number | null}>();
  for (const p of programs) {
    const entry = {...p, startTime: null as number | null};
    watched.set(p.measurement, entry);
    void startTimeOf(p.pid).then((startTime) => {
      entry.startTime = startTime;
      // gone before it could be looked at
      if (startTime === null && watched.get(p.measurement) === entry) {
        watched.delete(p.measurement);
        onDeath(p);
      }
    });
  }
  const timer = setInterval(() => {
    for (const p of watched.values()) {
      if (p.startTime === null) continue;
      void isSameProcess(p.pid, p.startTime).then((alive) => {
        if (!alive && watched.get(p.measurement) === p) {
          watched.delete(p.measurement);
          onDeath(p);
        }
      });
    }
  }, 250);
  return {unwatch: (m) => void watched.delete(m), stop: () => clearInterval(timer)};
}
