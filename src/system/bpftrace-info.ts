// Where bpftrace is and which version: the facts the planner and the manifest need.
import {access, constants} from 'node:fs/promises';
import {delimiter, join} from 'node:path';
import {run} from './exec.js';
import {parseBpftraceVersion, versionSupport, type BpftraceVersion} from '../bpftrace/version.js';

// sudo's secure_path may lack the user's PATH entries; bpftrace lives in one of these on Debian.
const FALLBACK_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/sbin', '/bin'];

// The absolute path of bpftrace (BPFTRACE env first, then PATH, then the usual dirs), or null.
export async function findBpftrace(env = process.env): Promise<string | null> {
  if (env.BPFTRACE) return env.BPFTRACE;
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...FALLBACK_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, 'bpftrace');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

// The version bpftrace reports, or null when it cannot say.
export async function bpftraceVersion(path: string): Promise<BpftraceVersion | null> {
  try {
    return parseBpftraceVersion(await run(path, ['--version']));
  } catch {
    return null;
  }
}

// Warning lines for a bpftrace version with a defect the tool cannot work around, or that is too old.
export function versionWarnings(version: BpftraceVersion): string[] {
  const support = versionSupport(version);
  return support.status === 'supported' ? [] : [`${support.why}: numbers may be wrong (${support.fix})`];
}
