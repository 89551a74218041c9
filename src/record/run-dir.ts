// The run directory: manifest.json, samples.ndjson (appended as the run goes), warnings.txt (likewise, where any),
// connections.csv, summary.json.
import {appendFileSync, chownSync, closeSync, mkdirSync, openSync, writeFileSync, writeSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {connectionsCsvHeader, runDirName} from './format.js';

// connections.csv while the run goes: rows appended in order, closed once.
export type ConnectionsFile = {append: (rows: string) => void; close: () => void};

// Files written under sudo belong to the user who ran sudo, not root.
function owner(env = process.env): {uid: number; gid: number} | null {
  const uid = Number(env.SUDO_UID);
  const gid = Number(env.SUDO_GID);
  return Number.isInteger(uid) && Number.isInteger(gid) && env.SUDO_UID ? {uid, gid} : null;
}

// An open run directory.
export class RunDir {
  private readonly who = owner();

  private constructor(readonly path: string) {}

  // Make parent/<timestamp>-<scenario>/ (and parent itself).
  static create(parent: string, scenario: string, now = new Date()): RunDir {
    const dir = new RunDir(resolve(parent, runDirName(now, scenario)));
    mkdirSync(dir.path, {recursive: true});
    dir.own(resolve(parent));
    dir.own(dir.path);
    return dir;
  }

  // Write a JSON file whole.
  writeJson(name: string, value: unknown): void {
    const file = join(this.path, name);
    writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
    this.own(file);
  }

  // Append one line to samples.ndjson (flushed at once: a crash keeps every line written).
  appendSample(value: unknown): void {
    const file = join(this.path, 'samples.ndjson');
    appendFileSync(file, `${JSON.stringify(value)}\n`);
    this.own(file);
  }

  // Append one line to warnings.txt: what made a number wrong, as it was seen (a crash keeps it).
  appendWarning(tMs: number, text: string): void {
    const file = join(this.path, 'warnings.txt');
    appendFileSync(file, `${(tMs / 1000).toFixed(1)} s  ${text}\n`);
    this.own(file);
  }

  // Open connections.csv (header written) for rows appended as they come: each append is one write(2) of a
  // batch's rows, done before it returns, so that a crash or SIGKILL keeps every row the run had counted.
  openConnections(): ConnectionsFile {
    const file = join(this.path, 'connections.csv');
    const fd = openSync(file, 'w');
    this.own(file);
    writeSync(fd, connectionsCsvHeader());
    let open = true;
    return {
      append: (rows: string) => {
        if (open && rows.length > 0) writeSync(fd, rows);
      },
      close: () => {
        if (open) closeSync(fd);
        open = false;
      },
    };
  }

  private own(path: string) {
    if (this.who) {
      try {
        chownSync(path, this.who.uid, this.who.gid);
      } catch {
        // a filesystem without ownership (vfat): the file stays root's
      }
    }
  }
}
