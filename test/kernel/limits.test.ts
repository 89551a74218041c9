// Sized from the host's real limits: under a hard RLIMIT_NOFILE of 4096 (many VMs' and containers' default)
// the default ramp still makes every connection, with more worker processes, and no EMFILE.
import test from 'ava';
import {spawn} from 'node:child_process';
import {jsonLines} from '../helpers/cli.js';
import {journals, kernelSkipReason, labNamespaces, toolProcesses} from '../helpers/kernel.js';
import {BIN} from '../helpers/paths.js';
import {tempDir} from '../helpers/temp.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;

// Run the CLI under prlimit; its stdout, stderr and exit code.
function runUnderPrlimit(nofile: string, args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  const child = spawn('prlimit', [`--nofile=${nofile}`, '--', process.execPath, BIN, ...args], {stdio: ['ignore', 'pipe', 'pipe']});
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({code, stdout, stderr})));
}

kernelTest('prlimit --nofile=1024:4096: the default ramp of 20 000 is exact on both ends, no EMFILE', async (t) => {
  const r = await runUnderPrlimit('1024:4096', ['run', '--headless', '--hold', '0.5', '--measure', 'connections', '--out', tempDir(t, 'limits')]);
  t.is(r.code, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  const s = lines.at(-1)!;
  t.is(s.type, 'summary', r.stderr);
  t.is(s.connections.requested, 20_000);
  t.is(s.connections.established, 20_000);
  t.is(s.connections.accepted, 20_000);
  t.deepEqual(s.connections.failed, {});
  t.deepEqual(s.kernel.established, {client: 20_000, server: 20_000});
  t.deepEqual(s.kernel.errors, {});
  // the generator said how it sized itself: 4096 - 96 = 4000 sockets a process, so 5 clients and 5 ports
  t.true(
    lines.some((l) => l.type === 'note' && l.text === 'hard RLIMIT_NOFILE 4096: at most 4000 sockets a worker process, so 5 client process(es) and 5 server port(s)'),
    lines.filter((l) => l.type === 'note').map((l) => l.text).join('\n'),
  );
  t.deepEqual(labNamespaces(), []);
  t.deepEqual(toolProcesses(), []);
  t.deepEqual(journals(), []);
});

kernelTest('prlimit --nofile=64:200: a host that cannot hold the ramp is told so in one line, exit 1, nothing made', async (t) => {
  const r = await runUnderPrlimit('64:200', ['run', '--headless', '--out', tempDir(t, 'limits-low')]);
  t.is(r.code, 1);
  t.is(r.stdout, '');
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, /20000 connections need 386 worker processes of at most 104 sockets each under this host.s hard RLIMIT_NOFILE \(200\) and 1286 fds in tcp-trace to drive them: raise the hard limit/);
  t.deepEqual(labNamespaces(), []);
  t.deepEqual(journals(), []);
});
