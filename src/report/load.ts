// Read a recorded run directory (manifest.json, summary.json, samples.ndjson).
import {readFile} from 'node:fs/promises';
import {basename, join} from 'node:path';
import {UsageError} from '../errors.js';

// One connection attempt of connections.csv: the destination's port, the local port, connect()'s time as the
// generator measured it, the errno (null: it succeeded) and when, from the run's start.
export type ConnectionRow = {remotePort: number; localPort: number; connectNs: number; errno: string | null; atMs: number};

// A recorded run as plain data; `connections` only where connections.csv was kept.
export type RecordedRun = {name: string; manifest: any; summary: any; samples: any[]; connections?: ConnectionRow[]};

// Load dir; a one-line UsageError when it is not a run directory.
export async function loadRun(dir: string): Promise<RecordedRun> {
  const read = (file: string) => readFile(join(dir, file), 'utf8').catch(() => null);
  // one after the other, so the message names the first file missing, whatever the disk answers first
  const manifest = await read('manifest.json');
  if (manifest === null) {
    throw new UsageError(`\`${dir}\` is not a tcp-trace run directory (no manifest.json): give a folder that \`tcp-trace run\` wrote, e.g. tcp-trace-runs/<time>-ramp`);
  }
  const summary = await read('summary.json');
  const samples = parseSamples((await read('samples.ndjson')) ?? '');
  if (summary === null) {
    throw new UsageError(`\`${dir}\` holds a run that did not finish (no summary.json; samples.ndjson keeps its ${samples.length} samples): report a run that ended, or read samples.ndjson as it is`);
  }
  const csv = await read('connections.csv');
  return {name: basename(dir), manifest: JSON.parse(manifest), summary: JSON.parse(summary), samples, ...(csv === null ? {} : {connections: parseConnections(csv)})};
}

// connections.csv by its header's column names; a row cut by a kill (too few fields) is skipped.
export function parseConnections(text: string): ConnectionRow[] {
  const [head, ...rows] = text.split('\n');
  const col = Object.fromEntries((head ?? '').split(',').map((name, i) => [name.trim(), i]));
  const need = ['remote_port', 'local_port', 'connect_ns', 'errno', 'at_ms'];
  if (need.some((n) => col[n] === undefined)) return [];
  return rows.flatMap((line) => {
    const f = line.split(',');
    if (f.length <= Math.max(...need.map((n) => col[n]!))) return [];
    const num = (n: string) => Number(f[col[n]!]);
    return [{remotePort: num('remote_port'), localPort: num('local_port'), connectNs: num('connect_ns'), errno: f[col.errno!]!.trim() || null, atMs: num('at_ms')}];
  });
}

// One sample a line; a run killed mid-line leaves a cut last line: skip what does not parse.
function parseSamples(text: string): any[] {
  return text.split('\n').flatMap((l) => {
    try {
      return l.trim() ? [JSON.parse(l)] : [];
    } catch {
      return [];
    }
  });
}
