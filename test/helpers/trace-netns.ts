// A network namespace of the test's own (lo up, deleted at its end) and a headless `tcp-trace trace` of it for up to
// 120 s, started and past its first sample (printed once its probes are attached); out() is what the trace printed so far.
import {execFileSync} from 'node:child_process';
import {setTimeout as sleep} from 'node:timers/promises';
import type {ExecutionContext} from 'ava';
import {startCli} from './cli.js';

export async function traceInNetns(t: ExecutionContext, prefix: string) {
  const ns = `${prefix}-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.teardown(() => execFileSync('ip', ['netns', 'del', ns]));
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const trace = startCli(['trace', '--headless', '--netns', ns, '--duration', '120']);
  let out = '';
  trace.child.stdout!.on('data', (d) => (out += d));
  t.teardown(() => void trace.child.kill('SIGKILL'));
  for (let i = 0; i < 600 && !out.includes('"type":"sample"'); i++) await sleep(100);
  return {ns, trace, out: () => out};
}
