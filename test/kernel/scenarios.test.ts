// Each scenario at small scale: its claims hold, from the kernel's counts and the generator's records.
import test from 'ava';
import {readFileSync, readdirSync} from 'node:fs';
import type {ExecutionContext} from 'ava';
import {tempDir} from '../helpers/temp.js';
import {join} from 'node:path';
import {jsonLines, runCli} from '../helpers/cli.js';
import {kernelSkipReason, labNamespaces, toolProcesses} from '../helpers/kernel.js';

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
  t.deepEqual(summary.kernel.established, {client: 20, server: 20});
  t.deepEqual(summary.ports.range, {low: 60000, high: 60009, size: 10});
  t.deepEqual(summary.ports.perDestination, {'12000': 10, '12001': 10});
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
  t.deepEqual(summary.ports.correlation, {matched: 2, onlyKernel: 0, onlyGenerator: 0});
});

kernelTest('fd-limit: EMFILE at nofile minus the fds node had open, named RLIMIT_NOFILE', async (t) => {
  const {r, summary} = await scenario(t, 'fd-limit', '--nofile', '128');
  t.is(r.code, 0, r.stderr);
  t.true(allHeld(summary), JSON.stringify(held(summary)));
  const evidence = summary.claims[0].evidence;
  t.is(summary.connections.established, 128 - evidence.openFdsAtStart);
  t.is(summary.connections.failed.EMFILE, 128 + 16 - summary.connections.established);
  t.is(summary.kernel.errors.EMFILE, summary.connections.failed.EMFILE);
  t.is(summary.kernel.limitsHit.EMFILE, 'RLIMIT_NOFILE');
});

kernelTest('hello: per-connection memory after the messages is above the idle cost', async (t) => {
  const {r, summary} = await scenario(t, 'hello', '--connections', '499');
  t.is(r.code, 0, r.stderr);
  t.true(allHeld(summary), JSON.stringify(held(summary)));
  const e = summary.claims[1].evidence;
  t.true(e.bytesPerConnectionAfter > e.bytesPerConnectionBefore);
  t.true(e.slabinfoPerConnectionAfter > e.slabinfoPerConnectionBefore);
  t.deepEqual(summary.kernel.established, {client: 499, server: 499});
});

kernelTest('million with --connections 3000 completes, reports, and says the claim did not hold at that size', async (t) => {
  const {r, summary, file} = await scenario(t, 'million', '--connections', '3000');
  t.is(r.code, 0, r.stderr);
  t.is(summary.connections.established, 3000);
  t.deepEqual(summary.kernel.established, {client: 3000, server: 3000});
  t.is(summary.claims[0].held, false);
  t.is(summary.stoppedBy, null);
  // the run directory has every file, and samples were appended as the run went
  const manifest = JSON.parse(file('manifest.json'));
  t.is(manifest.scenario, 'million');
  t.is(manifest.kernel, readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
  t.is(file('connections.csv').trim().split('\n').length, 3001);
  t.true(file('samples.ndjson').trim().split('\n').length >= 1);
  t.is(JSON.parse(file('summary.json')).connections.established, 3000);
  t.deepEqual(labNamespaces(), []);
  t.deepEqual(toolProcesses(), []);
});
