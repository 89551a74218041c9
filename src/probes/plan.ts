// Pure planner: for each measurement, the best variant this host can attach, and why better ones were passed over.
import type {StructOffsets} from './render.js';
import {MEASUREMENTS, VARIANTS, type Measurement, type Need, type ProbeKind, type Variant} from './catalog.js';

// What the host lets us attach (from a trial attach of each kind) and what the kernel offers.
export type HostCapabilities = {
  // whether a trial program of each kind attached; null: not tried (under `--probes` another kind was asked for)
  kinds: Record<ProbeKind, {attaches: boolean | null; why: string}>;
  kmemName: boolean;
  btf: boolean;
  // kernel functions present (text symbols in /proc/kallsyms); absent means unknown: assumed present
  functions?: Record<string, boolean>;
  // where kmem:kmem_cache_alloc's `name` string starts in the tracepoint record (bytes), for bpftrace 0.23's
  // misread __data_loc fields; null or absent where unknown
  kmemNameDataOffset?: number | null;
  // the kernel's struct member offsets the probes read (from its BTF), for bpftrace before 0.24; null where unread
  structOffsets?: StructOffsets | null;
};

// The plan for one measurement: the chosen variant (and the next ones to try if it fails to attach
// or stays silent), or why none could serve it.
export type PlanEntry =
  | {measurement: Measurement; variant: Variant; kind: ProbeKind; why: string; passedOver: Array<{kind: ProbeKind; why: string}>; fallbacks: Variant[]}
  | {measurement: Measurement; variant: null; kind: null; why: string; passedOver: Array<{kind: ProbeKind; why: string}>; fallbacks: Variant[]};

function needWhy(need: Need): string {
  if (need === 'kmemName') return 'kmem:kmem_cache_alloc has no `name` field on this kernel (added in 6.18)';
  if (need === 'btf') return 'no BTF at /sys/kernel/btf/vmlinux (needed to read struct sock)';
  return `${need.slice(3)} is not in this kernel`;
}

function refusal(v: Variant, host: HostCapabilities, forced?: ProbeKind): string | null {
  if (forced && v.kind !== forced) return `--probes ${forced} was asked for`;
  if (!host.kinds[v.kind].attaches) return `${v.kind} does not attach here: ${host.kinds[v.kind].why}`;
  const missing = v.needs.find((n) => (n.startsWith('fn:') ? host.functions?.[n.slice(3)] === false : !host[n as 'btf' | 'kmemName']));
  return missing ? needWhy(missing) : null;
}

const KINDS: ProbeKind[] = ['kfunc', 'kprobe', 'tracepoint'];

// The kinds passed over and why, one clause each ("kfunc: ...; kprobe: ..."); a reason's own closing period (bpftrace
// ends its messages with one) is dropped so that it does not meet the separator.
export function passedOverText(list: Array<{kind: ProbeKind; why: string}>): string {
  return list.map((p) => `${p.kind}: ${p.why.replace(/\.\s*$/, '')}`).join('; ');
}

// Plan every measurement; forced limits the plan to one kind of hook. Candidates are tried in catalog order.
export function planProbes(host: HostCapabilities, forced?: ProbeKind, variants: Variant[] = VARIANTS): PlanEntry[] {
  return MEASUREMENTS.map((measurement) => {
    const candidates = variants.filter((v) => v.measurement === measurement);
    const passedOver: Array<{kind: ProbeKind; why: string}> = KINDS.filter((k) => !candidates.some((v) => v.kind === k)).map((kind) => ({
      kind,
      why: `no ${kind} variant in this build`,
    }));
    const usable = candidates.filter((v) => refusal(v, host, forced) === null);
    for (const v of candidates) {
      if (v === usable[0]) break;
      passedOver.push({kind: v.kind, why: refusal(v, host, forced)!});
    }
    const [chosen, ...fallbacks] = usable;
    if (chosen) {
      const why = passedOver.length === 0 ? chosen.hooks : `${chosen.hooks}; ${passedOverText(passedOver)}`;
      return {measurement, variant: chosen, kind: chosen.kind, why, passedOver, fallbacks};
    }
    return {measurement, variant: null, kind: null, why: `unavailable here: ${passedOverText(passedOver)}`, passedOver, fallbacks: []};
  });
}

// The entry after its chosen variant failed (why): the next fallback, or unavailable.
export function fallBack(entry: PlanEntry, why: string): PlanEntry {
  const failed = entry.variant ? [...entry.passedOver, {kind: entry.variant.kind, why}] : entry.passedOver;
  const [next, ...rest] = entry.fallbacks;
  if (!next) return {...entry, variant: null, kind: null, why: `unavailable here: ${passedOverText(failed)}`, passedOver: failed, fallbacks: []};
  return {...entry, variant: next, kind: next.kind, why: `${next.hooks}; ${passedOverText(failed)}`, passedOver: failed, fallbacks: rest};
}

// The plan as {measurement: {kind, why}} for the summary and manifest.
export function planToJson(plan: PlanEntry[]): Record<string, {kind: ProbeKind | null; file: string | null; why: string}> {
  return Object.fromEntries(plan.map((p) => [p.measurement, {kind: p.kind, file: p.variant?.file ?? null, why: p.why}]));
}

// One line per measurement, for `tcp-trace probes` and the dashboard.
export function formatPlan(plan: PlanEntry[]): string[] {
  return plan.map((p) => `${p.measurement.padEnd(15)} ${(p.kind ?? 'none').padEnd(10)} ${p.why}`);
}
