// Pure planner: for each measurement, the best variant this host can attach, and why better ones were passed over.
import {MEASUREMENTS, VARIANTS, type Measurement, type Need, type ProbeKind, type Variant} from './catalog.js';

// What the host lets us attach (from a trial attach of each kind) and what the kernel offers.
export type HostCapabilities = {
  kinds: Record<ProbeKind, {attaches: boolean; why: string}>;
  kmemName: boolean;
  btf: boolean;
};

// The plan for one measurement: the chosen variant, or why none could serve it.
export type PlanEntry =
  | {measurement: Measurement; variant: Variant; kind: ProbeKind; why: string; passedOver: Array<{kind: ProbeKind; why: string}>}
  | {measurement: Measurement; variant: null; kind: null; why: string; passedOver: Array<{kind: ProbeKind; why: string}>};

const NEED_WHY: Record<Need, string> = {
  kmemName: 'kmem:kmem_cache_alloc has no `name` field on this kernel (added in 6.18)',
  btf: 'no BTF at /sys/kernel/btf/vmlinux (needed to read struct sock)',
};

const KIND_ORDER: ProbeKind[] = ['kfunc', 'kprobe', 'tracepoint'];

function refusal(v: Variant, host: HostCapabilities, forced?: ProbeKind): string | null {
  if (forced && v.kind !== forced) return `--probes ${forced} was asked for`;
  if (!host.kinds[v.kind].attaches) return `${v.kind} does not attach here: ${host.kinds[v.kind].why}`;
  const missing = v.needs.find((n) => !host[n]);
  return missing ? NEED_WHY[missing] : null;
}

// Plan every measurement; forced limits the plan to one kind of hook.
export function planProbes(host: HostCapabilities, forced?: ProbeKind, variants: Variant[] = VARIANTS): PlanEntry[] {
  return MEASUREMENTS.map((measurement) => {
    const candidates = variants
      .filter((v) => v.measurement === measurement)
      .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
    const passedOver: Array<{kind: ProbeKind; why: string}> = [];
    for (const kind of KIND_ORDER) {
      if (!candidates.some((v) => v.kind === kind)) passedOver.push({kind, why: `no ${kind} variant in this build`});
    }
    for (const v of candidates) {
      const why = refusal(v, host, forced);
      if (why === null) {
        const better = passedOver.filter((p) => KIND_ORDER.indexOf(p.kind) < KIND_ORDER.indexOf(v.kind));
        const reason = better.length === 0 ? `best variant (${v.hooks})` : `${v.hooks}; ${better.map((b) => `${b.kind}: ${b.why}`).join('; ')}`;
        return {measurement, variant: v, kind: v.kind, why: reason, passedOver: better};
      }
      passedOver.push({kind: v.kind, why});
    }
    const why = passedOver.map((p) => `${p.kind}: ${p.why}`).join('; ');
    return {measurement, variant: null, kind: null, why: `unavailable here: ${why}`, passedOver};
  });
}

// The plan as {measurement: {kind, why}} for the summary and manifest.
export function planToJson(plan: PlanEntry[]): Record<string, {kind: ProbeKind | null; file: string | null; why: string}> {
  return Object.fromEntries(plan.map((p) => [p.measurement, {kind: p.kind, file: p.variant?.file ?? null, why: p.why}]));
}

// One line per measurement, for `tcp-trace probes` and the dashboard.
export function formatPlan(plan: PlanEntry[]): string[] {
  return plan.map((p) => `${p.measurement.padEnd(15)} ${(p.kind ?? 'none').padEnd(10)} ${p.why}`);
}
