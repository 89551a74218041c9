// Pure summary of what the kernel-function probes (kfunc / kprobe variants) counted; null fields where none ran.
import {bucketQuantile, bucketTotal, type Bucket} from '../bpftrace/parse.js';
import {latency} from './latency.js';
import {emptyKernelState, type KernelState} from '../bpftrace/kernel-state.js';
import {kindsOf, readAll, type Readings} from '../measurements/index.js';
import {errnoName} from './errno.js';
import {passedOverText, type PlanEntry} from '../probes/plan.js';


// Sum of value x count over an lhist of width 1 (bucket min is the value; the open top bucket counts its values
// at its lower bound, so the total is then a lower bound).
function weightedTotal(b: Bucket[] | null): number {
  return (b ?? []).reduce((n, x) => n + (Number.isFinite(x.min) ? x.min * x.count : 0), 0);
}

const errnoNames = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([e, n]) => [errnoName(Number(e)), n]));

// The kernel.functions fields, by the measurement whose function variants (kfunc, kprobe) feed them: one table, read
// by functionCounts for the values and by functionFieldsNotMeasured for the field names.
const FUNCTION_FIELDS = {
  portAllocation: (pa: Readings['portAllocation']) => ({
    // one @attempts sample per inet_hash_connect return, success or not
    hashConnectCalls: pa.attempts ? bucketTotal(pa.attempts) : null,
    hashConnectOk: pa.attempts ? pa.newByServerPortTotal : null,
    hashConnectErrors: pa.hashConnectErrors ? errnoNames(pa.hashConnectErrors) : null,
    // exact from the probe's sum; the lhist's weighted total (a lower bound past its top) where a probe lacks it
    checkEstablished: pa.attempts ? (pa.attemptsSum ?? weightedTotal(pa.attempts)) : null,
    attemptsPerConnect: pa.attempts?.length ? {p50: bucketQuantile(pa.attempts, 0.5), p99: bucketQuantile(pa.attempts, 0.99)} : null,
    hashConnectLatency: pa.hashConnectNs ? latency(pa.hashConnectNs) : null,
    bindPorts: pa.bindPorts,
    // inet_csk_get_port() failures (no port free at bind(ip, 0), or a conflict), as bind() reports them: EADDRINUSE
    bindPortErrors: pa.bindPortErrors ? errnoNames(pa.bindPortErrors) : null,
  }),
  socketCreation: (sc: Readings['socketCreation']) => ({
    sockAlloc: sc.sockAlloc,
    sockAllocInode: sc.sockAllocInode,
    sockAllocLatency: sc.sockAllocNs ? latency(sc.sockAllocNs) : null,
  }),
  receiveLookup: (rx: Readings['receiveLookup']) => ({
    tcpV4Rcv: rx.tcpV4Rcv,
    tcpV6Rcv: rx.tcpV6Rcv,
    lookups: rx.lookups,
    lookupsByCaller: rx.lookupsByCaller,
    lookupLatency: rx.lookupNs ? {earlyDemux: latency(rx.lookupNs.earlyDemux), tcpV4Rcv: latency(rx.lookupNs.tcpV4Rcv)} : null,
  }),
};

// The function-probe counts of a run, by measurement served by a kfunc or kprobe variant (null fields otherwise).
export function functionCounts(k: KernelState, plan: PlanEntry[]) {
  const r = readAll(k, kindsOf(plan));
  return {
    ...FUNCTION_FIELDS.portAllocation(r.portAllocation),
    ...FUNCTION_FIELDS.socketCreation(r.socketCreation),
    ...FUNCTION_FIELDS.receiveLookup(r.receiveLookup),
  };
}

// Why each function-probe field is null by design in this plan ({field: why}): kernel.functions.* and
// kernel.timeWait.reused, whose measurement ran a variant with no function probe (a tracepoint one: why its
// kfunc/kprobe variants were passed over), or none. A null such a field has for another reason (a map withheld) is in
// `incomplete`, not here.
export function functionFieldsNotMeasured(plan: ReadonlyArray<Pick<PlanEntry, 'measurement' | 'kind' | 'why' | 'passedOver'>>): Record<string, string> {
  // the field names, from the table read over no data
  const none = readAll(emptyKernelState());
  const fields: Array<[string, string[]]> = [
    ...Object.entries(FUNCTION_FIELDS).map(([m, read]): [string, string[]] => [m, Object.keys((read as (r: unknown) => object)(none[m as keyof Readings])).map((f) => `kernel.functions.${f}`)]),
    ['timeWait', ['kernel.timeWait.reused']],
  ];
  const out: Record<string, string> = {};
  for (const [measurement, paths] of fields) {
    const entry = plan.find((p) => p.measurement === measurement);
    if (entry?.kind === 'kfunc' || entry?.kind === 'kprobe') continue;
    const passed = (entry?.passedOver ?? []).filter((p) => p.kind === 'kfunc' || p.kind === 'kprobe');
    const why = !entry
      ? `${measurement} was not planned`
      : entry.kind === null
        ? `${measurement} did not run: ${entry.why}`
        : `${measurement} ran its ${entry.kind} variant, which hooks no kernel function${passed.length ? ` (${passedOverText(passed)})` : ''}`;
    for (const f of paths) out[f] = why;
  }
  return out;
}
