// The fourTuples measurement: its reading from folded totals (every variant alike), what the summary joins on, and
// the liveness flag of its function variants.
import test from 'ava';
import {readAll} from '../../../src/measurements/index.js';
import {VARIANTS} from '../../../src/probes/catalog.js';
import {silence} from '../../../src/probes/session.js';
import {joinPorts} from '../../../src/correlate/ports.js';
import {TupleSet} from '../../../src/correlate/tuple-set.js';
import {emptyKernelState, type KernelState} from '../../../src/bpftrace/kernel-state.js';

const state = (counters: KernelState['counters']): KernelState => ({...emptyKernelState(), counters});
// 127.0.0.1 as bpftrace prints the low word of the address (its bytes in network order read little-endian)
const LOOPBACK = 16_777_343;

test('the sets as bpftrace keys, alike on every kind; port allocation keeps no 4-tuple of its own', (t) => {
  const k = state({
    '@tuples': {[`2,0,${LOOPBACK},12000,0,${LOOPBACK},40001`]: 1, [`2,0,${LOOPBACK},12000,0,${LOOPBACK},40002`]: 1},
    '@ports': {'12000,40001': 1, '12000,40002': 1},
  });
  for (const kind of ['tracepoint', 'kprobe', 'kfunc'] as const) {
    t.deepEqual(readAll(k, {fourTuples: kind}).fourTuples, {pairs: ['12000,40001', '12000,40002'], tuples: Object.keys(k.counters['@tuples']!)});
  }
  t.false('tuples' in readAll(k).portAllocation);
  // what the summary joins the generator's records on: one of two kernel connections is the generator's
  const generator = new TupleSet();
  generator.add('127.0.0.1', 40001, '127.0.0.1', 12000);
  t.like(joinPorts(readAll(k).fourTuples.tuples, generator), {matched: 1, onlyKernel: 1, onlyGenerator: 0});
});

test('a function variant is alive once @tuples_hooked is 1 after the 2 warm-up connections; the tracepoint needs no check', (t) => {
  const kfunc = VARIANTS.find((v) => v.measurement === 'fourTuples' && v.kind === 'kfunc')!;
  t.is(silence(kfunc, state({'@tuples_hooked': {'': 1}}), 2), null);
  t.regex(silence(kfunc, state({}), 2)!, /^attached but silent: @tuples_hooked 0 after 2 connections/);
  t.is(VARIANTS.find((v) => v.measurement === 'fourTuples' && v.kind === 'tracepoint')!.live, undefined);
});

test('the function variants run in the caller\'s context: the runs the kernel skips in their process are not theirs; the tracepoint\'s are', (t) => {
  const of = (m: string, kind: string) => VARIANTS.find((v) => v.measurement === m && v.kind === kind)!;
  t.true(of('fourTuples', 'kfunc').taskContextOnly);
  t.true(of('fourTuples', 'kprobe').taskContextOnly);
  t.falsy(of('fourTuples', 'tracepoint').taskContextOnly);
  // a module's own flag reaches every variant (socket creation: syscalls and sock_alloc)
  for (const kind of ['kfunc', 'kprobe', 'tracepoint']) t.true(of('socketCreation', kind).taskContextOnly, kind);
  t.falsy(of('receiveLookup', 'tracepoint').taskContextOnly);
});
