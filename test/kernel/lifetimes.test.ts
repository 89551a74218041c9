// Kernel-owned lifetimes: nothing a run made outlives it, SIGKILL included, and no one has to clean up after it.
import test from 'ava';
import {setTimeout as sleep} from 'node:timers/promises';
import {execFileSync, spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {jsonLines, runCli, startCli} from '../helpers/cli.js';
import {journals, kernelSkipReason, labNamespaces, toolProcesses, tracefsMounted} from '../helpers/kernel.js';
import {tempDir} from '../helpers/temp.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;
const JOURNALS = '/run/tcp-trace';

// Network namespace inodes some process is in now.
function liveNetnsInodes(): Set<number> {
  const out = new Set<number>();
  for (const d of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      out.add(Number(/net:\[(\d+)\]/.exec(readlinkSync(`/proc/${d}/ns/net`))![1]));
    } catch {
      // gone, or a kernel thread
    }
  }
  return out;
}

// Polls check every 100 ms for up to ms; the last result.
async function within<T>(ms: number, check: () => T, done: (v: T) => boolean): Promise<T> {
  let v = check();
  for (let i = 0; i < ms / 100 && !done(v); i++) {
    await sleep(100);
    v = check();
  }
  return v;
}

// The start time (clock ticks since boot) of pid, as the journal records it.
const startTimeOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[19]);

kernelTest('SIGKILL mid-ramp: within 5 s no bpftrace, no worker, no lab namespace; then a run of 499 is exact and has nothing to undo but the tracefs mount the killed run made', async (t) => {
  const out = tempDir(t, 'lifetimes');
  // the one thing the kernel cannot own: a tracefs mount the killed run made where the host had none
  const tracefsBefore = tracefsMounted();
  const run = startCli(['run', '--connections', '4000', '--rate', '300', '--headless', '--out', out]);
  let stdout = '';
  run.child.stdout!.on('data', (d) => (stdout += d));
  const ramping = () => jsonLines(stdout.slice(0, stdout.lastIndexOf('\n') + 1)).some((l) => l.type === 'sample' && l.connections.established > 0);
  for (let i = 0; i < 300 && !ramping(); i++) await sleep(100);
  t.true(ramping(), stdout);
  const [dir] = readdirSync(out);
  const manifest = JSON.parse(readFileSync(join(out, dir!, 'manifest.json'), 'utf8'));
  const inum: number = manifest.lab.netnsInum;
  t.deepEqual(labNamespaces(), [manifest.lab.netns]);
  t.true(liveNetnsInodes().has(inum));
  t.true(toolProcesses().some((p) => p.cmd.includes('bpftrace')) && toolProcesses().some((p) => p.cmd.includes('client-worker')));

  // connections.csv is appended as records arrive: stop the client worker, so that no record is under way, wait
  // two samples, and kill; the file then has exactly the rows the last sample counted
  const worker = toolProcesses().find((p) => p.cmd.includes('client-worker'))!;
  process.kill(worker.pid, 'SIGSTOP');
  const samples = () => jsonLines(stdout.slice(0, stdout.lastIndexOf('\n') + 1)).filter((l) => l.type === 'sample');
  const stoppedAt = samples().length;
  for (let i = 0; i < 50 && samples().length < stoppedAt + 2; i++) await sleep(100);
  const attempted: number = samples().at(-1)!.connections.attempted;
  run.child.kill('SIGKILL');
  await run.done;
  const csv = readFileSync(join(out, dir!, 'connections.csv'), 'utf8');
  t.true(csv.endsWith('\n'), 'the file ends at a line boundary');
  const [header, ...rows] = csv.slice(0, -1).split('\n');
  t.is(header, 'worker,local_addr,local_port,remote_addr,remote_port,connect_ns,errno,at_ms');
  t.true(attempted > 0 && attempted < 4000, `${attempted} attempted`);
  t.is(rows.length, attempted);
  // each an established connection from worker 0 to one of the 4 server ports, each 4-tuple once
  const bad = rows.filter((r) => !/^0,127\.0\.0\.1,\d+,127\.0\.0\.1,1200[0-3],\d+,,\d+$/.test(r));
  t.deepEqual(bad, []);
  t.is(new Set(rows.map((r) => r.split(',').slice(1, 5).join(','))).size, attempted);
  const left = await within(5000, () => ({processes: toolProcesses(), namespaces: labNamespaces(), inNetns: liveNetnsInodes().has(inum)}),
    (v) => v.processes.length === 0 && v.namespaces.length === 0 && !v.inNetns);
  t.deepEqual(left.processes, [], 'bpftrace and every worker died with tcp-trace');
  t.deepEqual(left.namespaces, [], 'the namespace name is gone');
  t.false(left.inNetns, 'no process is left in the namespace: it is gone');

  const next = await runCli(['run', '--connections', '499', '--headless', '--out', out]);
  t.is(next.code, 0, next.stderr);
  const lines = jsonLines(next.stdout);
  const s = lines.at(-1)!;
  t.is(s.type, 'summary');
  t.is(s.connections.established, 499);
  t.deepEqual(s.kernel.established, {client: 499, server: 499});
  const notes = lines.filter((l) => l.type === 'note').map((l) => l.text as string);
  const undone = notes.filter((n) => /killed run|restore/.test(n));
  t.deepEqual(undone.map((n) => n.replace(/killed run \d+/, 'killed run N')), tracefsBefore ? [] : ['undid what killed run N left: unmounted /sys/kernel/tracing'], notes.join('\n'));
  t.deepEqual(journals(), []);
  t.deepEqual(labNamespaces(), []);
});

kernelTest("the next run undoes, in one line, what a killed run's journal still holds (a mount)", async (t) => {
  const target = mkdtempSync(join(tmpdir(), 'tcp-trace-leftover-mount-'));
  t.teardown(() => {
    try {
      execFileSync('umount', [target], {stdio: 'ignore'});
    } catch {
      // unmounted by the run, as it should be
    }
    rmSync(target, {recursive: true, force: true});
  });
  execFileSync('mount', ['-t', 'tmpfs', 'tcp-trace-test', target]);
  // the journal of a run that died: its owner is a process that has exited
  const dead = spawn('true');
  const pid = dead.pid!;
  const startTime = startTimeOf(pid);
  await new Promise((resolve) => dead.once('exit', resolve));
  mkdirSync(JOURNALS, {recursive: true});
  writeFileSync(join(JOURNALS, `journal-${pid}.ndjson`), `${JSON.stringify({owner: pid, startTime})}\n${JSON.stringify({kind: 'mount', target})}\n`);

  const r = await runCli(['run', '--connections', '23', '--measure', 'none', '--headless', '--out', tempDir(t, 'leftover')]);
  t.is(r.code, 0, r.stderr);
  const notes = jsonLines(r.stdout).filter((l) => l.type === 'note' && /killed run/.test(l.text));
  t.deepEqual(notes.map((n) => n.text), [`undid what killed run ${pid} left: unmounted ${target}`]);
  t.false(readFileSync('/proc/mounts', 'utf8').includes(` ${target} `));
  t.deepEqual(journals(), []);
});

kernelTest('restore still undoes an old journal: a named namespace and a process', async (t) => {
  const name = `tcptrace-old-${process.pid}`;
  execFileSync('ip', ['netns', 'add', name]);
  t.teardown(() => {
    try {
      execFileSync('ip', ['netns', 'del', name], {stdio: 'ignore'});
    } catch {
      // restored
    }
  });
  const sleeper = spawn('sleep', ['60'], {stdio: 'ignore'});
  t.teardown(() => sleeper.kill('SIGKILL'));
  const sleeperExit = new Promise((resolve) => sleeper.once('exit', (_code, signal) => resolve(signal)));
  const dead = spawn('true');
  const pid = dead.pid!;
  const startTime = startTimeOf(pid);
  await new Promise((resolve) => dead.once('exit', resolve));
  mkdirSync(JOURNALS, {recursive: true});
  const entries = [{owner: pid, startTime}, {kind: 'netns', name}, {kind: 'process', pid: sleeper.pid, startTime: startTimeOf(sleeper.pid!), what: 'client-worker.js'}];
  writeFileSync(join(JOURNALS, `journal-${pid}.ndjson`), entries.map((e) => `${JSON.stringify(e)}\n`).join(''));

  const r = await runCli(['restore']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`run ${pid}: undid 2 of 2 change\\(s\\): ended client-worker.js \\(pid ${sleeper.pid}\\), deleted namespace ${name}`));
  t.is(await sleeperExit, 'SIGTERM');
  t.false(labNamespaces().includes(name));
  t.deepEqual(journals(), []);
});
