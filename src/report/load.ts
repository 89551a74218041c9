// Read a recorded run directory (manifest.json, summary.json, samples.ndjson).
import {readFile} from 'node:fs/promises';
import {basename, join} from 'node:path';
import {UsageError} from '../errors.js';

// A recorded run as plain data.
export type RecordedRun = {name: string; manifest: any; summary: any; samples: any[]};

// Load dir; a one-line UsageError when it is not a run directory.
export async function loadRun(dir: string): Promise<RecordedRun> {
  const read = async (file: string) => {
    try {
      return await readFile(join(dir, file), 'utf8');
    } catch {
      throw new UsageError(`\`${dir}\` is not a tcp-trace run directory (no ${file}): give a folder that \`tcp-trace run\` wrote, e.g. tcp-trace-runs/<time>-ramp`);
    }
  };
  const [manifest, summary, samples] = await Promise.all([read('manifest.json'), read('summary.json'), read('samples.ndjson').catch(() => '')]);
  return {
    name: basename(dir),
    manifest: JSON.parse(manifest),
    summary: JSON.parse(summary),
    // a run killed mid-line leaves a cut last line: skip what does not parse
    samples: samples.split('\n').flatMap((l) => {
      try {
        return l.trim() ? [JSON.parse(l)] : [];
      } catch {
        return [];
      }
    }),
  };
}
