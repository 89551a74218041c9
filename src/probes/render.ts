// Pure rendering of a probe file for the installed bpftrace: kfunc/kretfunc become fentry/fexit from 0.19.
import {functionProbeSpelling, type BpftraceVersion} from '../bpftrace/version.js';

// The program text bpftrace `version` accepts best.
export function renderProgram(text: string, version: BpftraceVersion): string {
  const spell = functionProbeSpelling(version);
  if (spell.entry === 'kfunc') return text;
  // only probe specifiers at the start of a line (or after ", "), never comments or strings
  return text.replace(/^(\s*|.*,\s*)kretfunc:/gm, `$1${spell.exit}:`).replace(/^(\s*|.*,\s*)kfunc:/gm, `$1${spell.entry}:`);
}
