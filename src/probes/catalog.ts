// The probe variants of every measurement, best first, as the planner and the session use them: built from the
// measurement modules' declarations (src/measurements/).
import {fileURLToPath} from 'node:url';
import {join} from 'node:path';
import {REGISTRY, type Measurement, type Need, type ProbeKind} from '../measurements/index.js';

export type {Measurement, Need, ProbeKind} from '../measurements/index.js';

// One way of serving one measurement: its probe files (a base plus the kind's extras), composed in order.
export type Variant = {
  measurement: Measurement;
  kind: ProbeKind;
  // the file that names the variant (the last one no other variant of its measurement composes: the kind's own;
  // else its last), for the plan, the manifest and messages
  file: string;
  files?: string[];
  needs: Need[];
  hooks: string;
  // liveness: maps that must reach perConnection x connections after a few trial connections
  // (a function can be inlined into its callers and stay silent); tracepoints always fire
  live?: Array<{map: string; perConnection: number}>;
  // keys its largest map holds per connection (a port pair, live slab objects); bpftrace 0.17 sizes
  // every map of a program alike (BPFTRACE_MAP_KEYS_MAX), so only these programs get large maps
  keysPerConnection?: number;
  // keys its largest map holds per connection in flight (a handshake's start time): sized by the connections open
  // at once
  keysInFlight?: number;
  // its hooks fire only in task context, so the kernel never skips its programs (the module's, or the variant's)
  taskContextOnly?: boolean;
};

// Where probes/*.bt live: TCP_TRACE_PROBES_DIR (a copy of probes/ to edit and run), else the package's own folder.
export const PROBES_DIR = process.env.TCP_TRACE_PROBES_DIR || join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'probes');

// Every measurement, in display order.
export const MEASUREMENTS: Measurement[] = REGISTRY.map((m) => m.name);

// Variants known to this build, best first within each measurement (DESIGN §3).
export const VARIANTS: Variant[] = REGISTRY.flatMap((m) =>
  m.variants.map((v) => ({
    measurement: m.name,
    kind: v.kind,
    file: [...v.files].reverse().find((f) => m.variants.every((o) => o === v || !o.files.includes(f))) ?? v.files.at(-1)!,
    files: v.files,
    needs: v.needs,
    hooks: v.hooks,
    ...(v.live ? {live: v.live} : {}),
    ...(m.keysPerConnection ? {keysPerConnection: m.keysPerConnection} : {}),
    ...(m.keysInFlight ? {keysInFlight: m.keysInFlight} : {}),
    ...((v.taskContextOnly ?? m.taskContextOnly) ? {taskContextOnly: true} : {}),
  })),
);

// The kernel functions any variant needs (looked up once per host).
export function neededFunctions(variants: Variant[] = VARIANTS): string[] {
  return [...new Set(variants.flatMap((v) => v.needs.filter((n) => n.startsWith('fn:')).map((n) => n.slice(3))))];
}

// The absolute paths of a variant's programs, in composition order.
export function variantPaths(v: Variant): string[] {
  return (v.files ?? [v.file]).map((f) => join(PROBES_DIR, f));
}
