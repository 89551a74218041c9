// attempts.mjs  Judging the kernel matrix's guest runs (pure; unit-tested in test/unit/scripts/).
// A guest that hangs is booted once more; both attempts are kept, and a failure in either counts.

// The kernel series CI must run, in order.
export const REQUIRED_KERNELS = ['6.1', '6.12'];

// Output of an ava run that shows a failed test (per-test lines or the closing count).
const FAILED = /✘ \[fail\]|\b[1-9]\d* (tests?|known failures?) failed|\b[1-9]\d* uncaught exceptions?|\b[1-9]\d* unhandled rejections?|✘ Timed out|exited with a non-zero exit code/;

// One guest run: 'passed' (exit 0), 'failed' (a non-zero exit, or no exit but failing tests in its output),
// or 'unfinished' (no exit code and no failure seen: the guest itself hung or was killed).
export function judgeAttempt({exit, output}) {
  if (exit === 0) return 'passed';
  if (exit !== null && exit !== undefined) return 'failed';
  return FAILED.test(output ?? '') ? 'failed' : 'unfinished';
}

// True when attempts so far call for another boot: only the first, and only when it was unfinished.
export function needsRetry(attempts) {
  return attempts.length === 1 && judgeAttempt(attempts[0]) === 'unfinished';
}

// A kernel's verdict over all its attempts: a failure in any attempt fails it; else it passed when one passed.
export function judgeKernel(attempts) {
  const verdicts = attempts.map(judgeAttempt);
  if (verdicts.includes('failed')) return 'failed';
  return verdicts.includes('passed') ? 'passed' : 'unfinished';
}

// A kernel's verdict over the guests its tests were split over (each an array of attempts): failed when any guest
// failed, passed when every guest passed, else unfinished.
export function judgeSeries(attemptsByGuest) {
  const verdicts = attemptsByGuest.map(judgeKernel);
  if (verdicts.length === 0) return 'unfinished';
  if (verdicts.includes('failed')) return 'failed';
  return verdicts.every((v) => v === 'passed') ? 'passed' : 'unfinished';
}

// The kernel series to run: --kernels, else TCP_TRACE_KERNELS, else both. Under CI every required series
// must be in the list (a narrowed list in CI's environment must not drop a kernel unnoticed): throws.
export function kernelList(arg, env) {
  const list = String(arg ?? env.TCP_TRACE_KERNELS ?? REQUIRED_KERNELS.join(',')).split(',').map((k) => k.trim()).filter(Boolean);
  if (env.CI === 'true' || env.CI === '1') {
    const missing = REQUIRED_KERNELS.filter((k) => !list.includes(k));
    if (missing.length) throw new Error(`CI must run kernel(s) ${missing.join(', ')}: unset TCP_TRACE_KERNELS or --kernels (now ${list.join(',') || 'empty'})`);
  }
  return list;
}

// The machine-readable closing line .ci/run checks: the series that ran and passed, in order.
export function passedLine(results) {
  return `matrix-passed: ${results.filter((r) => r.verdict === 'passed').map((r) => r.series).join(',')}`;
}
