// The port-search scenario's claims and its per-tenth table, judged on made-up steps (pure): a range of 20 ports
// (40000-40019), two connects a tenth, then one more.
import test from 'ava';
import {fillRows, kernelStep, portSearchClaims, type FillStep, type PortSearchSteps} from '../../../src/scenarios/port-search.js';
import {readAll} from '../../../src/measurements/index.js';
import {emptyKernelState, foldEvent} from '../../../src/bpftrace/kernel-state.js';
import {parseLine} from '../../../src/bpftrace/parse.js';
import {bucketsSince} from '../../../src/bpftrace/parse.js';
import type {ConnRecord} from '../../../src/load/protocol.js';
import type {Summary} from '../../../src/correlate/summary.js';

const rec = (lport: number, connectNs: number, errno: string | null = null): ConnRecord => ({worker: 0, laddr: '127.0.0.1', lport, raddr: '127.0.0.1', rport: 12000, connectNs, errno, atMs: 0});
const summary = (eaddrnotavail = 1) => ({ports: {range: {low: 40000, high: 40019, size: 20}}, kernel: {errors: eaddrnotavail ? {EADDRNOTAVAIL: eaddrnotavail} : {}, established: {client: 20, server: 20}}}) as unknown as Summary;

// tenth d (1..10) gets two ports: even ones (the low end's parity) in the first half, odd ones in the second;
// its kernel p50 bucket grows with d, and the ports tried reach the half (10) in the second half
function step(d: number, over: {ports?: number[]; attempts?: number} = {}): FillStep {
  const ports = over.ports ?? (d <= 5 ? [40000 + 4 * (d - 1), 40002 + 4 * (d - 1)] : [40001 + 4 * (d - 6), 40003 + 4 * (d - 6)]);
  const tried = over.attempts ?? (d <= 5 ? 0 : 10);
  const ns = 1024 * 2 ** d;
  return {
    decile: d, fillFrom: 2 * (d - 1), fillTo: 2 * d, attempts: ports.map((p) => rec(p, ns)),
    kernel: {
      connectOk: 2, connectErrors: {}, connectNs: [{min: ns, max: 2 * ns - 1, count: 2}],
      parity: Object.fromEntries([0, 1].map((p) => [String(p), ports.filter((x) => (x & 1) === p).length]).filter(([, n]) => n)),
      attempts: [{min: tried, max: tried, count: 2}], attemptsSum: 2 * tried,
    },
  };
}
const past = (attempts = 20, errno = 'EADDRNOTAVAIL'): FillStep => ({
  decile: 11, fillFrom: 20, fillTo: 20, attempts: [rec(0, 5000, errno)],
  kernel: {connectOk: 0, connectErrors: {99: 1}, connectNs: [{min: 4096, max: 8191, count: 1}], parity: {}, attempts: [{min: attempts, max: attempts, count: 1}], attemptsSum: attempts},
});
const steps = (over: Partial<Record<number, FillStep>> = {}): PortSearchSteps => ({
  rangeLow: 40000, rangeSize: 20, steps: [...Array.from({length: 10}, (_, i) => over[i + 1] ?? step(i + 1)), over[11] ?? past()],
});

test('port-search holds: even ports then odd, EADDRNOTAVAIL past the full range, slower as it fills, 10+ ports tried in the second half', (t) => {
  const claims = portSearchClaims(summary(), steps());
  t.deepEqual(claims.map((c) => c.held), [true, true, true, true]);
  t.deepEqual(claims[0]!.evidence.kernel, {firstHalf: {even: 10, odd: 0}, secondHalf: {even: 0, odd: 10}});
  t.is(claims[3]!.evidence.failing, 20);
});

test('port-search: an odd port in the first half breaks the parity claim, from the generator and the kernel alike', (t) => {
  t.false(portSearchClaims(summary(), steps({3: step(3, {ports: [40008, 40009]})}))[0]!.held);
});

test('port-search: a kernel step missing (its totals lagged) leaves the parity claim unheld, saying why', (t) => {
  const lagged = {...step(4), kernel: null, kernelMissing: 'the kernel\'s totals did not reach the generator\'s calls within 3 prints'};
  const claim = portSearchClaims(summary(), steps({4: lagged}))[0]!;
  t.false(claim.held);
  t.is(claim.evidence.incomplete, lagged.kernelMissing);
});

test('port-search: a connect of the second half that tried fewer than half the range breaks the attempts claim', (t) => {
  t.false(portSearchClaims(summary(), steps({7: step(7, {attempts: 9})}))[3]!.held);
  t.false(portSearchClaims(summary(), steps({11: past(19)}))[3]!.held);
});

test('port-search on the tracepoint variant: no attempts claim, the table says null', (t) => {
  const bare = (x: FillStep): FillStep => ({...x, kernel: {...x.kernel!, attempts: null, attemptsSum: null}});
  const s = steps();
  const claims = portSearchClaims(summary(), {...s, steps: s.steps.map(bare)});
  t.is(claims.length, 3);
  t.deepEqual(fillRows({...s, steps: s.steps.map(bare)}).map((r) => r.attemptsSum), Array(11).fill(null));
});

test('port-search table: fill by tenth, medians, parity and ports tried', (t) => {
  const rows = fillRows(steps());
  t.deepEqual(rows[0], {decile: 1, fill: '0-10%', connects: 2, generatorP50Ns: 2048, kernelP50Ns: 4095, lowParity: 2, otherParity: 0, attemptsMin: 0, attemptsMax: 0, attemptsSum: 0});
  t.like(rows[10], {fill: 'full + 1', connects: 1, generatorP50Ns: null, attemptsSum: 20});
});

test('bucketsSince: what a cumulative histogram gained between two prints', (t) => {
  const before = [{min: 1, max: 1, count: 2}, {min: 2, max: 3, count: 1}];
  const now = [{min: 1, max: 1, count: 2}, {min: 2, max: 3, count: 4}, {min: 4, max: 7, count: 1}];
  t.deepEqual(bucketsSince(now, before), [{min: 2, max: 3, count: 3}, {min: 4, max: 7, count: 1}]);
});

test('a step\'s kernel counts: the reading after minus the one before; a sum not printed yet before the first connect is 0', (t) => {
  const state = (lines: string[]) => lines.reduce((k, l) => foldEvent(k, parseLine(l)!), emptyKernelState());
  const before = readAll(state([]), {portAllocation: 'kfunc'}).portAllocation;
  const after = readAll(state([
    '{"type": "map", "data": {"@connect_ok": 2}}',
    '{"type": "map", "data": {"@port_even": 2}}',
    '{"type": "hist", "data": {"@attempts": [{"min": 0, "max": 0, "count": 2}]}}',
    '{"type": "map", "data": {"@attempts_sum": 0}}',
  ]), {portAllocation: 'kfunc'}).portAllocation;
  t.like(kernelStep(after, before), {connectOk: 2, parity: {0: 2}, attempts: [{min: 0, max: 0, count: 2}], attemptsSum: 0});
  // the tracepoint variant has no attempts at all: null, not 0
  const tp = readAll(state(['{"type": "map", "data": {"@connect_ok": 2}}']), {portAllocation: 'tracepoint'}).portAllocation;
  t.like(kernelStep(tp, readAll(state([]), {portAllocation: 'tracepoint'}).portAllocation), {attempts: null, attemptsSum: null});
});
