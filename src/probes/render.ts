// Pure rendering of a probe file for the installed bpftrace: kfunc/kretfunc become fentry/fexit from 0.19.
import {functionProbeSpelling, type BpftraceVersion} from '../bpftrace/version.js';

// The process filter every probe file writes for its $2 (one pid; 0 = any).
export const PID_FILTER = '($2 == 0 || pid == $2)';

// The program text bpftrace `version` accepts best; with several pids, the one-pid filter becomes an `||` of them.
export function renderProgram(text: string, version: BpftraceVersion, pids: number[] = []): string {
  const spell = functionProbeSpelling(version);
  if (pids.length > 1) text = text.replaceAll(PID_FILTER, `(${pids.map((p) => `pid == ${Math.trunc(p)}`).join(' || ')})`);
  if (spell.entry === 'kfunc') return text;
  // only probe specifiers at the start of a line (or after ", "), never comments or strings
  return text.replace(/^(\s*|.*,\s*)kretfunc:/gm, `$1${spell.exit}:`).replace(/^(\s*|.*,\s*)kfunc:/gm, `$1${spell.entry}:`);
}
