// Pure judgement of what bpftrace said went wrong: which summary numbers each problem makes wrong, the warning
// lines that name them, and the numbers that are withheld ("incomplete: why") instead of printed.
import type {OutputProblem} from '../bpftrace/runner.js';
import {mapOwner, moduleOf} from '../measurements/index.js';

// Runs of a measurement's programs that the kernel skipped (recursion_misses of their fds: a tracepoint or kprobe
// hit while another BPF program ran on that CPU), each an event not counted.
export type MissedRuns = {kind: 'missed-runs'; map: null; text: string; count: number};

// A measurement left without a program: every variant planned failed to attach or stayed silent (text: why).
export type Unavailable = {kind: 'unavailable'; map: null; text: string; count: number};

// A problem of one measurement's program (from the probe session, or its programs' recursion_misses), or its
// having none.
export type MeasurementProblem = (OutputProblem | MissedRuns | Unavailable) & {measurement: string};

// The measurements left without a program at start, as problems: their numbers are withheld, never shown as zero.
export function unavailableProblems(failures: Array<{measurement: string; why: string}>): MeasurementProblem[] {
  return failures.map((f) => ({kind: 'unavailable', map: null, text: f.why, count: 1, measurement: f.measurement}));
}


// What a problem makes wrong, in words, for the warning line.
function consequence(p: MeasurementProblem): string {
  if (p.kind === 'unavailable') return `${p.measurement} numbers are withheld (no program measured them)`;
  if (p.kind === 'missed-runs') {
    return p.measurement === 'slab' ? 'slab held is wrong (skipped frees stay counted as held)' : `${p.measurement} numbers are low by up to ${p.count} events`;
  }
  if (p.map && mapOwner(p.map)?.decl.feeds?.includes('ports.correlation')) return 'port counts per destination and the 4-tuple correlation are low';
  if (p.measurement === 'slab') return 'slab held per connection is wrong (frees of dropped objects are not matched)';
  return `${p.measurement} numbers are low`;
}

// The fields a measurement without a program leaves empty, where they differ from its declared feeds: connect() calls
// (kernel.syscalls.connect) are counted by the port allocation program; run's slab.byCache falls back to
// /proc/slabinfo.
const UNAVAILABLE_FIELDS: Record<string, string[]> = {
  portAllocation: [...(moduleOf('portAllocation')?.feeds ?? []), 'kernel.syscalls'],
  slab: (moduleOf('slab')?.feeds ?? []).filter((f) => f !== 'slab.byCache'),
};

// The fields a problem makes wrong.
export function fieldsOf(p: MeasurementProblem): string[] {
  if (p.kind === 'not-json') return [];
  if (p.kind === 'unavailable') return UNAVAILABLE_FIELDS[p.measurement] ?? moduleOf(p.measurement)?.feeds ?? [];
  // a map whose loss touches fewer fields than its whole measurement's says which (the declarations' feeds)
  return (p.map ? mapOwner(p.map)?.decl.feeds : undefined) ?? moduleOf(p.measurement)?.feeds ?? [];
}

// A few failed helper calls (a map update refused with -EBUSY when a softirq's program interrupts another holding
// the same bucket: seen once in a run of 499 with bpftrace 0.23) each lose one event: where they are at most 1 % of
// the connections measured, the numbers are kept and the warning says by how much they may be off.
const TOLERATED_SHARE = 0.01;

// One warning line per problem ("fourTuples: @tuples full at 4096 keys: new keys were dropped; port counts ...")
// and the fields to withhold, each with why. `connections`: how many the numbers are of (for the tolerated share).
export function judgeProblems(problems: MeasurementProblem[], connections?: number): {warnings: string[]; incomplete: Record<string, string>} {
  const warnings: string[] = [];
  const incomplete: Record<string, string> = {};
  for (const p of problems) {
    const times = p.count > 1 && p.kind !== 'missed-runs' && p.kind !== 'unavailable' ? ` (${p.count} times)` : '';
    const fields = fieldsOf(p);
    const tolerated = p.kind === 'helper-error' && connections !== undefined && connections > 0 && p.count <= TOLERATED_SHARE * connections;
    if (tolerated) {
      warnings.push(`${p.measurement}: ${p.text}${times}; ${p.measurement} numbers may be off by ${p.count} event(s) of ${connections} connections (under 1 %: kept)`);
      continue;
    }
    warnings.push(fields.length ? `${p.measurement}: ${p.text}${times}; ${consequence(p)}` : `${p.measurement}: ${p.text}${times}`);
    for (const f of fields) incomplete[f] ??= `${p.measurement}: ${p.text}`;
  }
  return {warnings, incomplete};
}

// run's slab program's skipped runs, bounded: it runs for every allocation and free on the host and keeps the lab
// tasks', so the runs the kernel skips (an interrupt's RCU frees or timer work nested in a running program) are the
// host's nearly always; one that was the lab's moves its held bytes by one object at most. run keeps its slab numbers
// and says the worst case: skipped runs x the largest object of the caches it counted (objsize, /proc/slabinfo), as
// bytes and as a share of the bytes held. Measured here: 0-9 skipped runs a run, while the lab's TCP and
// sock_inode_cache objects came out exact (2 x objsize a connection) in every test. trace, whose few connections
// a skipped run could well be, withholds instead (judgeProblems).
export function boundSlabMisses(problems: MeasurementProblem[], heldBytes: number, largestObjectBytes: number): {rest: MeasurementProblem[]; warnings: string[]} {
  const warnings: string[] = [];
  const rest = problems.filter((p) => {
    if (p.kind !== 'missed-runs' || p.measurement !== 'slab' || heldBytes <= 0 || largestObjectBytes <= 0) return true;
    const boundBytes = p.count * largestObjectBytes;
    const share = (boundBytes / heldBytes) * 100;
    warnings.push(`slab: ${p.text}; slab held may be off by up to ${boundBytes} B (${p.count} x the largest object, ${largestObjectBytes} B), ${share < 0.1 ? '<0.1' : share.toFixed(1)} % of the ${heldBytes} B held: kept`);
    return false;
  });
  return {rest, warnings};
}

// The value, or null where its field (dotted path) is withheld as incomplete.
export function unlessIncomplete<T>(incomplete: Record<string, string>, path: string, value: T): T | null {
  return path in incomplete ? null : value;
}
