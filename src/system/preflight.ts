// Preconditions checked before anything is drawn or changed, each failing with one line and its fix.
import {readFile} from 'node:fs/promises';
import {PreconditionError} from '../errors.js';
import {missingCaps, parseCapEff} from './proc-parse.js';
import {bpftraceVersion, findBpftrace} from './bpftrace-info.js';
import type {BpftraceVersion} from '../bpftrace/version.js';

// Fail unless this process may load BPF programs and make namespaces.
export async function requireRoot(): Promise<void> {
  const status = await readFile('/proc/self/status', 'utf8');
  const missing = missingCaps(parseCapEff(status));
  if (process.getuid?.() !== 0 && missing.length > 0) {
    throw new PreconditionError(`tcp-trace needs root (${missing.join(', ')} missing): run it with sudo`);
  }
}

// bpftrace's path and version, or a one-line error saying how to install it.
export async function requireBpftrace(): Promise<{path: string; version: BpftraceVersion}> {
  const path = await findBpftrace();
  if (!path) throw new PreconditionError('bpftrace not found: run `sudo npm run setup` (or `apt-get install -y bpftrace`)');
  const answer = await bpftraceVersion(path);
  if ('why' in answer) throw new PreconditionError(`${path} --version gave no version (${answer.why}): reinstall bpftrace (apt-get install --reinstall bpftrace)`);
  const {version} = answer;
  if (version.major === 0 && version.minor < 17) {
    throw new PreconditionError(`bpftrace ${version.text} at ${path} is older than 0.17: install a newer bpftrace`);
  }
  return {path, version};
}
