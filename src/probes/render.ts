// Pure rendering of a probe file for the installed bpftrace: kfunc/kretfunc become fentry/fexit from 0.20, and
// bpftrace 0.23's misread tracepoint strings are read at the right address.
import {dataLocMisread, functionProbeSpelling, type BpftraceVersion} from '../bpftrace/version.js';

// What the host adds to a program's text beyond the bpftrace version.
export type RenderFacts = {
  // bytes from the kmem_cache_alloc record's start to its `name` string (the tracepoint format's fixed size)
  kmemNameDataOffset?: number | null;
};

// The expression slab-tp.bt reads the cache name with; bpftrace 0.23 computes args->name as the record's
// address + 4 x the string's offset (see dataLocMisread), so 3 x the offset is taken back off.
const KMEM_NAME = 'str(args->name, 32)';

// Why a program cannot be rendered right for this bpftrace, or null: slab-tp.bt on 0.23 needs the name's offset.
export function renderRefusal(text: string, version: BpftraceVersion, facts: RenderFacts = {}): string | null {
  if (text.includes(KMEM_NAME) && dataLocMisread(version) && !facts.kmemNameDataOffset) {
    return `bpftrace ${version.text} misreads tracepoint strings and the offset of kmem_cache_alloc's name is unknown (no tracefs format)`;
  }
  return null;
}

// The program text bpftrace `version` accepts best (the process filter is the composer's: processFiltered).
export function renderProgram(text: string, version: BpftraceVersion, facts: RenderFacts = {}): string {
  const spell = functionProbeSpelling(version);
  if (dataLocMisread(version) && facts.kmemNameDataOffset) {
    text = text.replaceAll(KMEM_NAME, `str((int8 *)((uint64)args->name - ${3 * Math.trunc(facts.kmemNameDataOffset)}), 32)`);
  }
  if (spell.entry === 'kfunc') return text;
  // only probe specifiers at the start of a line (or after ", "), never comments or strings
  return text.replace(/^(\s*|.*,\s*)kretfunc:/gm, `$1${spell.exit}:`).replace(/^(\s*|.*,\s*)kfunc:/gm, `$1${spell.entry}:`);
}
