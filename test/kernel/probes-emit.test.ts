// `tcp-trace probes --emit` prints each program exactly as a run starts it: rendered for this bpftrace, and runnable.
import test from 'ava';
import {execFile, execFileSync} from 'node:child_process';
import {promisify} from 'node:util';
import {runCli} from '../helpers/cli.js';
import {kernelSkipReason, tracefsMounted} from '../helpers/kernel.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;

kernelTest('probes --emit portAllocation prints the planned program of its process (composed with the measurements it shares a process with), which bpftrace runs as printed', async (t) => {
  const plan = JSON.parse((await runCli(['probes', '--json'])).stdout);
  const r = await runCli(['probes', '--emit', 'portAllocation']);
  t.is(r.code, 0, r.stderr);
  const [head, args, ...body] = r.stdout.split('\n');
  t.regex(head!, /^\/\/ process \d of [1-3]: .* for bpftrace \S+$/);
  t.true(head!.includes(`portAllocation (${plan.portAllocation.file}, ${plan.portAllocation.kind})`), head);
  t.regex(args!, /^\/\/ arguments: NETNS_INUM PID COMM/);
  const program = body.join('\n');
  t.true(program.includes('printf("ready\\n")'), program.slice(0, 200));
  // the program as printed attaches and says ready: run it for a moment with every namespace and process
  // (bpftrace reads tracepoint formats from tracefs: mounted for it where the host has none, as a run does)
  const bpftrace = process.env.BPFTRACE ?? 'bpftrace';
  const mounted = tracefsMounted();
  if (!mounted) execFileSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']);
  try {
    const args = ['-s', 'INT', '4', bpftrace, '-f', 'json', '-e', program, '0', '0', '', '0', '0', '0'];
    const out = await promisify(execFile)('timeout', args, {encoding: 'utf8'}).catch((e) => e as {stdout: string; stderr: string});
    t.regex(out.stdout, /"data": "ready\\n"/, out.stderr);
  } finally {
    if (!mounted) execFileSync('umount', ['/sys/kernel/tracing']);
  }
});

kernelTest('probes: a measurement without --emit, or an unknown one, is refused in one line with exit 2', async (t) => {
  const a = await runCli(['probes', 'slab']);
  t.is(a.code, 2);
  t.is(a.stderr, 'tcp-trace: A measurement (`slab`) goes with --emit: `tcp-trace probes --emit slab`\n');
  const b = await runCli(['probes', '--emit', 'slabs']);
  t.is(b.code, 2);
  t.regex(b.stderr, /^tcp-trace: Unknown measurement `slabs`: choose one of connections, portAllocation, fourTuples, socketCreation, receiveLookup, slab, timeWait\n$/);
});
