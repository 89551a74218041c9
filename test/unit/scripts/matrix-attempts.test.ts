// The kernel matrix's judgement of guest runs: a hang is retried, but a failure before the hang still counts.
import test from 'ava';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {ROOT} from '../../helpers/paths.js';

type Attempt = {exit: number | null; output: string};
const m: {
  judgeAttempt: (a: Attempt) => string;
  judgeKernel: (a: Attempt[]) => string;
  judgeSeries: (a: Attempt[][]) => string;
  needsRetry: (a: Attempt[]) => boolean;
  kernelList: (arg: string | undefined, env: Record<string, string | undefined>) => string[];
  passedLine: (r: Array<{series: string; verdict: string}>) => string;
} = await import(pathToFileURL(join(ROOT, 'scripts/matrix/attempts.mjs')).href);

const failing = '  ✔ 6.1.0: --probes kfunc: 23 connections\n  ✘ [fail]: 6.1.0: --probes kprobe: 23 connections seen by every function hook\n';
const hungAfterPass = '  ✔ 6.1.0: --probes kfunc: 23 connections\n';

test('one attempt: exit 0 passes, a non-zero exit fails, no exit is unfinished unless a test failed', (t) => {
  t.is(m.judgeAttempt({exit: 0, output: '2 tests passed'}), 'passed');
  t.is(m.judgeAttempt({exit: 1, output: ''}), 'failed');
  t.is(m.judgeAttempt({exit: null, output: hungAfterPass}), 'unfinished');
  t.is(m.judgeAttempt({exit: null, output: ''}), 'unfinished');
  t.is(m.judgeAttempt({exit: null, output: failing}), 'failed');
  t.is(m.judgeAttempt({exit: null, output: '  1 test failed\n'}), 'failed');
  t.is(m.judgeAttempt({exit: null, output: '  1 uncaught exception\n'}), 'failed');
  t.is(m.judgeAttempt({exit: null, output: '  ✘ dist/test/matrix/hooks.test.js exited with a non-zero exit code: 1\n'}), 'failed');
});

test('a guest that ran failing tests and then hung is not booted again, and its kernel fails', (t) => {
  const first = {exit: null, output: failing};
  t.false(m.needsRetry([first]));
  t.is(m.judgeKernel([first]), 'failed');
});

test('a hung guest is booted once more; both attempts are judged: a failure in the first still fails', (t) => {
  const hung = {exit: null, output: hungAfterPass};
  t.true(m.needsRetry([hung]));
  t.false(m.needsRetry([hung, {exit: null, output: ''}]));
  t.is(m.judgeKernel([hung, {exit: 0, output: ''}]), 'passed');
  t.is(m.judgeKernel([hung, {exit: null, output: ''}]), 'unfinished');
  t.is(m.judgeKernel([{exit: null, output: failing}, {exit: 0, output: ''}]), 'failed');
  t.is(m.judgeKernel([hung, {exit: 1, output: ''}]), 'failed');
});

test('a kernel split over two guests passes only when both passed; a failure in either fails it', (t) => {
  const ok = {exit: 0, output: '3 tests passed'};
  const hung = {exit: null, output: hungAfterPass};
  t.is(m.judgeSeries([[ok], [ok]]), 'passed');
  t.is(m.judgeSeries([[ok], [hung, ok]]), 'passed');
  t.is(m.judgeSeries([[ok], [hung, hung]]), 'unfinished');
  t.is(m.judgeSeries([[{exit: null, output: failing}], [hung, hung]]), 'failed');
  t.is(m.judgeSeries([[ok], [hung, {exit: 1, output: ''}]]), 'failed');
  t.is(m.judgeSeries([]), 'unfinished');
});

test('kernel list: TCP_TRACE_KERNELS narrows it outside CI; under CI a missing series stops the matrix', (t) => {
  t.deepEqual(m.kernelList(undefined, {}), ['6.1', '6.12']);
  t.deepEqual(m.kernelList(undefined, {TCP_TRACE_KERNELS: '6.1'}), ['6.1']);
  t.deepEqual(m.kernelList(undefined, {CI: 'true'}), ['6.1', '6.12']);
  t.throws(() => m.kernelList(undefined, {CI: 'true', TCP_TRACE_KERNELS: '6.1'}), {message: /CI must run kernel\(s\) 6\.12/});
  t.throws(() => m.kernelList('6.12', {CI: 'true'}), {message: /6\.1\b/});
  t.deepEqual(m.kernelList('6.12,6.1', {CI: 'true'}), ['6.12', '6.1']);
});

test('the closing line names only the kernels that passed', (t) => {
  t.is(m.passedLine([{series: '6.1', verdict: 'passed'}, {series: '6.12', verdict: 'failed'}]), 'matrix-passed: 6.1');
  t.is(m.passedLine([{series: '6.1', verdict: 'passed'}, {series: '6.12', verdict: 'passed'}]), 'matrix-passed: 6.1,6.12');
});
