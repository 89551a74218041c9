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
  // the binding ceiling is the lowest of the host-wide ones
  const hostWide = d.ceiling.all.filter((c: any) => c.limit !== 'RLIMIT_NOFILE').map((c: any) => c.connections);
  t.is(d.ceiling.binding.connections, Math.min(...hostWide));
  t.deepEqual(labNamespaces(), []);
});

kernelTest('doctor (text) names the binding limit and each probe kind', async (t) => {
  const r = await runCli(['doctor']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^predicted ceiling: [\d,]+ connections, bound by \S+ \(E[A-Z]+\)$/m);
  for (const k of ['kfunc', 'kprobe', 'tracepoint']) t.regex(r.stdout, new RegExp(`^${k}\\s+(attaches|no: .+)$`, 'm'));
});
