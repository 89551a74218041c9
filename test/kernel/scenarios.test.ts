// Each scenario at small scale: its claims hold, from the kernel's counts and the generator's records.
import test from 'ava';
import {readFileSync, readdirSync} from 'node:fs';
import type {ExecutionContext} from 'ava';
import {tempDir} from '../helpers/temp.js';
import {join} from 'node:path';
import {readlinkSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {jsonLines, runCli, startCli} from '../helpers/cli.js';
import {journals, kernelSkipReason, labNamespaces, objsize, toolProcesses} from '../helpers/kernel.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;

// Run a scenario headless into a fresh folder; the summary and the run directory's files.
async function scenario(t: ExecutionContext, name: string, ...flags: string[]) {
  const out = tempDir(t, name);
  const r = await runCli(['run', name, '--headless', '--hold', '0.5', '--out', out, ...flags]);
  const summary = jsonLines(r.stdout).at(-1)!;
  const [dir] = readdirSync(out);
  const file = (f: string) => readFileSync(join(out, dir!, f), 'utf8');
  return {r, summary, file};
}

const held = (summary: any) => (summary.claims as Array<{claim: string; held: boolean}>).map((c) => [c.claim, c.held]);
const allHeld = (summary: any) => (summary.claims as Array<{held: boolean}>).every((c) => c.held);

kernelTest('port-exhaustion: exactly 10, then EADDRNOTAVAIL, then 10 more on the same local ports', async (t) => {
  const {r, summary, file} = await scenario(t, 'port-exhaustion');
  t.is(r.code, 0, r.stderr);
  t.true(allHeld(summary), JSON.stringify(held(summary)));
  t.deepEqual(summary.connections.failed, {EADDRNOTAVAIL: 1});
  t.deepEqual(summary.kernel.errors, {EADDRNOTAVAIL: 1});
  // asked for the range size (10), tried 2 x 10 + 1
  t.deepEqual([summary.connections.requested, summary.connections.attempted, summary.connections.established], [10, 21, 20]);
  // the 10 ports toward the first server port held by open connections at the end: the range itself
  t.deepEqual(summary.kernel.limitsHit, {EADDRNOTAVAIL: 'ip_local_port_range'});
  t.deepEqual(summary.kernel.established, {client: 20, server: 20});
  t.deepEqual(summary.ports.range, {low: 60000, high: 60009, size: 10});
  t.deepEqual(summary.ports.perDestination, {'12000': 10, '12001': 10});
  // 21 sockets and connects (the 11th connect fails), 20 accepts; every made connection seen by both sides
  t.deepEqual(summary.kernel.syscalls, {socket: 21, connect: 21, accept: 20});
  t.deepEqual(summary.ports.correlation, {matched: 20, onlyKernel: 0, onlyGenerator: 0});
  // with all 10 ports used per destination, half of each range's ports are odd
  t.deepEqual(summary.ports.parity, {even: 10, odd: 10});
  t.deepEqual(summary.probeFailures, []);
  // connections.csv: 21 attempts, in order; the 11th failed
  const rows = file('connections.csv').trim().split('\n').slice(1).map((l) => l.split(','));
  t.is(rows.length, 21);
  t.is(rows[10]![6], 'EADDRNOTAVAIL');
  t.deepEqual(rows.slice(0, 10).map((c) => c[2]).sort(), rows.slice(11).map((c) => c[2]).sort());
  // the host's own range was not touched: the lab's was a namespace's
  t.not(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim(), '60000\t60009');
});

kernelTest('four-tuple: one local port, two server ports, payloads crossed right, the third EADDRNOTAVAIL', async (t) => {
  const {r, summary} = await scenario(t, 'four-tuple');
  t.is(r.code, 0, r.stderr);
  t.true(allHeld(summary), JSON.stringify(held(summary)));
  t.deepEqual(summary.kernel.established, {client: 2, server: 2});
  t.deepEqual(summary.kernel.errors, {EADDRNOTAVAIL: 1});
  t.deepEqual(summary.connections.failed, {EADDRNOTAVAIL: 1});
  // three sockets and connects (the third connect fails), two accepts
  t.deepEqual(summary.kernel.syscalls, {socket: 3, connect: 3, accept: 2});
  t.deepEqual(summary.ports.correlation, {matched: 2, onlyKernel: 0, onlyGenerator: 0});
  // one local port for both server ports
  t.deepEqual(summary.ports.perDestination, {'12000': 1, '12001': 1});
});

// The fds of pid with their link targets ("socket:[123]", "/dev/null", "anon_inode:[eventpoll]" ...).
function fdTargets(pid: number): Array<{fd: number; target: string}> {
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [{fd: Number(fd), target: readlinkSync(`/proc/${pid}/fd/${fd}`)}];
    } catch {
      return [];
    }
  });
}

// Socket inodes of pid's namespace's ESTABLISHED TCP connections to remote port (from /proc/PID/net/tcp).
function establishedTo(pid: number, port: number): Set<string> {
  const rows = readFileSync(`/proc/${pid}/net/tcp`, 'utf8').trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  return new Set(rows.filter((c) => c[3] === '01' && parseInt(c[2]!.split(':')[1]!, 16) === port).map((c) => c[9]!));
}

kernelTest('fd-limit: EMFILE once the worker holds nofile fds, its sockets are the connections, named RLIMIT_NOFILE', async (t) => {
  const out = tempDir(t, 'fd-limit');
  const run = startCli(['run', 'fd-limit', '--nofile', '128', '--headless', '--hold', '3', '--out', out]);
  let stdout = '';
  run.child.stdout!.on('data', (d) => (stdout += d));
  const holding = () => jsonLines(stdout.slice(0, stdout.lastIndexOf('\n') + 1)).some((l) => l.type === 'sample' && l.phase === 'holding');
  for (let i = 0; i < 300 && !holding(); i++) await sleep(100);
  t.true(holding(), stdout);
  // the client worker during the hold, counted from /proc: every one of its 128 fd slots (0-127) is taken, and
  // its connections are the established sockets to the server port among its fds (one fd above 127, the IPC
  // channel, was opened by its parent before the limit was set)
  const worker = toolProcesses().find((p) => p.cmd.includes('client-worker.js'));
  t.truthy(worker, JSON.stringify(toolProcesses()));
  const fds = fdTargets(worker!.pid);
  const mine = establishedTo(worker!.pid, 12000);
  const connections = fds.filter((f) => mine.has(/^socket:\[(\d+)\]$/.exec(f.target)?.[1] ?? '')).length;
  t.is(fds.filter((f) => f.fd < 128).length, 128, fds.map((f) => `${f.fd}:${f.target}`).join(' '));
  t.true(connections > 0);
  const r = await run.done;
  t.is(r.code, 0, r.stderr);
  const summary = jsonLines(r.stdout).at(-1)!;
  t.true(allHeld(summary), JSON.stringify(held(summary)));
  t.is(summary.connections.established, connections);
  t.deepEqual(summary.kernel.established, {client: connections, server: connections});
  // the other attempts (nofile + 16 in all) failed with EMFILE, on both sides, and nothing else failed
  t.is(summary.connections.requested, 128 + 16);
  t.deepEqual(summary.connections.failed, {EMFILE: 128 + 16 - connections});
  t.deepEqual(summary.kernel.errors, {EMFILE: 128 + 16 - connections});
  t.deepEqual(summary.kernel.syscalls, {socket: connections, connect: connections, accept: connections});
  t.is(summary.kernel.limitsHit.EMFILE, 'RLIMIT_NOFILE');
  t.deepEqual(labNamespaces(), []);
  t.deepEqual(toolProcesses(), []);
  t.deepEqual(journals(), []);
});

kernelTest('hello: a 12-byte message each way leaves one queued skb data head on each end', async (t) => {
  const {r, summary} = await scenario(t, 'hello', '--connections', '499');
  t.is(r.code, 0, r.stderr);
  t.true(allHeld(summary), JSON.stringify(held(summary)));
  t.deepEqual(summary.kernel.established, {client: 499, server: 499});
  // nothing withheld (a full map or many failed map updates would be): the warnings say why if so
  t.deepEqual(summary.incomplete, {}, JSON.stringify(summary.warnings));
  // the slab probe ran to the end: the messages' buffers are in, exactly one small skb head a socket; the
  // idle cost as in the ramp
  t.is(summary.slab.byCache.skbuff_small_head, 2 * objsize('skbuff_small_head'), JSON.stringify(summary.slab.byCache));
  t.is(summary.slab.byCache.TCP, 2 * objsize('TCP'));
  const e = summary.claims[1].evidence;
  // after minus before is at least those heads (the skb itself is in a cache SLUB merged under another name)
  t.true(e.bytesPerConnectionAfter - e.bytesPerConnectionBefore >= 2 * objsize('skbuff_small_head'), JSON.stringify(e));
});

kernelTest('million with --connections 3000 completes, reports, and says the claim did not hold at that size', async (t) => {
  const {r, summary, file} = await scenario(t, 'million', '--connections', '3000');
  t.is(r.code, 0, r.stderr);
  t.is(summary.connections.established, 3000);
  t.deepEqual(summary.kernel.established, {client: 3000, server: 3000});
  t.is(summary.claims[0].held, false);
  t.is(summary.stoppedBy, null);
  // the ramp read by tenths: 300 more established each, each at a measured rate; no bind() to read (the kernel chose
  // the ports): the kernel is not read between tenths
  const rows = summary.claims[0].evidence.byTenth as Array<{established: number; perSecond: number; binds: number | null}>;
  t.deepEqual(rows.map((x) => x.established), Array.from({length: 10}, (_, i) => 300 * (i + 1)));
  t.true(rows.every((x) => x.perSecond > 0), JSON.stringify(rows));
  t.deepEqual(rows.map((x) => x.binds), Array(10).fill(null));
  // the run directory has every file, and samples were appended as the run went
  const manifest = JSON.parse(file('manifest.json'));
  t.is(manifest.scenario, 'million');
  t.is(manifest.kernel, readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
  t.is(file('connections.csv').trim().split('\n').length, 3001);
  // every sample printed is in the samples file
  t.is(file('samples.ndjson').trim().split('\n').length, jsonLines(r.stdout).filter((l) => l.type === 'sample').length);
  t.is(JSON.parse(file('summary.json')).connections.established, 3000);
  t.deepEqual(labNamespaces(), []);
  t.deepEqual(toolProcesses(), []);
});
