// The journal: a change to the host that the kernel cannot undo by itself (the tracefs mount; a namespace's
// name until its watchdog removes it) is written to /run/tcp-trace/ before it is made, and undone from it.
// Processes need no journal: they die with tcp-trace (PR_SET_PDEATHSIG); bpftrace entries are still read.
import {appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmdirSync, rmSync, writeFileSync} from 'node:fs';
import {readdir, readFile, rm, rmdir, writeFile} from 'node:fs/promises';
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

// An open journal of this process; its file exists only while it records a change.
export class Journal {
  readonly path: string;
  private readonly entries: JournalEntry[] = [];
  private startTime = 0;

  constructor(
    readonly ownerPid = process.pid,
    readonly dir = JOURNAL_DIR,
  ) {
    this.path = join(dir, `journal-${ownerPid}.ndjson`);
  }

  // Note the owner's start time (so restore can tell a live run from a dead one); the file comes with the first entry.
  async open(): Promise<this> {
    this.startTime = (await startTimeOf(this.ownerPid)) ?? 0;
    return this;
  }

  // Record entry durably; call before making the change it describes.
  record(entry: JournalEntry): void {
    this.entries.push(entry);
    this.rewrite();
  }

  // The entries recorded and not undone yet.
  recorded(): readonly JournalEntry[] {
    return this.entries;
  }

  // Drop an entry (its change is undone, or handed over); the file goes with the last one.
  forget(entry: JournalEntry): void {
    const i = this.entries.indexOf(entry);
    if (i >= 0) this.entries.splice(i, 1);
    this.rewrite();
  }

  // Undo every change, newest first, then delete the journal (kept, for `restore`, when something failed).
  async undoAll(): Promise<string[]> {
    const failures: string[] = [];
    for (const entry of [...this.entries].reverse()) {
      try {
        await undoEntry(entry, this);
        this.forget(entry);
      } catch (error) {
        failures.push(`${entry.kind}: ${(error as Error).message}`);
      }
    }
    return failures;
  }

  // The whole file, owner first, written to a new file and renamed over the old one (a crash keeps one of the two).
  private rewrite() {
    if (this.entries.length === 0) {
      rmSync(this.path, {force: true});
      try {
        // the folder goes too once no run has a journal in it (another run's keeps it)
        rmdirSync(this.dir);
      } catch {
        // not empty, or gone
      }
      return;
    }
    mkdirSync(this.dir, {recursive: true});
    const tmp = `${this.path}.tmp`;
    const lines = [{owner: this.ownerPid, startTime: this.startTime}, ...this.entries].map((v) => `${JSON.stringify(v)}\n`).join('');
    writeFileSync(tmp, lines);
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.path);
  }
}

// Runs fn holding the journal folder's lock (an O_EXCL file naming its holder; a dead holder's is taken over):
// mounting or unmounting the shared tracefs and reading the others' claims on it is one step.
export async function withJournalLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(JOURNAL_DIR, {recursive: true});
  const lock = join(JOURNAL_DIR, 'lock');
  for (let i = 0; ; i++) {
    try {
      const fd = openSync(lock, 'wx');
      appendFileSync(fd, `${process.pid} ${(await startTimeOf(process.pid)) ?? 0}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [pid, start] = (await readFile(lock, 'utf8').catch(() => '')).trim().split(' ').map(Number);
      // a holder that died (or one that has not written its pid yet, for over a second) leaves a stale lock
      if ((pid && !(await isSameProcess(pid, start ?? 0))) || (!pid && i > 20)) await rm(lock, {force: true});
      else if (i > 200) throw new Error(`${lock} is held by pid ${pid} for over 10 s`);
      else await sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, {force: true});
    await rmdir(JOURNAL_DIR).catch(() => undefined);
  }
}

// True when a run other than self (a live one only, with liveOnly) claims the mount at target: the last one unmounts it.
export async function mountClaimedByOthers(target: string, self?: Journal, liveOnly = true): Promise<boolean> {
  return (await listJournals()).some(
    (j) => (j.ownerAlive || !liveOnly) && j.path !== self?.path && j.entries.some((e) => e.kind === 'mount' && e.target === target),
  );
}

// True when target is a mount point now.
export async function isMounted(target: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return mounts.split('\n').some((l) => l.split(' ')[1] === target);
}

// Undo one entry; idempotent (what is already gone is fine). Says what it undid, or null when nothing was left.
// A mount's claim is dropped from the journal first, then the mount goes only when no live run claims it.
export async function undoEntry(entry: JournalEntry, journal?: Journal): Promise<string | null> {
  switch (entry.kind) {
    case 'process': {
      if (await signalRecorded(entry.pid, entry.startTime, 'SIGTERM')) {
        for (let i = 0; i < 30 && (await isSameProcess(entry.pid, entry.startTime)); i++) await sleep(100);
        await signalRecorded(entry.pid, entry.startTime, 'SIGKILL');
        return `ended ${entry.what} (pid ${entry.pid})`;
      }
      return null;
    }
    case 'netns': {
      const list = await run('ip', ['netns', 'list']);
      if (!list.split('\n').some((l) => l.split(' ')[0] === entry.name)) return null;
      try {
        await run('ip', ['netns', 'del', entry.name]);
      } catch (error) {
        // its watchdog removed it in the meantime
        if ((await run('ip', ['netns', 'list'])).split('\n').some((l) => l.split(' ')[0] === entry.name)) throw error;
        return null;
      }
      return `deleted namespace ${entry.name}`;
    }
    case 'mount': {
      return withJournalLock(async () => {
        journal?.forget(entry);
        if ((await mountClaimedByOthers(entry.target, journal)) || !(await isMounted(entry.target))) return null;
        await run('umount', [entry.target]);
        return `unmounted ${entry.target}`;
      });
    }
    case 'sysctl': {
      await writeFile(entry.path, entry.before);
      return `restored ${entry.path}`;
    }
  }
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

// What undoing a dead run's journal did: the changes undone (those that were still there) and what failed.
export type UndoneLeftover = {ownerPid: number; undone: string[]; failures: string[]; entries: number};

// Undo a dead run's journal, newest first, and delete it when nothing failed.
export async function undoLeftover(journal: LeftoverJournal): Promise<UndoneLeftover> {
  const undone: string[] = [];
  const failures: string[] = [];
  for (const entry of [...journal.entries].reverse()) {
    try {
      const did = await undoEntry(entry);
      if (did) undone.push(did);
    } catch (error) {
      failures.push(`${entry.kind}: ${(error as Error).message}`);
    }
  }
  if (failures.length === 0) {
    await rm(journal.path, {force: true});
    await rmdir(JOURNAL_DIR).catch(() => undefined);
  }
  return {ownerPid: journal.ownerPid, undone, failures, entries: journal.entries.length};
}

// Undo what every dead run left; one line for each run that had something left (none when the kernel took it all).
export async function undoLeftovers(): Promise<string[]> {
  const lines: string[] = [];
  for (const j of (await listJournals()).filter((x) => !x.ownerAlive)) {
    const r = await undoLeftover(j);
    if (r.failures.length > 0) lines.push(`could not undo what killed run ${r.ownerPid} left (${r.failures.join('; ')}): run \`sudo tcp-trace restore\``);
    else if (r.undone.length > 0) lines.push(`undid what killed run ${r.ownerPid} left: ${r.undone.join(', ')}`);
  }
  return lines;
}
