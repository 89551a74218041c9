// trace watches programs the tool did not start: a python3 client/server in the host's namespace.
import test from 'ava';
import {execFile, execFileSync, spawn} from 'node:child_process';
import {PY, PYTHON, python} from '../helpers/python-peers.js';
import {jsonLines} from '../helpers/cli.js';
import {startTrace} from '../helpers/trace-netns.js';
import {journals, kernelSkipReason, toolProcesses} from '../helpers/kernel.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;

async function traceAround(args: string[], work: () => Promise<Array<[number, number]>>) {
  const {trace} = await startTrace(args);
  const made = await work();
  const r = await trace.done;
  return {r, made, summary: jsonLines(r.stdout).at(-1)!};
}

kernelTest('trace --port --comm: 23 connections of a python3 client/server, both sides, their local ports and syscalls', async (t) => {
  const port = 23_456;
  const {r, made, summary} = await traceAround(['--port', String(port), '--comm', 'python3', '--duration', '6'], () => python([port], 23));
  t.is(r.code, 0, r.stderr);
  t.is(summary.mode, 'trace');
  t.deepEqual(summary.kernel.established, {client: 23, server: 23});
  t.deepEqual(summary.ports.pairs, [...made].sort((a, b) => a[1] - b[1]));
  // python3's own calls: 1 listening + 23 client sockets, 23 connects, 23 accepts (nobody else's)
  t.deepEqual(summary.kernel.syscalls, {socket: 24, connect: 23, accept: 23});
  t.deepEqual(toolProcesses(), []);
  t.deepEqual(journals(), []);
});

kernelTest('trace --comm of a program that does nothing sees none of python3\'s syscalls', async (t) => {
  const {r, summary} = await traceAround(['--port', '23470', '--comm', 'no-such-prog', '--duration', '5'], () => python([23_470], 3));
  t.is(r.code, 0, r.stderr);
  t.deepEqual(summary.kernel.syscalls, {socket: 0, connect: 0, accept: 0});
  // state changes run in softirq: they are filtered by port, not by comm
  t.deepEqual(summary.kernel.established, {client: 3, server: 3});
});

kernelTest('trace: one local port (SO_REUSEADDR) connected to two server ports shows both connections on it', async (t) => {
  const ports = [23_460, 23_461];
  const {r, made, summary} = await traceAround(['--duration', '6'], () => python(ports, 2, 45_000));
  t.is(r.code, 0, r.stderr);
  t.deepEqual(made, [[23_460, 45_000], [23_461, 45_000]]);
  const mine = summary.ports.pairs.filter(([dport]: [number, number]) => ports.includes(dport));
  t.deepEqual(mine, [[23_460, 45_000], [23_461, 45_000]]);
});

kernelTest('trace --pid A --pid B: the syscalls of those two processes, not of a third doing the same', async (t) => {
  // three python3 processes wait on stdin; only the first two are traced
  const shapes: Array<[number, number]> = [[23_480, 5], [23_481, 7], [23_482, 4]];
  const procs = shapes.map(([port, n]) => {
    const child = spawn(PYTHON, ['-c', PY, JSON.stringify([port]), String(n), '0', 'wait'], {stdio: ['pipe', 'pipe', 'inherit']});
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const done = new Promise<Array<[number, number]>>((resolve) => child.once('exit', () => resolve(JSON.parse(out || '[]'))));
    return {child, done};
  });
  const [a, b] = procs.map((p) => String(p.child.pid));
  const {r, made, summary} = await traceAround(['--pid', a!, '--pid', b!, '--duration', '6'], async () => {
    for (const p of procs) p.child.stdin!.end('go\n');
    return (await Promise.all(procs.map((p) => p.done))).flat();
  });
  t.is(r.code, 0, r.stderr);
  t.is(made.length, 16);
  t.deepEqual(summary.pids, [Number(a), Number(b)]);
  // 1 listening + 5 client sockets, and 1 + 7; 12 connects, 12 accepts; the third process's 5 + 4 + 4 are not there
  t.deepEqual(summary.kernel.syscalls, {socket: 14, connect: 12, accept: 12});
});

kernelTest('trace --netns NAME: a python3 client/server inside a namespace the test made, counted there and not on the host', async (t) => {
  const ns = `h-trace-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.teardown(() => execFileSync('ip', ['netns', 'del', ns]));
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const port = 23_500;
  const inNetns = () =>
    new Promise<Array<[number, number]>>((resolve, reject) =>
      execFile('ip', ['netns', 'exec', ns, PYTHON, '-c', PY, JSON.stringify([port]), '23', '0'], (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout)))),
    );
  const {r, made, summary} = await traceAround(['--netns', ns, '--port', String(port), '--duration', '6'], async () => {
    // the same port in the host's namespace at the same time: not counted
    const [inside] = await Promise.all([inNetns(), python([port], 5)]);
    return inside;
  });
  t.is(r.code, 0, r.stderr);
  t.is(made.length, 23);
  t.deepEqual(summary.kernel.established, {client: 23, server: 23});
  t.deepEqual(summary.ports.pairs, [...made].sort((a, b) => a[1] - b[1]));
  t.deepEqual(toolProcesses(), []);
  t.deepEqual(journals(), []);
});
