// trace watches programs the tool did not start: a python3 client/server in the host's namespace.
import test from 'ava';
import {execFile} from 'node:child_process';
import {setTimeout as sleep} from 'node:timers/promises';
import {jsonLines, startCli} from '../helpers/cli.js';
import {journals, kernelSkipReason, toolProcesses} from '../helpers/kernel.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;

// A client/server outside the tool: the server listens on each of ports; the client makes n connections
// (bound to localPort with SO_REUSEADDR when given) and prints their local ports; both hold them 2 s.
const PY = `
import json, socket, sys, threading, time
ports, n, local = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
held = []
for p in ports:
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", p)); srv.listen(128); held.append(srv)
    threading.Thread(target=lambda s=srv: [held.append(s.accept()[0]) for _ in iter(int, 1)], daemon=True).start()
out = []
for i in range(n):
    c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if local: c.bind(("127.0.0.1", local))
    c.connect(("127.0.0.1", ports[i % len(ports)])); held.append(c); out.append([ports[i % len(ports)], c.getsockname()[1]])
print(json.dumps(out), flush=True)
time.sleep(2)
`;

function python(ports: number[], n: number, localPort = 0): Promise<Array<[number, number]>> {
  return new Promise((resolve, reject) =>
    execFile('python3', ['-c', PY, JSON.stringify(ports), String(n), String(localPort)], (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout)))),
  );
}

async function traceAround(args: string[], work: () => Promise<Array<[number, number]>>) {
  const trace = startCli(['trace', '--headless', ...args]);
  let out = '';
  trace.child.stdout!.on('data', (d) => (out += d));
  for (let i = 0; i < 300 && !out.includes('"type":"note"'); i++) await sleep(100);
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
