// doctor reports what this host really lets us do, with limits equal to what /proc says.
import test from 'ava';
import {readFileSync} from 'node:fs';
import {runCli} from '../helpers/cli.js';
import {kernelSkipReason, labNamespaces} from '../helpers/kernel.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;
const procInt = (p: string) => Number(readFileSync(p, 'utf8').trim());

kernelTest('doctor --json: limits match /proc, tracepoints attach, the plan uses only kinds that attach', async (t) => {
  const r = await runCli(['doctor', '--json']);
  t.is(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  t.is(d.kernel, readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
  t.is(d.limits.fileMax, procInt('/proc/sys/fs/file-max'));
  t.is(d.limits.nrOpen, procInt('/proc/sys/fs/nr_open'));
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  t.deepEqual(d.limits.ipLocalPortRange, {low, high, size: high! - low! + 1});
  t.true(d.probeKinds.tracepoint.attaches);
  for (const [m, p] of Object.entries(d.probePlan as Record<string, {kind: string | null}>)) {
    if (p.kind) t.true(d.probeKinds[p.kind].attaches, `${m} planned on ${p.kind}, which does not attach`);
  }
  // each ceiling from /proc by hand: the ports of one destination, file-max over 2 sockets a connection, the
  // fd limit this process passed on (hard RLIMIT_NOFILE, capped by nr_open), memory above 2 GiB at 8600 B
  const ceiling = Object.fromEntries((d.ceiling.all as Array<{limit: string; connections: number; errno: string}>).map((c) => [c.limit, c]));
  t.is(ceiling.ip_local_port_range!.connections, high! - low! + 1);
  t.is(ceiling.ip_local_port_range!.errno, 'EADDRNOTAVAIL');
  t.is(ceiling['fs.file-max']!.connections, Math.floor(procInt('/proc/sys/fs/file-max') / 2));
  t.is(ceiling['fs.file-max']!.errno, 'ENFILE');
  const hardNofile = Number(/^Max open files\s+\d+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1]);
  t.is(ceiling.RLIMIT_NOFILE!.connections, Math.min(hardNofile, procInt('/proc/sys/fs/nr_open')));
  t.is(ceiling.RLIMIT_NOFILE!.errno, 'EMFILE');
  // MemAvailable moves between doctor's read and ours: within 5 % of the figure from /proc/meminfo now
  const memAvailable = Number(/^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
  const memory = Math.floor((memAvailable - 2 * 2 ** 30) / 8600);
  t.true(Math.abs(ceiling.memory!.connections - memory) <= 0.05 * memory, `memory ceiling ${ceiling.memory!.connections} vs ${memory} from /proc/meminfo`);
  // the binding one: the lowest of the three host-wide figures above (the per-process fd limit is listed last)
  const hostWide: Array<[string, number]> = [['ip_local_port_range', high! - low! + 1], ['fs.file-max', Math.floor(procInt('/proc/sys/fs/file-max') / 2)], ['memory', memory]];
  t.is(d.ceiling.binding.limit, hostWide.sort((a, b) => a[1] - b[1])[0]![0]);
  t.is(d.ceiling.all.at(-1).limit, 'RLIMIT_NOFILE');
  t.deepEqual(labNamespaces(), []);
});

kernelTest('doctor (text) names the binding limit and each probe kind', async (t) => {
  const r = await runCli(['doctor']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^predicted ceiling: [\d,]+ connections, bound by \S+ \(E[A-Z]+\)$/m);
  for (const k of ['kfunc', 'kprobe', 'tracepoint']) t.regex(r.stdout, new RegExp(`^${k}\\s+(attaches|no: .+)$`, 'm'));
});
