import test from 'ava';
import {planProbes, planToJson, type HostCapabilities} from '../../../src/probes/plan.js';
import type {Variant} from '../../../src/probes/catalog.js';

const host = (kfunc: boolean, kprobe: boolean, tracepoint: boolean, kmemName = true): HostCapabilities => ({
  kinds: {
    kfunc: {attaches: kfunc, why: kfunc ? 'ok' : 'kfunc/kretfunc not available for your kernel version.'},
    kprobe: {attaches: kprobe, why: kprobe ? 'ok' : "Error attaching probe: 'kprobe:tcp_v4_rcv'"},
    tracepoint: {attaches: tracepoint, why: tracepoint ? 'ok' : 'no tracefs'},
  },
  kmemName,
  btf: true,
});

const variants: Variant[] = [
  {measurement: 'portAllocation', kind: 'kfunc', file: 'portalloc-kfunc.bt', needs: ['btf'], hooks: 'kretfunc:inet_hash_connect'},
  {measurement: 'portAllocation', kind: 'kprobe', file: 'portalloc-kprobe.bt', needs: [], hooks: 'kretprobe:inet_hash_connect'},
  {measurement: 'portAllocation', kind: 'tracepoint', file: 'portalloc-tp.bt', needs: ['btf'], hooks: 'sock:inet_sock_set_state'},
  {measurement: 'slab', kind: 'tracepoint', file: 'slab-tp.bt', needs: ['btf', 'kmemName'], hooks: 'kmem:kmem_cache_alloc'},
];
const entry = (h: HostCapabilities, m: string, forced?: 'kfunc' | 'kprobe' | 'tracepoint') => planProbes(h, forced, variants).find((p) => p.measurement === m)!;

const table: Array<[string, HostCapabilities, 'kfunc' | 'kprobe' | 'tracepoint' | null]> = [
  ['a kernel with everything takes kfunc', host(true, true, true), 'kfunc'],
  ['kfunc refused: kprobe', host(false, true, true), 'kprobe'],
  ['this machine (tracepoints only): tracepoint', host(false, false, true), 'tracepoint'],
  ['nothing attaches: unavailable', host(false, false, false), null],
];
for (const [title, h, kind] of table) {
  test(`portAllocation: ${title}`, (t) => t.is(entry(h, 'portAllocation').kind, kind));
}

test('the reason names every better variant passed over and why', (t) => {
  const e = entry(host(false, false, true), 'portAllocation');
  t.deepEqual(e.passedOver.map((p) => p.kind), ['kfunc', 'kprobe']);
  t.regex(e.why, /kfunc: kfunc does not attach here: kfunc\/kretfunc not available/);
  t.regex(e.why, /kprobe: kprobe does not attach here: Error attaching probe/);
  // bpftrace's own closing period does not meet the separator
  t.is(e.why, "sock:inet_sock_set_state; kfunc: kfunc does not attach here: kfunc/kretfunc not available for your kernel version; kprobe: kprobe does not attach here: Error attaching probe: 'kprobe:tcp_v4_rcv'");
});

test('a measurement with no variant is unavailable, with the reason', (t) => {
  const e = entry(host(true, true, true), 'receiveLookup');
  t.is(e.kind, null);
  t.regex(e.why, /^unavailable here: /);
});

test('slab needs the kmem name field: unavailable on kernels before 6.18 without a kfunc variant', (t) => {
  const e = entry(host(false, false, true, false), 'slab');
  t.is(e.kind, null);
  t.regex(e.why, /no `name` field/);
});

test('--probes forces one kind', (t) => {
  t.is(entry(host(true, true, true), 'portAllocation', 'tracepoint').kind, 'tracepoint');
  t.is(entry(host(true, true, true), 'portAllocation', 'kprobe').kind, 'kprobe');
  t.is(entry(host(false, false, true), 'portAllocation', 'kfunc').kind, null);
});

test('the plan as JSON has kind, file and why per measurement', (t) => {
  const json = planToJson(planProbes(host(false, false, true), undefined, variants));
  t.deepEqual(Object.keys(json), ['connections', 'portAllocation', 'fourTuples', 'socketCreation', 'receiveLookup', 'slab', 'timeWait']);
  t.like(json.portAllocation, {kind: 'tracepoint', file: 'portalloc-tp.bt'});
});
