// The walking skeleton's contract: the generator and the kernel count the same connections, sockets and ports.
import test from 'ava';
import {existsSync, readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {jsonLines, runCli} from '../helpers/cli.js';
import {journals, kernelSkipReason, labNamespaces, objsize, toolProcesses} from '../helpers/kernel.js';
import {tempDir} from '../helpers/temp.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;

const within = (a: number, b: number, share: number) => Math.abs(a - b) <= share * Math.max(a, b);

// n connections shared round-robin over the server ports: the first n % ports get one more.
const roundRobin = (n: number, ports: number[]) => Object.fromEntries(ports.map((p, i) => [String(p), Math.floor(n / ports.length) + (i < n % ports.length ? 1 : 0)]));

for (const n of [23, 499]) {
  kernelTest(`ramp of ${n}: kernel and generator agree on every count`, async (t) => {
    const out = tempDir(t, 'ramp');
    const r = await runCli(['run', '--connections', String(n), '--headless', '--hold', '0.5', '--out', out]);
    t.is(r.code, 0, r.stderr);
    const lines = jsonLines(r.stdout);
    const s = lines.at(-1)!;
    t.is(s.type, 'summary');
    // the generator's side
    t.is(s.connections.requested, n);
    t.is(s.connections.established, n);
    t.is(s.connections.accepted, n);
    t.deepEqual(s.connections.failed, {});
    // the kernel's side, per the run's server ports (the default: 4 from 12000)
    t.deepEqual(s.ports.server, [12000, 12001, 12002, 12003]);
    t.deepEqual(s.kernel.established, {client: n, server: n});
    t.deepEqual(s.kernel.syscalls, {socket: n, connect: n, accept: n});
    t.deepEqual(s.kernel.errors, {});
    t.is(s.kernel.lostEvents, 0);
    t.is(s.kernel.latency.socket.count, n);
    t.is(s.kernel.latency.connect.count, n);
    t.deepEqual(s.probeFailures, []);
    // a function-probe field is null exactly where the plan says why it was not measured (this host: tracepoints only)
    const nullFields = Object.entries(s.kernel.functions).filter(([, v]) => v === null).map(([k]) => `kernel.functions.${k}`);
    if (s.kernel.timeWait.reused === null) nullFields.push('kernel.timeWait.reused');
    t.deepEqual(Object.keys(s.notMeasured).sort(), nullFields.sort());
    // every local port the generator saw is one the kernel saw, by (server port, local port)
    t.deepEqual(s.ports.correlation, {matched: n, onlyKernel: 0, onlyGenerator: 0});
    // the generator deals connections round-robin over the server ports: each got its share of local ports
    t.deepEqual(s.ports.perDestination, roundRobin(n, s.ports.server));
    // connect() tries even ports first (since 4.6): with 28 232 free, every one is even
    t.deepEqual(s.ports.parity, {even: n, odd: 0});
    // a fresh namespace's ip_local_port_range is the kernel's default, whatever the host's
    t.deepEqual(s.ports.range, {low: 32768, high: 60999, size: 28232});
    t.deepEqual(s.lab.portRange, s.ports.range);
    // a handshake is three TCP segments received on the lab's loopback, and nothing else arrives there
    t.is(s.kernel.receive.tcpSegments, 3 * n);
    t.is(s.kernel.receive.packets, 3 * n);
    // slab per connection: one TCP socket and one socket inode on each end (the listeners' came before)
    t.is(s.slab.byCache.TCP, 2 * objsize('TCP'), JSON.stringify(s.slab.byCache));
    t.is(s.slab.byCache.sock_inode_cache, 2 * objsize('sock_inode_cache'), JSON.stringify(s.slab.byCache));
    const {tracepoint, slabinfo} = s.slab.bytesPerConnection;
    // slabinfo's total over every cache is only positive where the run outweighs the host: at 23 connections a
    // namespace the kernel was still tearing down (the previous test's, freed asynchronously) made it -17 KB
    // once in CI; the socket caches below carry the comparison there
    t.true(tracepoint >= 2 * (objsize('TCP') + objsize('sock_inode_cache')), `tracepoint ${tracepoint}`);
    if (n >= 499) t.true(slabinfo > 0, `slabinfo ${slabinfo}`);
    // /proc/slabinfo moves with the rest of the host (not exact): the socket's own caches, which nothing else
    // on the host allocates from, agree at any size; the totals (dentry, filp, maple_node ...) where the run dominates
    const sockets = (c: Record<string, number | null>) => (c.TCP ?? 0) + (c.sock_inode_cache ?? 0);
    t.true(within(sockets(s.slab.byCache), sockets(s.slab.slabinfoByCache), 0.3), `TCP + sock_inode_cache: ${JSON.stringify(s.slab.byCache)} vs ${JSON.stringify(s.slab.slabinfoByCache)}`);
    if (n >= 499) t.true(within(tracepoint, slabinfo, 0.3), `tracepoint ${tracepoint} vs slabinfo ${slabinfo}`);
    t.log(`n=${n}: slab/conn tracepoint ${tracepoint} B, slabinfo ${slabinfo} B; TCP ${s.slab.byCache.TCP} B`);
    // samples came before the summary; the first at once, while the workers and probes were starting: zero
    // on both sides (nothing was made, nothing counted), and taken before the ramp began
    const samples = lines.filter((l) => l.type === 'sample');
    t.is(samples[0]!.phase, 'starting');
    t.deepEqual([samples[0]!.connections.established, samples[0]!.kernel.established.client], [0, 0]);
    t.true(samples[0]!.tMs < s.startupMs && s.startupMs < s.durationMs, `first sample ${samples[0]!.tMs} ms, ramp at ${s.startupMs} ms`);
    t.is(samples.at(-1)!.connections.established, n);
    // the run directory's samples file has every sample printed, in order
    const [runDir] = readdirSync(out);
    const recorded = readFileSync(join(out, runDir!, 'samples.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    t.is(recorded.length, samples.length);
    t.deepEqual(recorded.map((l) => l.tMs), samples.map((l) => l.tMs));
    // warnings.txt holds every warning of the summary (the slab program's skipped runs, often); none, no file
    const warningsFile = join(out, runDir!, 'warnings.txt');
    const warned = existsSync(warningsFile) ? readFileSync(warningsFile, 'utf8').trim().split('\n').map((l) => l.replace(/^\d+\.\d s {2}/, '')) : [];
    for (const w of s.warnings) t.true(warned.includes(w), `${w} not in warnings.txt`);
    if (s.warnings.length === 0) t.false(existsSync(warningsFile));
    // nothing left behind
    t.deepEqual(labNamespaces(), []);
    t.deepEqual(toolProcesses(), []);
    t.deepEqual(journals(), []);
  });
}

kernelTest('slab sample: the slab probe stops after 1000 of 2000 connections; its per-connection bytes match /proc/slabinfo over all 2000', async (t) => {
  const n = 2000;
  const k = 1000;
  const r = await runCli(['run', '--connections', String(n), '--slab-sample', String(k), '--headless', '--hold', '0.5', '--out', tempDir(t, 'sample')]);
  t.is(r.code, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  const s = lines.at(-1)!;
  t.true(lines.some((l) => l.type === 'note' && /the first 1000 connections measured by the slab probe/.test(l.text)));
  // the other probes went on counting every connection
  t.is(s.connections.established, n);
  t.deepEqual(s.kernel.established, {client: n, server: n});
  t.deepEqual(s.kernel.syscalls, {socket: n, connect: n, accept: n});
  t.deepEqual(s.ports.correlation, {matched: n, onlyKernel: 0, onlyGenerator: 0});
  // runs of the slab program the kernel skipped (an interrupt's frees nested in a running program, the host's nearly
  // always: 3-9 in a sample of 500 here) are counted and said with their worst case; the slab numbers are kept
  const misses = s.runs.slab.eventsMissed;
  t.is(typeof misses, 'number');
  t.false('slab.bytesPerConnection.tracepoint' in s.incomplete, JSON.stringify(s.incomplete));
  if (misses > 0) t.true(s.warnings.some((w: string) => w.startsWith(`slab: the kernel skipped ${misses} runs`) && w.endsWith('B held: kept')), JSON.stringify(s.warnings));
  // the slab probe's bytes are divided by its 1000, slabinfo's by all 2000: the two agree
  t.is(s.slab.sampledConnections, k);
  const sockets = (c: Record<string, number | null>) => (c.TCP ?? 0) + (c.sock_inode_cache ?? 0);
  t.true(within(sockets(s.slab.byCache), sockets(s.slab.slabinfoByCache), 0.3), `${JSON.stringify(s.slab.byCache)} vs ${JSON.stringify(s.slab.slabinfoByCache)}`);
  const {tracepoint, slabinfo} = s.slab.bytesPerConnection;
  t.true(within(tracepoint, slabinfo, 0.3), `tracepoint ${tracepoint} vs slabinfo ${slabinfo}`);
  // samples after the stop still show a per-connection figure, the sample's (the summary leaves out caches
  // under 8 B a connection, the sample does not: hence 2 %), and a held total for all 2000
  const last = lines.filter((l) => l.type === 'sample').at(-1)!;
  t.is(last.slab.sampledConnections, k);
  t.true(within(last.slab.bytesPerConnection, tracepoint, 0.02), `${last.slab.bytesPerConnection} vs ${tracepoint}`);
  // the sample's socket caches are exact too: one TCP socket and one inode on each end of its 1000
  t.is(s.slab.byCache.TCP, 2 * objsize('TCP'));
  t.is(s.slab.byCache.sock_inode_cache, 2 * objsize('sock_inode_cache'));
  // the held total for all 2000, against /proc/slabinfo's growth over all 2000 (moves with the host: 30 %)
  t.true(within(last.slab.heldBytes, slabinfo * n, 0.3), `held ${last.slab.heldBytes} vs slabinfo ${slabinfo * n}`);
  t.deepEqual(toolProcesses(), []);
  t.deepEqual(journals(), []);
});

kernelTest('not root: one line saying to use sudo, exit 1', async (t) => {
  const r = await runCli(['run', '--connections', '23'], {user: 'nobody'});
  t.is(r.code, 1);
  t.regex(r.stderr, /^tcp-trace: tcp-trace needs root .*: run it with sudo\n$/);
});
