// Real `-f json` output of every bpftrace version users have (test/fixtures/bpftrace/<version>.ndjson, captured
// from capture.bt by `zx scripts/bpftrace-versions.mjs --capture`), read by the parser and the fold.
import test from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {FIXTURES} from '../../helpers/paths.js';
import {bucketQuantile, bucketQuantileOpen, bucketTotal, parseLine, type Bucket, type BpftraceEvent} from '../../../src/bpftrace/parse.js';
import {mapAt, problemOf} from '../../../src/bpftrace/runner.js';
import {emptyKernelState, foldEvent} from '../../../src/bpftrace/kernel-state.js';
import {dataLocMisread, functionProbeSpelling, mapKeysVariable, parseBpftraceVersion, versionDefects, versionSupport} from '../../../src/bpftrace/version.js';

const VERSIONS = ['0.17.0', '0.23.2', '0.27.1'];
const program = readFileSync(join(FIXTURES, 'bpftrace', 'capture.bt'), 'utf8');
const events = (v: string): BpftraceEvent[] =>
  readFileSync(join(FIXTURES, 'bpftrace', `${v}.ndjson`), 'utf8').split('\n').map(parseLine).filter((e): e is BpftraceEvent => e !== null);
const hist = (v: string, name: string): Bucket[] => {
  const e = events(v).find((x) => x.type === 'hist' && x.name === name);
  if (!e || e.type !== 'hist') throw new Error(`${name} not printed by ${v}`);
  return e.series[0]!.buckets;
};
const noNaN = (buckets: Bucket[]) => buckets.every((b) => !Number.isNaN(b.min) && !Number.isNaN(b.max) && !Number.isNaN(b.count));

for (const v of VERSIONS) {
  test(`${v}: every line parses; no bucket bound is NaN`, (t) => {
    const all = events(v);
    t.deepEqual(all.filter((e) => e.type === 'malformed'), []);
    for (const e of all) if (e.type === 'hist') t.true(noNaN(e.series.flatMap((s) => s.buckets)), e.name);
  });

  test(`${v}: six hist() values from 0 to 4e10 ns are all counted, the three of 2^31 ns or more at or above 2^31`, (t) => {
    const h = hist(v, '@h');
    t.is(bucketTotal(h), 6);
    const big = h.filter((b) => b.min >= 2 ** 31);
    t.is(bucketTotal(big), 3);
    // 0.17-0.19 cannot tell them apart (one open bucket): the p99 is then a lower bound, said so
    t.is(bucketQuantileOpen(h, 0.99), v === '0.17.0');
    t.true(bucketQuantile(h, 0.99)! >= 2 ** 31);
  });

  test(`${v}: a lone 7.1 s value is at or above 2^31 ns, never about zero`, (t) => {
    const [b] = hist(v, '@hbig');
    t.is(b!.count, 1);
    t.true(b!.min >= 2 ** 31 && b!.max >= 7_124_000_000, JSON.stringify(b));
  });

  test(`${v}: lhist values below and above its range land in open-ended buckets`, (t) => {
    const l = hist(v, '@l');
    t.deepEqual(l[0], {min: Number.NEGATIVE_INFINITY, max: -1, count: 1});
    t.deepEqual(l.at(-1), {min: 64, max: Number.POSITIVE_INFINITY, count: 1});
    t.is(bucketTotal(l), 3);
  });

  test(`${v}: a 7.1 s connect kept in the millisecond histogram folds into the ns one, in a bucket holding 7.1 s`, (t) => {
    const state = events(v).reduce(foldEvent, emptyKernelState());
    const h = state.hists['@lat_ns']!;
    t.is(bucketTotal(h), 1);
    const b = h.find((x) => x.count > 0)!;
    t.true(b.min <= 7_124_000_000 && 7_124_000_000 <= b.max, JSON.stringify(b));
    t.is(bucketQuantileOpen(h, 0.99), false);
  });

  test(`${v}: ten keys into an eight-key map are reported as a full map, naming it`, (t) => {
    const problems = events(v).map((e) => problemOf(e, 8, program)).filter((p) => p !== null);
    t.true(problems.length > 0);
    t.true(problems.every((p) => p!.kind === 'map-full'));
    t.true(problems.some((p) => p!.map === '@full'), JSON.stringify(problems));
  });

  test(`${v}: a map declared but never written prints 0 or nothing, never a wrong count`, (t) => {
    const state = events(v).reduce(foldEvent, emptyKernelState());
    t.true(state.counters['@never'] === undefined || state.counters['@never']![''] === 0);
    t.false('@nevermap' in state.counters);
    t.is(state.counters['@k']?.['12000,33012'], 1);
  });
}

test('0.23 and 0.27 say which map was full (helper_error line and column); 0.17 says nothing, the key count tells', (t) => {
  const helper = (v: string) => events(v).filter((e) => e.type === 'helper_error');
  t.is(helper('0.17.0').length, 0);
  t.is(helper('0.23.2').length, 2);
  t.is(helper('0.27.1').length, 2);
  // the lines point at the two @full updates that did not fit
  for (const v of ['0.23.2', '0.27.1']) {
    t.deepEqual(helper(v).map((e) => (e.type === 'helper_error' ? mapAt(program, e.line, e.col) : null)), ['@full', '@full']);
  }
});

test('mapAt names the map at a line and column of a program', (t) => {
  t.is(mapAt('BEGIN {\n  @a = 1; @b[1] = 2;\n}', 2, 11), '@b');
  t.is(mapAt('BEGIN {\n  @a = 1; @b[1] = 2;\n}', 2, 1), '@a');
  t.is(mapAt('x', null, null), null);
});

test('a line that is not JSON (0.24-0.27.0 print compile warnings on stdout) is a problem, not a crash', (t) => {
  const e = parseLine('stdin:1:71-89: WARNING: Return value discarded.')!;
  t.is(e.type, 'malformed');
  t.is(problemOf(e, 4096, '')!.kind, 'not-json');
});

test('an error line of a type this build does not know (runtime_error) is kept as a problem, as it came', (t) => {
  const line = '{"type": "runtime_error", "msg": "something failed", "line": 3}';
  t.deepEqual(problemOf(parseLine(line)!, 4096, ''), {kind: 'helper-error', map: null, text: `bpftrace reported runtime_error: ${line}`});
  t.is(problemOf(parseLine('{"type": "time", "data": "10:00:00\\n"}')!, 4096, ''), null);
});

test('versions: fentry from 0.20, the map-size variable renamed at 0.20, 0.23 misreads __data_loc', (t) => {
  const v = (s: string) => parseBpftraceVersion(`bpftrace v${s}`)!;
  t.deepEqual(functionProbeSpelling(v('0.17.0')), {entry: 'kfunc', exit: 'kretfunc'});
  t.deepEqual(functionProbeSpelling(v('0.19.1')), {entry: 'kfunc', exit: 'kretfunc'});
  t.deepEqual(functionProbeSpelling(v('0.20.2')), {entry: 'fentry', exit: 'fexit'});
  t.is(mapKeysVariable(v('0.19.1')), 'BPFTRACE_MAP_KEYS_MAX');
  t.is(mapKeysVariable(v('0.20.0')), 'BPFTRACE_MAX_MAP_KEYS');
  t.is(mapKeysVariable(v('0.27.1')), 'BPFTRACE_MAX_MAP_KEYS');
  t.true(dataLocMisread(v('0.23.2')));
  t.false(dataLocMisread(v('0.24.0')));
  t.false(dataLocMisread(v('0.17.0')));
});

test('versions: supported, broken and unsupported, each with its fix', (t) => {
  const v = (s: string) => parseBpftraceVersion(`bpftrace v${s}`)!;
  for (const ok of ['0.17.0', '0.20.2', '0.23.2', '0.25.0', '0.26.1', '0.27.1']) t.is(versionSupport(v(ok)).status, 'supported', ok);
  t.deepEqual([versionSupport(v('0.24.1')).status, versionSupport(v('0.24.1')).fix], ['broken', "install 0.24.3 or newer, or use Debian 13's 0.23"]);
  t.deepEqual([versionSupport(v('0.26.0')).status, versionSupport(v('0.26.0')).fix], ['broken', 'install 0.26.1 or newer']);
  t.is(versionSupport(v('0.16.0')).status, 'unsupported');
  t.regex(versionSupport(v('0.16.0')).fix!, /install 0\.17 or newer/);
  t.deepEqual(versionDefects(v('0.25.1')).map((d) => d.versions), ['0.24.0-0.27.0']);
  t.deepEqual(versionDefects(v('0.27.1')), []);
});
