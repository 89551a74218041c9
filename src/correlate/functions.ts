// Pure summary of what the kernel-function probes (kfunc / kprobe variants) counted; null fields where none ran.
import {bucketQuantile, bucketTotal, type Bucket} from '../bpftrace/parse.js';
import {latency} from './latency.js';
import {counter, counterTotal, type KernelState} from './kernel-state.js';
import {errnoName} from './errno.js';
import type {PlanEntry} from '../probes/plan.js';


// Sum of value x count over an lhist of width 1 (bucket min is the value; the open top bucket counts its values
// at its lower bound, so the total is then a lower bound).
function weightedTotal(b: Bucket[] | undefined): number {
  return (b ?? []).reduce((n, x) => n + (Number.isFinite(x.min) ? x.min * x.count : 0), 0);
}

// The function-probe counts of a run, by measurement served by a kfunc or kprobe variant.
export function functionCounts(k: KernelState, plan: PlanEntry[]) {
  const fn = (m: string) => {
    const kind = plan.find((p) => p.measurement === m)?.kind;
    return kind === 'kfunc' || kind === 'kprobe';
  };
  const lookups = counter(k, '@lookups');
  const byCaller = (caller: string) => ({hit: lookups[`${caller},hit`] ?? 0, miss: lookups[`${caller},miss`] ?? 0});
  return {
    // one @attempts sample per inet_hash_connect return, success or not
    hashConnectCalls: fn('portAllocation') ? bucketTotal(k.hists['@attempts'] ?? []) : null,
    hashConnectOk: fn('portAllocation') ? counterTotal(k, '@port_new') : null,
    hashConnectErrors: fn('portAllocation') ? Object.fromEntries(Object.entries(counter(k, '@hash_connect_errno')).map(([e, n]) => [errnoName(Number(e)), n])) : null,
    // exact from @attempts_sum; the lhist's weighted total (a lower bound past its top) where a probe lacks it
    checkEstablished: fn('portAllocation') ? (k.counters['@attempts_sum'] ? counterTotal(k, '@attempts_sum') : weightedTotal(k.hists['@attempts'])) : null,
    attemptsPerConnect: fn('portAllocation') && k.hists['@attempts'] ? {p50: bucketQuantile(k.hists['@attempts'], 0.5), p99: bucketQuantile(k.hists['@attempts'], 0.99)} : null,
    hashConnectLatency: fn('portAllocation') ? latency(k.hists['@hash_connect_ns']) : null,
    bindPorts: fn('portAllocation') ? counterTotal(k, '@bind_ports') : null,
    sockAlloc: fn('socketCreation') ? counterTotal(k, '@sock_alloc') : null,
    sockAllocInode: fn('socketCreation') ? counterTotal(k, '@sock_alloc_inode') : null,
    sockAllocLatency: fn('socketCreation') ? latency(k.hists['@sock_alloc_ns']) : null,
    tcpV4Rcv: fn('receiveLookup') ? counterTotal(k, '@tcp_v4_rcv') : null,
    lookups: fn('receiveLookup') ? counterTotal(k, '@lookups') : null,
    lookupsByCaller: fn('receiveLookup') ? {earlyDemux: byCaller('early_demux'), tcpV4Rcv: byCaller('tcp_v4_rcv')} : null,
    lookupLatency: fn('receiveLookup') ? {earlyDemux: latency(k.hists['@lookup_ns[early_demux]']), tcpV4Rcv: latency(k.hists['@lookup_ns[tcp_v4_rcv]'])} : null,
  };
}
