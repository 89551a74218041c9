// The lab's private network namespace: made, configured and deleted, every step journaled first.
import {stat} from 'node:fs/promises';
import {run} from '../system/exec.js';
import type {Journal} from './journal.js';

// A namespace the lab made: its name (for `ip netns exec`) and inode (what bpftrace filters on).
export type Netns = {name: string; inum: number};

// The lab's namespace name for a run of this process.
export function labNetnsName(pid = process.pid): string {
  return `tcptrace-${pid}`;
}

// Make a namespace with loopback up and its own ip_local_port_range.
export async function createNetns(
  journal: Journal,
  name: string,
  portRange?: {low: number; high: number},
): Promise<Netns> {
  journal.record({kind: 'netns', name});
  await run('ip', ['netns', 'add', name]);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  if (portRange) {
    // per-namespace sysctl: it goes away with the namespace, the host's stays untouched
    await nsExec(name, ['sysctl', '-q', '-w', `net.ipv4.ip_local_port_range=${portRange.low} ${portRange.high}`]);
  }
  const {ino} = await stat(`/run/netns/${name}`);
  return {name, inum: Number(ino)};
}

// Run a command inside the namespace and return its stdout.
export function nsExec(name: string, command: string[]): Promise<string> {
  return run('ip', ['netns', 'exec', name, ...command]);
}

// Read a sysctl as the namespace sees it.
export async function nsSysctl(name: string, key: string): Promise<string> {
  return (await nsExec(name, ['sysctl', '-n', key])).trim();
}
