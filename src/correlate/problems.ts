// Pure judgement of what bpftrace said went wrong: which summary numbers each problem makes wrong, the warning
// lines that name them, and the numbers that are withheld ("incomplete: why") instead of printed.
import type {OutputProblem} from '../bpftrace/runner.js';

// Runs of a measurement's programs that the kernel skipped (recursion_misses of their fds: a tracepoint or kprobe
// hit while another BPF program ran on that CPU), each an event not counted.
export type MissedRuns = {kind: 'missed-runs'; map: null; text: string; count: number};

// A problem of one measurement's program (from the probe session, or its programs' recursion_misses).
export type MeasurementProblem = (OutputProblem | MissedRuns) & {measurement: string};

// The summary fields (dotted paths) each measurement's maps feed; a full map or a failed helper in that
// measurement's program makes them wrong.
const FIELDS: Record<string, string[]> = {
  connections: ['kernel.established'],
  portAllocation: ['ports.perDestination', 'ports.correlation', 'ports.parity', 'ports.pairs', 'ports.fourTuples', 'kernel.latency.connect'],
  socketCreation: ['kernel.syscalls', 'kernel.latency.socket'],
  receiveLookup: ['kernel.receive'],
  slab: ['slab.bytesPerConnection.tracepoint', 'slab.byCache', 'slab.heldBytesByCache', 'slab.connections'],
};

// Maps whose loss touches fewer fields than their whole measurement (map name -> fields).
const MAP_FIELDS: Record<string, string[]> = {
  '@ports': ['ports.perDestination', 'ports.correlation', 'ports.pairs'],
  '@tuples': ['ports.fourTuples'],
  '@connect_start': ['kernel.latency.connect'],
  '@socket_start': ['kernel.latency.socket'],
};

// What a problem makes wrong, in words, for the warning line.
function consequence(p: MeasurementProblem): string {
  if (p.kind === 'missed-runs') {
    return p.measurement === 'slab' ? 'slab held is wrong (skipped frees stay counted as held)' : `${p.measurement} numbers are low by up to ${p.count} events`;
  }
  if (p.map === '@ports') return 'port counts per destination and the 4-tuple correlation are low';
  if (p.measurement === 'slab') return 'slab held per connection is wrong (frees of dropped objects are not matched)';
  return `${p.measurement} numbers are low`;
}

// The fields a problem makes wrong.
export function fieldsOf(p: MeasurementProblem): string[] {
  if (p.kind === 'not-json') return [];
  return (p.map ? MAP_FIELDS[p.map] : undefined) ?? FIELDS[p.measurement] ?? [];
}

// A few failed helper calls (a map update refused with -EBUSY when a softirq's program interrupts another holding
// the same bucket: seen once in a run of 499 with bpftrace 0.23) each lose one event: where they are at most 1 % of
// the connections measured, the numbers are kept and the warning says by how much they may be off.
const TOLERATED_SHARE = 0.01;

// One warning line per problem ("portAllocation: @ports full at 4096 keys: new keys were dropped; port counts ...")
// and the fields to withhold, each with why. `connections`: how many the numbers are of (for the tolerated share).
export function judgeProblems(problems: MeasurementProblem[], connections?: number): {warnings: string[]; incomplete: Record<string, string>} {
  const warnings: string[] = [];
  const incomplete: Record<string, string> = {};
  for (const p of problems) {
    const times = p.count > 1 && p.kind !== 'missed-runs' ? ` (${p.count} times)` : '';
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

// The value, or null where its field (dotted path) is withheld as incomplete.
export function unlessIncomplete<T>(incomplete: Record<string, string>, path: string, value: T): T | null {
  return path in incomplete ? null : value;
}
