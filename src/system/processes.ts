// Process identity by pid and start time, so that a recorded pid is never confused with a reused one.
import {readFile} from 'node:fs/promises';
import {parseStat} from './proc-parse.js';

// The start time (clock ticks since boot) of pid, or null when it is gone.
export async function startTimeOf(pid: number): Promise<number | null> {
  try {
    return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8')).startTime;
  } catch {
    return null;
  }
}

// The CPU time pid has used so far, user plus system, in ms, or null when it is gone. /proc counts it in clock
// ticks of USER_HZ, 100 a second on every architecture node runs on (include/asm-generic/param.h).
export async function cpuMsOf(pid: number): Promise<number | null> {
  try {
    return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8')).cpuTicks * 10;
  } catch {
    return null;
  }
}

// True when pid is alive and started at startTime: a process exiting (its memory gone, so no command line)
// or exited and not yet reaped (a zombie, whose parent died) is not, and no signal can reach it.
export async function isSameProcess(pid: number, startTime: number): Promise<boolean> {
  try {
    const stat = parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
    if (stat.startTime !== startTime || stat.state === 'Z' || stat.state === 'X') return false;
    return (await readFile(`/proc/${pid}/cmdline`)).length > 0;
  } catch {
    return false;
  }
}

// Send signal to pid only when it is still the process that was recorded.
export async function signalRecorded(pid: number, startTime: number, signal: NodeJS.Signals): Promise<boolean> {
  if (!(await isSameProcess(pid, startTime))) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
