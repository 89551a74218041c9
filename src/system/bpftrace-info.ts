// Where bpftrace is and which version: the facts the planner and the manifest need.
import {access, constants} from 'node:fs/promises';
import {delimiter, join} from 'node:path';
import {ExecError, run} from './exec.js';
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

// The version bpftrace reports, or why it gave none: its error (exit status, stderr, or the timeout) or its output.
// 60 s: a bpftrace linked against LLVM and clang maps ~150 MB of libraries, which a cold disk can take seconds on.
export async function bpftraceVersion(path: string, timeoutMs = 60_000): Promise<{version: BpftraceVersion} | {why: string}> {
  let output: string;
  try {
    output = await run(path, ['--version'], timeoutMs);
  } catch (error) {
    // the reason alone: the caller names the command (`<path> --version gave no version (why)`)
    return {why: error instanceof ExecError ? error.reason : (error as Error).message};
  }
  const version = parseBpftraceVersion(output);
  return version ? {version} : {why: `it printed ${JSON.stringify(output.trim().slice(0, 80))}`};
}

// Warning lines for a bpftrace version with a defect the tool cannot work around, or that is too old.
export function versionWarnings(version: BpftraceVersion): string[] {
  const support = versionSupport(version);
  return support.status === 'supported' ? [] : [`${support.why}: numbers may be wrong (${support.fix})`];
}
