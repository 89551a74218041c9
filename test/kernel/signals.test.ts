// Every exit path undoes the lab: normal end (run.test), SIGINT, SIGTERM, and SIGKILL followed by restore.
import test from 'ava';
import {setTimeout as sleep} from 'node:timers/promises';
import {readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {jsonLines, startCli} from '../helpers/cli.js';
import {journals, kernelSkipReason, labNamespaces, toolProcesses, tracefsMounted} from '../helpers/kernel.js';
import {tempDir} from '../helpers/temp.js';
import type {ExecutionContext} from 'ava';

const kernelTest = kernelSkipReason ? test.skip : test.serial;
const hostSysctls = () => ['/proc/sys/net/ipv4/ip_local_port_range', '/proc/sys/fs/file-max', '/proc/sys/fs/nr_open'].map((p) => readFileSync(p, 'utf8'));

// Start a long run and wait until its first sample with phase (a ramping one: with connections made).
async function startLongRun(t: ExecutionContext, phase: 'starting' | 'ramping' = 'ramping') {
  const run = startCli(['run', '--connections', '2000', '--rate', '200', '--headless', '--port-range', '50000-59999', '--out', tempDir(t, 'signals')]);
  let out = '';
  run.child.stdout!.on('data', (d) => (out += d));
  const seen = () => jsonLines(out.slice(0, out.lastIndexOf('\n') + 1)).some((l) => l.type === 'sample' && l.phase === phase && (phase === 'starting' || l.connections.established > 0));
  for (let i = 0; i < 300 && !seen(); i++) await sleep(100);
  if (!seen()) {
    run.child.kill('SIGINT');
    await run.done;
    throw new Error(`no ${phase} sample with connections within 30 s:\n${out}`);
  }
  return run;
}

for (const [signal, code] of [['SIGINT', 0], ['SIGTERM', 143]] as const) {
  kernelTest(`${signal} mid-run: summary of what was done, exit ${code}, nothing left`, async (t) => {
    const before = hostSysctls();
    const run = await startLongRun(t);
    t.is(labNamespaces().length, 1);
    run.child.kill(signal);
    const r = await run.done;
    t.is(r.code, code, r.stderr);
    const s = jsonLines(r.stdout).at(-1)!;
    t.is(s.type, 'summary');
    t.is(s.stoppedBy, signal);
    t.true(s.connections.established > 0 && s.connections.established < 2000);
    // what the generator made before the stop, the kernel saw
    t.is(s.kernel.established.client, s.connections.established);
    t.deepEqual(labNamespaces(), []);
    t.deepEqual(toolProcesses(), []);
    t.deepEqual(journals(), []);
    t.deepEqual(hostSysctls(), before);
  });
}

kernelTest('a second Ctrl-C exits at once with 130, still undoing the lab', async (t) => {
  const run = await startLongRun(t);
  t.is(labNamespaces().length, 1);
  run.child.kill('SIGINT');
  // apart, so the kernel does not merge the two into one pending signal (the graceful stop takes seconds)
  await sleep(300);
  run.child.kill('SIGINT');
  const r = await run.done;
  t.is(r.code, 130, r.stderr);
  t.deepEqual(labNamespaces(), []);
  for (let i = 0; i < 50 && toolProcesses().length > 0; i++) await sleep(100);
  t.deepEqual(toolProcesses(), []);
  t.deepEqual(journals(), []);
});

kernelTest('SIGINT while the probes attach (the first samples come before them): no connection made, exit 0, nothing left', async (t) => {
  const run = await startLongRun(t, 'starting');
  run.child.kill('SIGINT');
  const r = await run.done;
  t.is(r.code, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  const s = lines.at(-1)!;
  t.is(s.type, 'summary');
  t.is(s.stoppedBy, 'SIGINT');
  // the stop came before the ramp: neither side made or saw a connection, and no claim was judged
  t.is(s.connections.established, 0);
  t.deepEqual(s.kernel.established, {client: 0, server: 0});
  t.deepEqual(s.claims, []);
  t.true(lines.some((l) => l.type === 'note' && /before the ramp began/.test(l.text)));
  t.true(s.startupMs > 0);
  t.deepEqual(labNamespaces(), []);
  t.deepEqual(toolProcesses(), []);
  t.deepEqual(journals(), []);
});

kernelTest('stdout closed mid-run (the reader of `| head` went away): the write errors stop the run, the lab is undone', async (t) => {
  const tracefsBefore = tracefsMounted();
  const run = await startLongRun(t);
  const dir = run.child.spawnargs.at(-1)!;
  t.is(labNamespaces().length, 1);
  run.child.stdout!.destroy();
  const r = await run.done;
  t.not(r.code, 0);
  t.regex(r.stderr, /EPIPE/);
  // the bpftrace programs, the workers, the namespace, a tracefs mount the run made and the journal are gone
  t.deepEqual(labNamespaces(), []);
  t.deepEqual(toolProcesses(), []);
  t.deepEqual(journals(), []);
  t.is(tracefsMounted(), tracefsBefore);
  // what was recorded before stays on disk
  const [runDir] = readdirSync(dir);
  t.true(readFileSync(join(dir, runDir!, 'samples.ndjson'), 'utf8').includes('"type":"sample"'));
  t.truthy(readFileSync(join(dir, runDir!, 'manifest.json'), 'utf8'));
});

// SIGKILL: test/kernel/lifetimes.test.ts (nothing is left; restore of an old journal)
