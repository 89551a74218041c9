// Read a recorded run directory (manifest.json, summary.json, samples.ndjson).
import {readFile} from 'node:fs/promises';
import {basename, join} from 'node:path';
import {UsageError} from '../errors.js';

// A recorded run as plain data.
export type RecordedRun = {name: string; manifest: any; summary: any; samples: any[]};

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
  return {name: basename(dir), manifest: JSON.parse(manifest), summary: JSON.parse(summary), samples};
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
