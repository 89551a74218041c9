// The other commands end to end on this host: probes, report on a run just recorded (as the user who ran
// sudo, who owns its files), and a run measuring less (--measure) that falls back to /proc/slabinfo.
import test from 'ava';
import {readFileSync, readdirSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {jsonLines, runCli} from '../helpers/cli.js';
import {journals, kernelSkipReason, labNamespaces, objsize, toolProcesses} from '../helpers/kernel.js';
import {tempDir} from '../helpers/temp.js';
import {ROOT} from '../helpers/paths.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;
// nobody/nogroup on Debian
const NOBODY = 65_534;

kernelTest('probes --json: the plan doctor gives, each measurement on a kind that attaches here; the text has a line each', async (t) => {
  const [probes, doctor, text] = await Promise.all([runCli(['probes', '--json']), runCli(['doctor', '--json']), runCli(['probes'])]);
  t.is(probes.code, 0, probes.stderr);
  const plan = JSON.parse(probes.stdout);
  const d = JSON.parse(doctor.stdout);
  t.deepEqual(Object.keys(plan), ['connections', 'portAllocation', 'fourTuples', 'socketCreation', 'receiveLookup', 'slab', 'timeWait']);
  t.deepEqual(Object.fromEntries(Object.entries(plan as Record<string, {kind: string}>).map(([m, p]) => [m, p.kind])), Object.fromEntries(Object.entries(d.probePlan as Record<string, {kind: string}>).map(([m, p]) => [m, p.kind])));
  for (const [m, p] of Object.entries(plan as Record<string, {kind: string | null; file: string | null}>)) {
    t.truthy(p.kind, `${m} has no program here`);
    t.true(d.probeKinds[p.kind!].attaches, `${m} planned on ${p.kind}`);
    t.true(statSync(join(ROOT, 'probes', p.file!)).isFile(), p.file!);
  }
  t.is(text.code, 0, text.stderr);
  for (const m of Object.keys(plan)) t.regex(text.stdout, new RegExp(`^${m}\\s+${plan[m].kind}\\s`, 'm'));
});

kernelTest('a run under sudo (SUDO_UID) leaves its files to that user, who can make the report without root', async (t) => {
  const out = tempDir(t, 'owned');
  const r = await runCli(['run', '--connections', '23', '--headless', '--hold', '0', '--out', out], {env: {SUDO_UID: String(NOBODY), SUDO_GID: String(NOBODY)}});
  t.is(r.code, 0, r.stderr);
  const [name] = readdirSync(out);
  const dir = join(out, name!);
  for (const f of [out, dir, ...['manifest.json', 'samples.ndjson', 'connections.csv', 'summary.json'].map((x) => join(dir, x))]) {
    const st = statSync(f);
    t.deepEqual([st.uid, st.gid], [NOBODY, NOBODY], f);
  }
  // report, as nobody, into the run directory
  const rep = await runCli(['report', dir], {user: 'nobody'});
  t.is(rep.code, 0, rep.stderr);
  const files = rep.stdout.trim().split('\n');
  t.is(files[0], join(dir, 'report.md'));
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  // the report's numbers are the run's
  t.regex(md, /The generator established 23 of 23 connections requested .*The kernel saw 23 established on the client side and 23 on the server side\./);
  t.regex(md, /^\| established \(client side\) \| 23 \| 23 \|$/m);
  t.regex(md, new RegExp(`^\\| kernel \\| ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim().replace(/\./g, '\\.')} \\|$`, 'm'));
  const charts = files.filter((f) => f.endsWith('.svg'));
  t.true(charts.length > 0);
  for (const c of charts) {
    t.regex(readFileSync(c, 'utf8'), /^<svg[\s\S]*<\/svg>\s*$/);
    t.is(statSync(c).uid, NOBODY);
    t.true(md.includes(`charts/${c.split('/').at(-1)}`), c);
  }
});

kernelTest('--measure without slab: no slab probe, the slab figures from /proc/slabinfo alone', async (t) => {
  const n = 23;
  const r = await runCli(['run', '--connections', String(n), '--headless', '--hold', '0', '--measure', 'connections,portAllocation,socketCreation', '--out', tempDir(t, 'measure')]);
  t.is(r.code, 0, r.stderr);
  const s = jsonLines(r.stdout).at(-1)!;
  t.is(s.probePlan.slab.kind, null);
  t.is(s.probePlan.receiveLookup.kind, null);
  t.regex(s.probePlan.slab.why, /--measure/);
  t.deepEqual(s.kernel.established, {client: n, server: n});
  t.deepEqual(s.kernel.syscalls, {socket: n, connect: n, accept: n});
  // no receive program: its numbers withheld with why, not shown as zero
  t.is(s.kernel.receive, null);
  t.regex(s.incomplete['kernel.receive'], /^receiveLookup: not measured in this run \(--measure\)$/);
  t.is(s.slab.source, 'slabinfo');
  t.is(s.slab.bytesPerConnection.tracepoint, null);
  // not exact: /proc/slabinfo counts every socket on the host, not only the lab's (seen: 2 more inodes): within 3
  t.true(Math.abs(s.slab.byCache.TCP - 2 * objsize('TCP')) <= (3 * objsize('TCP')) / n, JSON.stringify(s.slab.byCache));
  t.true(Math.abs(s.slab.byCache.sock_inode_cache - 2 * objsize('sock_inode_cache')) <= (3 * objsize('sock_inode_cache')) / n, JSON.stringify(s.slab.byCache));
  t.deepEqual(labNamespaces(), []);
  t.deepEqual(toolProcesses(), []);
  t.deepEqual(journals(), []);
});
