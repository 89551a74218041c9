// tracefs: bpftrace reads tracepoint formats from it; mount it (journaled) where the host has not. Several
// tcp-trace commands share one mount: each claims it in its journal, and the last one to end unmounts it.
import {access} from 'node:fs/promises';
import {run} from './exec.js';
import {isMounted, mountClaimedByOthers, withJournalLock, type Journal} from '../lab/journal.js';

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

// Mount tracefs if missing, or share the mount another tcp-trace command made (a claim in the journal either
// way, so that every exit path of the last user unmounts it); says what it found.
export async function ensureTracefs(journal: Journal): Promise<'present' | 'mounted' | 'shared'> {
  return withJournalLock(async () => {
    if (await isMounted(TRACEFS)) {
      // another command's mount (live, or dead and not yet undone): share it; the host's own: leave it be
      if (!(await mountClaimedByOthers(TRACEFS, journal, false))) return 'present';
      journal.record({kind: 'mount', target: TRACEFS});
      return 'shared';
    }
    if (await tracefsMounted()) return 'present';
    journal.record({kind: 'mount', target: TRACEFS});
    await run('mount', ['-t', 'tracefs', 'nodev', TRACEFS]);
    return 'mounted';
  });
}
