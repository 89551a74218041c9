// The lab's private network namespace: made, configured and deleted. Its name (the bind mount under
// /run/netns) is the only part that could outlive tcp-trace: a watchdog started before it deletes it as soon
// as tcp-trace is gone (its stdin, a pipe from tcp-trace, reads end of file however tcp-trace died, SIGKILL
// included); the namespace itself ends with its last process, and every process in it dies with tcp-trace.
import {spawn, type ChildProcess} from 'node:child_process';
import {stat} from 'node:fs/promises';
import {run} from '../system/exec.js';
import type {Journal} from './journal.js';

// A namespace the lab made: its name (for `ip netns exec`), inode (what bpftrace filters on), and the release
// of its name (the watchdog deletes it, and is waited for).
export type Netns = {name: string; inum: number; watchdogPid: number; release: () => Promise<void>};

// The lab's namespace name for a run of this process.
export function labNetnsName(pid = process.pid): string {
  return `tcptrace-${pid}`;
}

// The watchdog's shell: deaf to the terminal's and the group's signals, it waits for its stdin to close and
// deletes the namespace ($0). What it cannot do (killed itself by SIGKILL) the journal's entry still does.
export const WATCHDOG_SCRIPT = `trap '' HUP INT TERM QUIT PIPE; read -r _; exec ip netns del "$0" 2>/dev/null`;

// Start the watchdog of namespace name.
export function startWatchdog(name: string): ChildProcess {
  return spawn('sh', ['-c', WATCHDOG_SCRIPT, name], {stdio: ['pipe', 'ignore', 'ignore']});
}

// Make a namespace with loopback up and its own ip_local_port_range.
export async function createNetns(
  journal: Journal,
  name: string,
  portRange?: {low: number; high: number},
): Promise<Netns> {
  journal.record({kind: 'netns', name});
  // the watchdog first: a namespace made after it is deleted with it, whatever happens next
  const watchdog = startWatchdog(name);
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
  watchdog.once('error', () => undefined);
  let released: Promise<void> | null = null;
  const release = () =>
    (released ??= (async () => {
      watchdog.stdin?.end();
      const timer = setTimeout(() => watchdog.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    })());
  try {
    await run('ip', ['netns', 'add', name]);
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    if (portRange) {
      // per-namespace sysctl: it goes away with the namespace, the host's stays untouched
      await nsExec(name, ['sysctl', '-q', '-w', `net.ipv4.ip_local_port_range=${portRange.low} ${portRange.high}`]);
    }
    const {ino} = await stat(`/run/netns/${name}`);
    return {name, inum: Number(ino), watchdogPid: watchdog.pid ?? -1, release};
  } catch (error) {
    await release();
    throw error;
  }
}

// Run a command inside the namespace and return its stdout.
export function nsExec(name: string, command: string[]): Promise<string> {
  return run('ip', ['netns', 'exec', name, ...command]);
}

// Read a sysctl as the namespace sees it.
export async function nsSysctl(name: string, key: string): Promise<string> {
  return (await nsExec(name, ['sysctl', '-n', key])).trim();
}
