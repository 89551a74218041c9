// A planned variant that bpftrace refuses at run time: its measurement is unavailable with bpftrace's reason,
// its numbers withheld (null, not zero), and every other measurement keeps its exact numbers. The refusal is
// real: a copy of probes/ (TCP_TRACE_PROBES_DIR) whose receive program names a tracepoint this kernel lacks.
import test, {type ExecutionContext} from 'ava';
import {cpSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {jsonLines, runCli} from '../helpers/cli.js';
import {journals, kernelSkipReason, labNamespaces, objsize, toolProcesses} from '../helpers/kernel.js';
import {ROOT} from '../helpers/paths.js';
import {tempDir} from '../helpers/temp.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;

// probes/ copied to a temporary folder, with `from` replaced by `to` in one file.
function brokenProbes(t: ExecutionContext, file: string, from: string, to: string): string {
  const dir = join(tempDir(t, 'probes'), 'probes');
  cpSync(join(ROOT, 'probes'), dir, {recursive: true});
  const text = readFileSync(join(dir, file), 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  writeFileSync(join(dir, file), text.replace(from, to));
  return dir;
}

kernelTest('run: the receive tracepoint refused by bpftrace leaves receiveLookup unavailable with its error and withheld; the other measurements stay exact for 23', async (t) => {
  const n = 23;
  const probes = brokenProbes(t, 'rxlookup-tp.bt', 'tracepoint:net:netif_receive_skb\n', 'tracepoint:net:tcp_trace_no_such_tracepoint\n');
  const r = await runCli(['run', '--connections', String(n), '--headless', '--hold', '0.5', '--out', tempDir(t, 'fallback')], {env: {TCP_TRACE_PROBES_DIR: probes}});
  t.is(r.code, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  const s = lines.at(-1)!;
  t.is(s.type, 'summary');
  // the plan as attached: receiveLookup has no program, and bpftrace's own error says why
  const rx = s.probePlan.receiveLookup;
  t.is(rx.kind, null);
  t.is(rx.file, null);
  t.regex(rx.why, /^unavailable here: .*tracepoint: .*tracepoint not found: net:tcp_trace_no_such_tracepoint$/);
  t.deepEqual(s.probeFailures, [{measurement: 'receiveLookup', why: rx.why}]);
  t.true(lines.some((l) => l.type === 'note' && l.text === `probe receiveLookup unavailable: ${rx.why}`));
  t.true(lines.some((l) => l.type === 'note' && l.text.startsWith('plan: receiveLookup fell back to none: unavailable here:')));
  // its numbers are withheld with that reason, not shown as zero
  t.is(s.kernel.receive, null);
  t.deepEqual(s.incomplete, {'kernel.receive': `receiveLookup: ${rx.why}`});
  t.true(s.warnings.includes(`receiveLookup: ${rx.why}; receiveLookup numbers are withheld (no program measured them)`), JSON.stringify(s.warnings));
  // every other measurement ran its tracepoint variant from the copy and kept its exact numbers (run.test.ts's)
  for (const m of ['connections', 'portAllocation', 'socketCreation', 'slab']) t.is(s.probePlan[m].kind, 'tracepoint', m);
  t.deepEqual(s.kernel.established, {client: n, server: n});
  t.deepEqual(s.kernel.syscalls, {socket: n, connect: n, accept: n});
  t.deepEqual(s.kernel.errors, {});
  t.is(s.kernel.latency.socket.count, n);
  t.is(s.kernel.latency.connect.count, n);
  t.deepEqual(s.ports.correlation, {matched: n, onlyKernel: 0, onlyGenerator: 0});
  t.deepEqual(s.ports.perDestination, {12000: 6, 12001: 6, 12002: 6, 12003: 5});
  t.deepEqual(s.ports.parity, {even: n, odd: 0});
  t.is(s.slab.source, 'tracepoint');
  t.is(s.slab.byCache.TCP, 2 * objsize('TCP'), JSON.stringify(s.slab.byCache));
  t.is(s.slab.byCache.sock_inode_cache, 2 * objsize('sock_inode_cache'), JSON.stringify(s.slab.byCache));
  t.deepEqual(labNamespaces(), []);
  t.deepEqual(toolProcesses(), []);
  t.deepEqual(journals(), []);
});
