// A headless `tcp-trace trace` started and past its first sample (printed once its probes are attached), alone or on a
// network namespace of the test's own (lo up, deleted at its end).
import {execFileSync} from 'node:child_process';
import {setTimeout as sleep} from 'node:timers/promises';
import type {ExecutionContext} from 'ava';
import {jsonLines, startCli} from './cli.js';

// Start `trace --headless ...args` and wait (up to 60 s) for its first sample; out(): what it printed so far;
// stop(): SIGINT, then its result and its last line (the summary).
export async function startTrace(args: string[]) {
  const trace = startCli(['trace', '--headless', ...args]);
  let out = '';
  trace.child.stdout!.on('data', (d) => (out += d));
  for (let i = 0; i < 600 && !out.includes('"type":"sample"'); i++) await sleep(100);
  return {
    trace,
    out: () => out,
    stop: async () => {
      trace.child.kill('SIGINT');
      const r = await trace.done;
      return {r, summary: jsonLines(r.stdout).at(-1)!};
    },
  };
}

// A namespace `<prefix>-<pid>` and a trace of it for up to 120 s (extra: more trace flags), killed at the test's end.
export async function traceInNetns(t: ExecutionContext, prefix: string, extra: string[] = []) {
  const ns = `${prefix}-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.teardown(() => execFileSync('ip', ['netns', 'del', ns]));
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const started = await startTrace(['--netns', ns, '--duration', '120', ...extra]);
  t.teardown(() => void started.trace.child.kill('SIGKILL'));
  return {ns, ...started};
}
