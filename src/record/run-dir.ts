// The run directory: manifest.json, samples.ndjson (appended as the run goes), warnings.txt (likewise, where any),
// connections.csv, summary.json.
import {appendFileSync, chownSync, createWriteStream, mkdirSync, writeFileSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {once} from 'node:events';
import type {ConnRecord} from '../load/protocol.js';
import {connectionsCsvHeader, connectionCsvRow, runDirName} from './format.js';

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

  // Write connections.csv, one row per connection attempt, streamed.
  async writeConnections(records: ConnRecord[]): Promise<void> {
    const file = join(this.path, 'connections.csv');
    const out = createWriteStream(file);
    out.write(connectionsCsvHeader());
    for (const r of records) {
      if (!out.write(connectionCsvRow(r))) await once(out, 'drain');
    }
    out.end();
    await once(out, 'close');
    this.own(file);
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
