// The ramp read by tenths: the rate table and where the rate fell (pure), from one-port's 100 000 run's shape.
import test from 'ava';
import {bindStep, rateCollapse, rateRows, type RampTenth} from '../../../src/scenarios/ramp-tenths.js';
import {readAll} from '../../../src/measurements/index.js';
import {emptyKernelState} from '../../../src/bpftrace/kernel-state.js';

const tenth = (i: number, established: number, rampMs: number, p50: number): RampTenth => ({
  tenth: i, established, attempted: 10_000, rampMs, kernel: {bindOk: 10_000, bindErrors: {}, bindNs: [{min: p50 / 2, max: p50 - 1, count: 10_000}]},
});

test('rateRows: connections per second of each tenth, per client address and share of the range, bind() quantiles', (t) => {
  const rows = rateRows([tenth(1, 10_000, 1000, 4096), tenth(2, 20_000, 2000, 8192)], 4, 25_000);
  t.deepEqual(rows, [
    {tenth: 1, established: 10_000, perAddress: 2500, rangeShare: 0.1, perSecond: 10_000, binds: 10_000, bindP50Ns: 4095, bindP99Ns: 4095},
    {tenth: 2, established: 20_000, perAddress: 5000, rangeShare: 0.2, perSecond: 5000, binds: 10_000, bindP50Ns: 8191, bindP99Ns: 8191},
  ]);
  // no kernel count: the rate stands, the bind() columns are null
  t.like(rateRows([{...tenth(1, 10, 10, 4096), kernel: null}], 1, 0)[0], {perSecond: 1000, binds: null, bindP50Ns: null, rangeShare: null});
});

test('rateCollapse: the first tenth under a quarter of the first tenth\'s rate, and where it began', (t) => {
  const rows = rateRows([tenth(1, 10_000, 1000, 4096), tenth(2, 20_000, 3000, 8192), tenth(3, 30_000, 12_000, 262_144)], 4, 28_232);
  t.deepEqual(rateCollapse(rows), {tenth: 3, fromPerSecond: 10_000, toPerSecond: 833, atConnections: 20_000, perAddress: 5000, rangeShare: 0.177, bindP50NsBefore: 4095, bindP50NsThen: 262_143});
  // a third of the rate is not a collapse; no rows, none
  t.is(rateCollapse(rows.slice(0, 2)), null);
  t.is(rateCollapse([]), null);
});

test('bindStep: the bind() counts and latency made between two readings', (t) => {
  const state = (ok: number, fail: number, count: number) => {
    const k = emptyKernelState();
    k.counters['@bind_ok'] = {'': ok};
    k.counters['@bind_fail'] = {'98': fail};
    k.hists['@bind_ns'] = [{min: 2048, max: 4095, count}];
    return readAll(k, {portAllocation: 'tracepoint'}).portAllocation;
  };
  t.deepEqual(bindStep(state(30, 2, 32), state(12, 2, 14)), {bindOk: 18, bindErrors: {}, bindNs: [{min: 2048, max: 4095, count: 18}]});
  t.deepEqual(bindStep(state(30, 3, 33), state(30, 2, 32)).bindErrors, {'98': 1});
});
