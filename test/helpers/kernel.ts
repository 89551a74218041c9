// Kernel tests run as root with bpftrace installed; elsewhere they are skipped with the reason said
// (and .ci/run fails on any skip: CI is root and installs bpftrace).
import {execFileSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import {findBpftrace} from '../../src/system/bpftrace-info.js';
import {JOURNAL_DIR} from '../../src/lab/journal.js';

// bpftrace where the tool itself looks for it (BPFTRACE, then PATH, then the usual dirs).
const bpftrace = await findBpftrace();

function why(): string | null {
  if (process.getuid?.() !== 0) return 'kernel tests need root: run `sudo npm test`';
  if (!bpftrace) return 'bpftrace is not installed (nor BPFTRACE set): run `sudo npm run setup`';
  return null;
}

// Null when kernel tests can run here, else why not.
export const kernelSkipReason = why();

// The bpftrace the tool runs, for a test's own program beside it ('bpftrace' where none was found: the test skips).
export const bpftracePath = bpftrace ?? 'bpftrace';

// Namespaces the lab made (tcptrace-*) that still exist.
export function labNamespaces(): string[] {
  const out = execFileSync('ip', ['netns', 'list'], {encoding: 'utf8'});
  return out.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith('tcptrace-'));
}

// The tool's worker entry points in src/load: the load workers and the warm-up process.
const WORKER_SCRIPTS = ['server-worker.js', 'client-worker.js', 'warmup.js'];

// True when argv is a bpftrace (by any name or loader: an argument ending in /bpftrace or named bpftrace) or
// one of the tool's worker scripts.
export function isToolArgv(argv: string[]): boolean {
  return argv.some((a) => a === 'bpftrace' || a.endsWith('/bpftrace') || WORKER_SCRIPTS.some((s) => a.endsWith(`/load/${s}`)));
}

// Processes that are bpftrace or a load/warm-up worker of this tool (this test process excluded).
export function toolProcesses(): Array<{pid: number; cmd: string}> {
  const out: Array<{pid: number; cmd: string}> = [];
  for (const d of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue; // gone
    }
    if (Number(d) !== process.pid && isToolArgv(argv)) out.push({pid: Number(d), cmd: argv.join(' ')});
  }
  return out;
}

// Journals left in the tool's journal folder (the folder itself is removed when the last journal goes).
export function journals(): string[] {
  try {
    return readdirSync(JOURNAL_DIR).filter((n) => n.startsWith('journal-'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

// A cache's object size in bytes, as /proc/slabinfo lists it (name active_objs num_objs objsize ...).
export function objsize(cache: string): number {
  const line = readFileSync('/proc/slabinfo', 'utf8').split('\n').find((l) => l.split(/\s+/)[0] === cache);
  if (!line) throw new Error(`no ${cache} cache in /proc/slabinfo`);
  return Number(line.split(/\s+/)[3]);
}

// True when tracefs is mounted where bpftrace reads it (a run mounts it where the host has none, and unmounts it).
export function tracefsMounted(): boolean {
  return readFileSync('/proc/mounts', 'utf8').includes(' /sys/kernel/tracing tracefs ');
}
