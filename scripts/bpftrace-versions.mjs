#!/usr/bin/env zx
// bpftrace-versions.mjs  Debian's own bpftrace builds beside the host's: each suite (trixie: 0.23, sid: the
// newest) is debootstrapped once into a cached chroot, and its bpftrace runs here, on this kernel, through its
// own loader and libraries (`<root>/lib64/ld-linux-x86-64.so.2 --library-path ... <root>/usr/bin/bpftrace`),
// from a small wrapper passed to the tool as BPFTRACE. Then the kernel tests run with each.
// Usage: zx scripts/bpftrace-versions.mjs [--suites trixie,sid (or TCP_TRACE_BPFTRACE_SUITES)] [--cache DIR]
//          [--prepare] (only make the chroots and print each wrapper's path and version)
//          [--capture] (write test/fixtures/bpftrace/<version>.ndjson: test/fixtures/bpftrace/capture.bt's output)
//          [--tests 'dist/test/kernel/versions.test.js ...'] (what ava runs with each version)
// The wrappers are <cache>/<suite>/bpftrace; --prepare prints `suite version path` lines.
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync} from 'node:fs';
import {join, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';

$.verbose = false;
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const suites = String(argv.suites ?? process.env.TCP_TRACE_BPFTRACE_SUITES ?? 'trixie,sid').split(',').filter(Boolean);
const cache = argv.cache ?? process.env.TCP_TRACE_BPFTRACE_CACHE ?? '/var/cache/tcp-trace-bpftrace';
const mirror = 'http://deb.debian.org/debian';
// with each version, the tests that hold its numbers to ground truth: /proc/slabinfo (run, versions), nstat (scenarios,
// trace-faults), the namespace's sockstat and ss (time-wait, trace-faults)
const tests = String(argv.tests ?? 'dist/test/kernel/versions.test.js dist/test/kernel/run.test.js dist/test/kernel/scenarios.test.js dist/test/kernel/scenarios-limits.test.js dist/test/kernel/trace.test.js dist/test/kernel/time-wait.test.js dist/test/kernel/trace-faults.test.js').split(/\s+/);

async function ensureDebootstrap() {
  if (await which('debootstrap', {nothrow: true})) return;
  echo('bpftrace-versions: installing debootstrap');
  await $`apt-get update -qq`;
  await $`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap`;
}

// The chroot of a suite with bpftrace in it (made once; ~1 min and ~550 MB each), and its wrapper.
async function prepare(suite) {
  const dir = join(cache, suite);
  const root = join(dir, 'root');
  const wrapper = join(dir, 'bpftrace');
  if (!existsSync(join(dir, '.done'))) {
    rmSync(dir, {recursive: true, force: true});
    mkdirSync(dir, {recursive: true});
    const started = Date.now();
    echo(`bpftrace-versions: debootstrap ${suite} (bpftrace and its libraries) into ${root}`);
    // sid's Release file may be past its Valid-Until in a snapshot: debootstrap does not check it
    const r = await $`debootstrap --variant=minbase --include=bpftrace ${suite} ${root} ${mirror}`.nothrow();
    if (r.exitCode !== 0) throw new Error(`debootstrap ${suite} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
    const libs = ['usr/lib/x86_64-linux-gnu', 'lib/x86_64-linux-gnu'].map((d) => join(root, d)).join(':');
    writeFileSync(wrapper, `#!/bin/sh\n# Debian ${suite}'s bpftrace, run with its own loader and libraries on this host's kernel\nexec ${join(root, 'lib64/ld-linux-x86-64.so.2')} --library-path ${libs} ${join(root, 'usr/bin/bpftrace')} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const version = (await $`${wrapper} --version`).stdout.trim();
    writeFileSync(join(dir, '.done'), `${version}\n`);
    echo(`bpftrace-versions: ${suite}: ${version} in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const version = readFileSync(join(dir, '.done'), 'utf8').trim().replace(/^bpftrace v?/, '');
  return {suite, version, wrapper};
}

// bpftrace 0.24+ read the kernel's function list from tracefs: mount it for the capture (undone after).
async function withTracefs(fn) {
  const mounted = existsSync('/sys/kernel/tracing/available_events');
  if (!mounted) await $`mount -t tracefs nodev /sys/kernel/tracing`;
  try {
    return await fn();
  } finally {
    if (!mounted) await $`umount /sys/kernel/tracing`.nothrow();
  }
}

// One real `-f json` capture of capture.bt's edge cases per version (maps sized 8 keys: a full map).
async function capture(builds) {
  const hostPath = (await which('bpftrace', {nothrow: true})) ?? '/usr/bin/bpftrace';
  const all = [{suite: 'host', version: (await $`${hostPath} --version`).stdout.trim().replace(/^bpftrace v?/, ''), wrapper: hostPath}, ...builds];
  const out = join(repo, 'test/fixtures/bpftrace');
  await withTracefs(async () => {
    for (const b of all) {
      // run from the fixtures folder: helper_error lines name the program's path, which must not be this machine's
      const r = await $({cwd: out, env: {...process.env, BPFTRACE_MAP_KEYS_MAX: '8', BPFTRACE_MAX_MAP_KEYS: '8'}})`timeout 60 ${b.wrapper} -f json capture.bt`.nothrow();
      writeFileSync(join(out, `${b.version}.ndjson`), r.stdout);
      echo(`bpftrace-versions: captured ${b.version} (${b.suite}): ${r.stdout.split('\n').length - 1} lines, exit ${r.exitCode}`);
    }
  });
}

await ensureDebootstrap();
mkdirSync(cache, {recursive: true});
// sid can be uninstallable for a day in a transition: its newest bpftrace then comes from testing (forky)
const FALLBACK = {sid: 'forky'};
const builds = [];
for (const suite of suites) {
  try {
    builds.push(await prepare(suite));
  } catch (error) {
    if (!FALLBACK[suite]) throw error;
    echo(`bpftrace-versions: ${error.message}; trying ${FALLBACK[suite]}`);
    builds.push(await prepare(FALLBACK[suite]));
  }
}
if (argv.prepare) {
  for (const b of builds) echo(`${b.suite} ${b.version} ${b.wrapper}`);
  process.exit(0);
}
if (argv.capture) {
  await capture(builds);
  process.exit(0);
}
let failed = 0;
for (const b of builds) {
  echo(`bpftrace-versions: kernel tests with bpftrace ${b.version} (Debian ${b.suite}): ${tests.join(' ')}`);
  const started = Date.now();
  const r = await $({env: {...process.env, BPFTRACE: b.wrapper, TCP_TRACE_BPFTRACE_SUITE: b.suite}, cwd: repo})`${process.execPath} node_modules/ava/entrypoints/cli.mjs --serial --concurrency 1 ${tests}`.nothrow();
  echo(r.stdout + r.stderr);
  echo(`bpftrace-versions: ${b.version}: exit ${r.exitCode} in ${Math.round((Date.now() - started) / 1000)} s`);
  if (r.exitCode !== 0) failed++;
}
echo(failed ? `bpftrace-versions: ${failed} of ${builds.length} version(s) failed` : `bpftrace-versions: all ${builds.length} version(s) passed (${builds.map((b) => b.version).join(', ')})`);
process.exit(failed ? 1 : 0);
