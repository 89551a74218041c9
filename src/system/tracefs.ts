// tracefs: bpftrace reads tracepoint formats from it; mount it (journaled) where the host has not.
import {access, readFile} from 'node:fs/promises';
import {run} from './exec.js';
import type {Journal} from '../lab/journal.js';

export const TRACEFS = '/sys/kernel/tracing';

// True when tracefs is mounted where bpftrace looks for it.
export async function tracefsMounted(): Promise<boolean> {
  try {
    await access(`${TRACEFS}/available_events`);
    return true;
  } catch {
    return false;
  }
}

// Mount tracefs if missing (recorded in the journal so every exit path unmounts it); says what it did.
export async function ensureTracefs(journal: Journal): Promise<'present' | 'mounted'> {
  if (await tracefsMounted()) return 'present';
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  if (!mounts.includes(` ${TRACEFS} tracefs`)) {
    journal.record({kind: 'mount', target: TRACEFS});
    await run('mount', ['-t', 'tracefs', 'nodev', TRACEFS]);
  }
  return 'mounted';
}
