// Parts failing mid-run, each injected here: a worker killed during the ramp, a bpftrace program killed during
// the hold, the run directory's disk full, MemAvailable under the guard. Each is named in one line and in the
// summary; the run ends cleanly with what was recorded kept, and leaves nothing behind.
import test, {type ExecutionContext} from 'ava';
import {setTimeout as sleep} from 'node:timers/promises';
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, readdirSync, statfsSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {jsonLines, startCli} from '../helpers/cli.js';
import {journals, kernelSkipReason, labNamespaces, toolProcesses} from '../helpers/kernel.js';
import {tempDir} from '../helpers/temp.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;

// Start a run and wait for its first sample that passes seen.
async function startRun(args: string[], seen: (l: Record<string, any>) => boolean) {
  const run = startCli(['run', '--headless', ...args]);
  let out = '';
  run.child.stdout!.on('data', (d) => (out += d));
  const lines = () => jsonLines(out.slice(0, out.lastIndexOf('\n') + 1));
  for (let i = 0; i < 300 && !lines().some(seen); i++) await sleep(100);
  return run;
}

const ramping = (l: Record<string, any>) => l.type === 'sample' && l.connections.established > 0;

function nothingLeft(t: ExecutionContext) {
  t.deepEqual(labNamespaces(), []);
  t.deepEqual(toolProcesses(), []);
  t.deepEqual(journals(), []);
}

// The run directory under out, and its files.
function runDir(out: string) {
  const dir = join(out, readdirSync(out).find((n) => n.endsWith('-ramp'))!);
  const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : null);
  return {dir, read};
}

kernelTest('a client worker killed during the ramp: named in one line and in the summary, the run ends with what it recorded', async (t) => {
  const out = tempDir(t, 'fault-worker');
  const run = await startRun(['--connections', '3000', '--rate', '300', '--out', out], ramping);
  const worker = toolProcesses().find((p) => p.cmd.includes('client-worker.js'))!;
  t.truthy(worker);
  process.kill(worker.pid, 'SIGKILL');
  const r = await run.done;
  t.is(r.code, 1, r.stderr);
  const lines = jsonLines(r.stdout);
  const s = lines.at(-1)!;
  t.is(s.type, 'summary');
  const part = `client worker 0 (pid ${worker.pid})`;
  t.is(s.stoppedBy, `fault: ${part}`);
  t.like(s.faults[0], {part, why: 'killed by SIGKILL', missing: 'the connections it had yet to make, and those it held close'});
  const notes = lines.filter((l) => l.type === 'note' && l.text.startsWith('fault at '));
  t.is(notes.length, 1);
  t.regex(notes[0]!.text, new RegExp(`^fault at \\d+\\.\\d s: client worker 0 \\(pid ${worker.pid}\\): killed by SIGKILL; missing: `));
  t.true(s.connections.established > 0 && s.connections.established < 3000);
  // what was recorded is kept: samples, the summary as printed, a row per connection attempt the generator saw
  const {read} = runDir(out);
  t.true(read('samples.ndjson')!.split('\n').filter(Boolean).length > 1);
  t.deepEqual(JSON.parse(read('summary.json')!).faults, s.faults);
  const attempted = s.connections.established + Object.values(s.connections.failed as Record<string, number>).reduce((a, b) => a + b, 0);
  t.is(read('connections.csv')!.trim().split('\n').length - 1, attempted);
  nothingLeft(t);
});

kernelTest('the process counting connections killed during the hold: its measurements\' numbers show "lost at", the other processes\' stay exact', async (t) => {
  const out = tempDir(t, 'fault-bpftrace');
  const run = await startRun(['--connections', '499', '--hold', '5', '--out', out], (l) => l.type === 'sample' && l.phase === 'holding');
  // the process that counts established connections on both ends (and, composed with it, the ports chosen, the
  // socket calls and TIME_WAIT)
  const program = toolProcesses().find((p) => p.cmd.includes('@client_estab'))!;
  t.truthy(program);
  process.kill(program.pid, 'SIGKILL');
  const r = await run.done;
  t.is(r.code, 1, r.stderr);
  const s = jsonLines(r.stdout).at(-1)!;
  t.is(s.type, 'summary');
  t.is(s.stoppedBy, null, 'the run went on to its end');
  // one fault per measurement the process served, in the order their deaths were seen
  const fault = s.faults.find((f: {measurement: string}) => f.measurement === 'connections');
  t.like(fault, {measurement: 'connections', why: 'the connections program ended unasked'});
  t.deepEqual(s.faults.map((f: {measurement: string}) => f.measurement).sort(), ['connections', 'portAllocation', 'socketCreation', 'timeWait']);
  t.regex(fault.part, new RegExp(`^bpftrace \\S+ \\(pid ${program.pid}\\)$`));
  t.regex(s.kernel.established, /^lost at \d+\.\d s: the connections program ended unasked$/);
  // TIME_WAIT's counts went with it: never frozen at its last totals
  t.regex(s.kernel.timeWait, /^lost at \d+\.\d s: the timeWait program ended unasked$/);
  t.true(s.probeFailures.some((f: {measurement: string; why: string}) => f.measurement === 'connections' && f.why === s.kernel.established));
  // the generator and the programs still running agree as ever
  t.is(s.connections.established, 499);
  // the 4-tuple and receive program, another process, still exact: every connection by its 4-tuple, 3 segments
  // received per connection
  t.deepEqual(s.ports.correlation, {matched: 499, onlyKernel: 0, onlyGenerator: 0});
  t.is(s.kernel.receive.tcpSegments, 3 * 499);
  t.regex(s.kernel.syscalls, /^lost at /, 'connect() is counted by the lost process');
  t.deepEqual(JSON.parse(runDir(out).read('summary.json')!).kernel.established, s.kernel.established);
  nothingLeft(t);
});

kernelTest("the run directory's disk full mid-ramp: named, the run stops, the summary is printed and the samples before it kept", async (t) => {
  const out = tempDir(t, 'fault-disk');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tcp-trace-test', out]);
  t.teardown(() => execFileSync('umount', [out]));
  const run = await startRun(['--connections', '3000', '--rate', '300', '--out', out], ramping);
  // fill it: what is left goes to one file
  const free = statfsSync(out);
  try {
    writeFileSync(join(out, 'filler'), Buffer.alloc(Number(free.bavail) * Number(free.bsize)));
  } catch {
    // ENOSPC at the very end: full
  }
  const before = runDir(out).read('samples.ndjson')!.split('\n').filter(Boolean).length;
  const r = await run.done;
  t.is(r.code, 1, r.stderr);
  const s = jsonLines(r.stdout).at(-1)!;
  t.is(s.type, 'summary');
  const {dir, read} = runDir(out);
  t.is(s.stoppedBy, `fault: run directory ${dir}`);
  t.regex(s.faults[0].why, /^ENOSPC: /);
  t.true(s.connections.established > 0 && s.connections.established < 3000);
  t.true(read('samples.ndjson')!.split('\n').filter(Boolean).length >= before);
  t.true(before > 0);
  nothingLeft(t);
});

kernelTest('MemAvailable under the guard: named in one line with the numbers, the ramp stops, exit 0 (a planned stop)', async (t) => {
  process.env.TCP_TRACE_MEMORY_GUARD_BYTES = String(2 ** 50);
  t.teardown(() => delete process.env.TCP_TRACE_MEMORY_GUARD_BYTES);
  const run = startCli(['run', '--headless', '--connections', '3000', '--rate', '300', '--out', tempDir(t, 'fault-memory')]);
  const r = await run.done;
  t.is(r.code, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  const s = lines.at(-1)!;
  t.is(s.stoppedBy, 'memory guard: MemAvailable under 1048576 GiB');
  t.like(s.faults[0], {part: 'memory', missing: 'the connections not made yet: the ramp stops here'});
  t.regex(s.faults[0].why, /^MemAvailable \d+ MiB under the guard's 1073741824 MiB$/);
  t.is(lines.filter((l) => l.type === 'note' && l.text.startsWith('fault at ')).length, 1);
  t.true(s.connections.established < 3000);
  t.is(s.kernel.established.client, s.connections.established);
  nothingLeft(t);
});
