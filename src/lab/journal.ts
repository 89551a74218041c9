// The journal: every change to the host is written to /run/tcp-trace/ before it is made, and undone from it.
import {appendFileSync, fsyncSync, openSync, closeSync} from 'node:fs';
import {mkdir, readdir, readFile, rm, rmdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {run} from '../system/exec.js';
import {signalRecorded, isSameProcess, startTimeOf} from '../system/processes.js';
import {setTimeout as sleep} from 'node:timers/promises';

// One recorded change, with what is needed to undo it.
export type JournalEntry =
  | {kind: 'netns'; name: string}
  | {kind: 'mount'; target: string}
  | {kind: 'sysctl'; path: string; before: string}
  | {kind: 'process'; pid: number; startTime: number; what: string};

// Where journals live (tmpfs: gone after a reboot, as are the changes they record).
export const JOURNAL_DIR = process.env.TCP_TRACE_JOURNAL_DIR ?? '/run/tcp-trace';

// An open journal of this process.
export class Journal {
  readonly path: string;
  private readonly entries: JournalEntry[] = [];

  constructor(readonly ownerPid = process.pid, dir = JOURNAL_DIR) {
    this.path = join(dir, `journal-${ownerPid}.ndjson`);
  }

  // Create the journal file and record the owner (so restore can tell a live run from a dead one).
  async open(): Promise<this> {
    await mkdir(JOURNAL_DIR, {recursive: true});
    const startTime = (await startTimeOf(this.ownerPid)) ?? 0;
    this.writeLine({owner: this.ownerPid, startTime});
    return this;
  }

  // Record entry durably; call before making the change it describes.
  record(entry: JournalEntry): void {
    this.entries.push(entry);
    this.writeLine(entry);
  }

  // Undo every change, newest first, then delete the journal (kept, for `restore`, when something failed).
  async undoAll(): Promise<string[]> {
    const failures = await undoEntries(this.entries);
    this.entries.length = 0;
    if (failures.length === 0) {
      await rm(this.path, {force: true});
      // the folder goes too once no run has a journal in it (another run's keeps it)
      await rmdir(JOURNAL_DIR).catch(() => undefined);
    }
    return failures;
  }

  private writeLine(value: unknown) {
    appendFileSync(this.path, `${JSON.stringify(value)}\n`);
    const fd = openSync(this.path, 'r');
    fsyncSync(fd);
    closeSync(fd);
  }
}

// Undo one entry; idempotent (what is already gone is fine).
export async function undoEntry(entry: JournalEntry): Promise<void> {
  switch (entry.kind) {
    case 'process': {
      if (await signalRecorded(entry.pid, entry.startTime, 'SIGTERM')) {
        for (let i = 0; i < 30 && (await isSameProcess(entry.pid, entry.startTime)); i++) await sleep(100);
        await signalRecorded(entry.pid, entry.startTime, 'SIGKILL');
      }
      return;
    }
    case 'netns': {
      const list = await run('ip', ['netns', 'list']);
      if (list.split('\n').some((l) => l.split(' ')[0] === entry.name)) await run('ip', ['netns', 'del', entry.name]);
      return;
    }
    case 'mount': {
      const mounts = await readFile('/proc/self/mounts', 'utf8');
      if (mounts.split('\n').some((l) => l.split(' ')[1] === entry.target)) await run('umount', [entry.target]);
      return;
    }
    case 'sysctl': {
      await writeFile(entry.path, entry.before);
      return;
    }
  }
}

async function undoEntries(entries: JournalEntry[]): Promise<string[]> {
  const failures: string[] = [];
  for (const entry of [...entries].reverse()) {
    try {
      await undoEntry(entry);
    } catch (error) {
      failures.push(`${entry.kind}: ${(error as Error).message}`);
    }
  }
  return failures;
}

// A journal left on disk: its owner and entries, and whether the owner still runs.
export type LeftoverJournal = {path: string; ownerPid: number; ownerAlive: boolean; entries: JournalEntry[]};

// Read every journal under JOURNAL_DIR.
export async function listJournals(): Promise<LeftoverJournal[]> {
  const names = await readdir(JOURNAL_DIR).catch(() => [] as string[]);
  const out: LeftoverJournal[] = [];
  for (const name of names.filter((n) => /^journal-\d+\.ndjson$/.test(n))) {
    const path = join(JOURNAL_DIR, name);
    const lines = (await readFile(path, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const parsed = lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return []; // a line cut short by a crash
      }
    });
    const head = parsed.find((p) => 'owner' in p) as {owner: number; startTime: number} | undefined;
    const ownerPid = head?.owner ?? Number(/\d+/.exec(name)?.[0]);
    const ownerAlive = head ? await isSameProcess(head.owner, head.startTime) : false;
    out.push({path, ownerPid, ownerAlive, entries: parsed.filter((p) => 'kind' in p) as JournalEntry[]});
  }
  return out;
}

// Undo a dead run's journal and delete it; returns what failed.
export async function undoLeftover(journal: LeftoverJournal): Promise<string[]> {
  const failures = await undoEntries(journal.entries);
  if (failures.length === 0) {
    await rm(journal.path, {force: true});
    await rmdir(JOURNAL_DIR).catch(() => undefined);
  }
  return failures;
}
