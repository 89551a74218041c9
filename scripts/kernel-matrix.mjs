#!/usr/bin/env zx
// kernel-matrix.mjs  Boot Debian's stock kernels (6.1, 6.12) in a throw-away qemu guest that sees this host's
// files read-only, and run test/matrix there: the kfunc and kprobe variants against real kernels.
// Usage: zx scripts/kernel-matrix.mjs [--kernels 6.1,6.12 (or TCP_TRACE_KERNELS)] [--cache DIR] [--timeout-min 17]
//          [--boot-timeout-s 120] [--command 'sh ...'] [--newest-bpftrace-on 6.12 ('' for none)]
// On the kernels of --newest-bpftrace-on the tests run with Debian sid's bpftrace (the newest, from
// scripts/bpftrace-versions.mjs's cached chroot, seen by the guest through the host's /) instead of the host's:
// 6.1 with Debian 12's 0.17 and 6.12 with the newest compile and check every kfunc and kprobe variant with both
// ends of the range (both versions on 6.12 took over the time limit of one guest under TCG).
// (--command runs that instead of the tests: for investigating a kernel by hand)
// Under CI=true both 6.1 and 6.12 must be in the list; the last line, `matrix-passed: 6.1,6.12`, names the
// kernels that ran and passed (.ci/run checks it). Each kernel's test files run in guests at once (SHARDS: two),
// one vCPU each on a two-core host, 4 GiB of memory each: each guest's 17 minutes hold three tests with room to
// spare (a test took 2.2 minutes on 6.12 here, 3.3-4 on a slower CI machine, where six in one guest ran out of
// time). A hung guest is booted once more; a test failure in any attempt of any guest fails the kernel.
// Installs qemu-system-x86, busybox-static, cpio, xz-utils, kmod when missing; kernels are fetched with
// `apt-get download` and unpacked into the cache, never installed into /boot or /lib/modules.
import {existsSync, mkdirSync, readFileSync, writeFileSync, rmSync, readdirSync, copyFileSync, chmodSync} from 'node:fs';
import {availableParallelism} from 'node:os';
import {join, dirname, basename} from 'node:path';
import {fileURLToPath} from 'node:url';
import {judgeAttempt, judgeKernel, judgeSeries, kernelList, needsRetry, passedLine} from './matrix/attempts.mjs';

$.verbose = false;
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
// under CI (CI=true) both series are required: a narrowed list stops here
let kernels;
try {
  kernels = kernelList(argv.kernels, process.env);
} catch (error) {
  echo(`matrix: ${error.message}`);
  process.exit(2);
}
const cache = argv.cache ?? process.env.TCP_TRACE_KERNEL_CACHE ?? '/var/cache/tcp-trace-kernels';
const timeoutMin = Number(argv['timeout-min'] ?? 17);
// a guest whose init has not said "booted" by then is stuck (seen: TCG hanging after SeaBIOS's
// "Booting from ROM..."); booting takes 8-24 s here
const bootTimeoutS = Number(argv['boot-timeout-s'] ?? 120);
const newestOn = String(argv['newest-bpftrace-on'] ?? '6.12').split(',').filter(Boolean);
// The guests a kernel's tests are split over, run at the same time: one a test file of dist/test/matrix (hooks and
// scenarios, three tests each on both kernels; a new file gets a guest of its own). --command runs in one guest.
const SHARDS = argv.command
  ? [{name: 'command', files: []}]
  : readdirSync(join(repo, 'dist/test/matrix')).filter((f) => f.endsWith('.test.js')).sort()
    .map((f) => ({name: f.replace(/\.test\.js$/, ''), files: [`dist/test/matrix/${f}`]}));
if (SHARDS.length === 0) {
  echo('matrix: no test files in dist/test/matrix: run `npm run build` first');
  process.exit(2);
}
// virtio transport, 9p and overlay, in load order (those built in are skipped)
const WANTED = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'];

// the metapackage that names each kernel series' current image
const META = {'6.1': 'linux-image-amd64', '6.12': 'linux-image-6.12-amd64'};

async function ensureTools() {
  const need = {'qemu-system-x86_64': 'qemu-system-x86', busybox: 'busybox-static', cpio: 'cpio', xz: 'xz-utils', depmod: 'kmod'};
  const missing = [];
  for (const [cmd, pkg] of Object.entries(need)) if (!(await which(cmd, {nothrow: true}))) missing.push(pkg);
  if (missing.length) {
    echo(`matrix: installing ${missing.join(' ')}`);
    await $`apt-get update -qq`;
    await $`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing}`;
  }
  if (!readFileSync('/usr/bin/busybox').includes('statically')) {
    // busybox-static replaces the dynamic one: the initramfs has no libc
  }
}

// The image package of a series, as apt resolves its metapackage now.
async function imagePackage(series) {
  const meta = META[series];
  if (!meta) throw new Error(`unknown kernel series ${series}: use one of ${Object.keys(META).join(', ')}`);
  let deps = (await $`apt-cache depends ${meta}`.nothrow()).stdout;
  if (!/Depends: linux-image-/.test(deps)) {
    await $`apt-get update -qq`;
    deps = (await $`apt-cache depends ${meta}`).stdout;
  }
  return /Depends: (linux-image-\S+)/.exec(deps)[1];
}

// Download and unpack a kernel package into the cache; returns its root, release and vmlinuz.
async function unpackKernel(pkg) {
  const dir = join(cache, pkg);
  const root = join(dir, 'root');
  if (!existsSync(join(dir, '.done'))) {
    rmSync(dir, {recursive: true, force: true});
    mkdirSync(root, {recursive: true});
    await within(async () => {
      cd(dir);
      await $`apt-get download ${pkg}`;
    });
    const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
    await $`dpkg-deb -x ${join(dir, deb)} ${root}`;
    rmSync(join(dir, deb));
    const release = readdirSync(join(root, 'lib/modules'))[0];
    await $`depmod -b ${root} ${release}`;
    writeFileSync(join(dir, '.done'), release);
  }
  const release = readFileSync(join(dir, '.done'), 'utf8').trim();
  return {root, release, vmlinuz: join(root, 'boot', `vmlinuz-${release}`)};
}

// Modules (with their dependencies first) that the guest must load, as paths relative to the modules dir.
function moduleOrder(modDir) {
  const deps = new Map();
  for (const line of readFileSync(join(modDir, 'modules.dep'), 'utf8').split('\n')) {
    const [mod, rest] = line.split(':');
    if (mod) deps.set(basename(mod).replace(/\.ko(\.xz|\.zst)?$/, '').replace(/-/g, '_'), {path: mod, deps: (rest ?? '').trim().split(/\s+/).filter(Boolean)});
  }
  const order = [];
  const visit = (path) => {
    const name = basename(path).replace(/\.ko(\.xz|\.zst)?$/, '').replace(/-/g, '_');
    const entry = deps.get(name);
    if (!entry || order.includes(entry.path)) return;
    for (const d of entry.deps) visit(d);
    order.push(entry.path);
  };
  for (const w of WANTED) if (deps.has(w)) visit(deps.get(w).path);
  return order;
}

// Build the initramfs: static busybox, the modules (decompressed), the init script.
async function buildInitramfs(kernel, out) {
  const tmp = `${out}.d`;
  rmSync(tmp, {recursive: true, force: true});
  for (const d of ['bin', 'modules', 'proc', 'sys', 'dev', 'lower', 'upper', 'newroot']) mkdirSync(join(tmp, d), {recursive: true});
  copyFileSync('/bin/busybox', join(tmp, 'bin/busybox'));
  chmodSync(join(tmp, 'bin/busybox'), 0o755);
  const modDir = join(kernel.root, 'lib/modules', kernel.release);
  const names = [];
  for (const rel of moduleOrder(modDir)) {
    const name = basename(rel).replace(/\.ko(\.xz|\.zst)?$/, '');
    const target = join(tmp, 'modules', `${name}.ko`);
    if (rel.endsWith('.xz')) await $`xz -dc ${join(modDir, rel)} > ${target}`;
    else if (rel.endsWith('.zst')) await $`zstd -dqc ${join(modDir, rel)} > ${target}`;
    else copyFileSync(join(modDir, rel), target);
    names.push(name);
  }
  writeFileSync(join(tmp, 'modules.order'), `${names.join('\n')}\n`);
  copyFileSync(join(repo, 'scripts/matrix/init.sh'), join(tmp, 'init'));
  chmodSync(join(tmp, 'init'), 0o755);
  await $`cd ${tmp} && find . | cpio -o -H newc --quiet | gzip -1 > ${out}`;
  rmSync(tmp, {recursive: true, force: true});
  return names;
}

// One vCPU for 6.12 under TCG: its guest died in 4 of 6 first boots and both boots of one run, each time just after
// the first kfunc test, in code being patched (RIP ksys_read+0x5, inside the 5-byte nop of its fentry site: "Kernel
// panic - not syncing: Fatal exception in interrupt"). Attaching and detaching fentry/kprobe programs rewrites kernel
// text (text_poke_bp) while the other vCPU, a host thread of its own under thread=multi, may be executing it. With one
// vCPU nothing runs the text while it changes. 6.1's guest never died so: it gets the host's cores shared among the
// guests that run at once (one each on a two-core host).
const vcpus = (series) => {
  if (accel().includes('kvm')) return 2;
  return series === '6.12' ? 1 : Math.max(1, Math.floor(availableParallelism() / SHARDS.length));
};

// KVM only where it is real hardware virtualization: a paravirtual /dev/kvm without vmx/svm is 50-100x slower than TCG.
function accel() {
  const flags = readFileSync('/proc/cpuinfo', 'utf8');
  return existsSync('/dev/kvm') && /\b(vmx|svm)\b/.test(flags) ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', 'max'];
}

// A series' kernel unpacked and its initramfs built, once for all its guests.
async function prepareKernel(series) {
  const pkg = await imagePackage(series);
  const kernel = await unpackKernel(pkg);
  const initrd = join(cache, pkg, 'initrd.gz');
  const modules = await buildInitramfs(kernel, initrd);
  return {series, pkg, kernel, initrd, modules};
}

// Boot one guest of a prepared kernel, run one shard's test files in it; returns {release, exit, output}.
async function runGuest({series, pkg, kernel, initrd, modules}, shard) {
  const cmdDir = join(cache, pkg, `cmd-${shard.name}`);
  rmSync(cmdDir, {recursive: true, force: true});
  mkdirSync(cmdDir, {recursive: true});
  // the guest runs the tests from this checkout, seen read-only through the host's /
  writeFileSync(join(cmdDir, 'run.sh'), [
    'set -e',
    `cd ${repo}`,
    'export TCP_TRACE_MATRIX=1 TCP_TRACE_ATTACH_TIMEOUT_MS=300000 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'uname -r',
    ...(newest && newestOn.includes(series) ? [`export BPFTRACE=${newest.wrapper}`, `echo "matrix: bpftrace ${newest.version} (Debian ${newest.suite})"`] : []),
    argv.command ?? `${process.execPath} node_modules/ava/entrypoints/cli.mjs --serial --timeout 10m ${shard.files.join(' ')}`,
    '',
  ].join('\n'));
  const started = Date.now();
  const name = `${kernel.release} [${shard.name}]`;
  echo(`matrix: ${pkg} (${name}), modules ${modules.join(' ')}, ${accel().slice(0, 2).join(' ')}, ${vcpus(series)} vCPU`);
  const qemu = $`qemu-system-x86_64 ${accel()} -smp ${vcpus(series)} -m 4096 -nographic -no-reboot \
    -kernel ${kernel.vmlinuz} -initrd ${initrd} -append ${'console=ttyS0 panic=-1 quiet loglevel=3'} \
    -virtfs ${'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap'} \
    -virtfs ${`local,path=${cmdDir},mount_tag=cmd,security_model=none`} -nic none`.nothrow();
  // an emulated guest can soft-lock (seen once in four runs under TCG) or hang before the kernel starts
  // (seen once in six): stop it at once, so it can be tried again
  let lockedUp = false;
  let booted = false;
  const limit = setTimeout(() => void qemu.kill('SIGKILL'), timeoutMin * 60_000);
  const bootLimit = setTimeout(() => {
    if (booted) return;
    echo(`matrix: ${name}: not booted after ${bootTimeoutS} s`);
    void qemu.kill('SIGKILL');
  }, bootTimeoutS * 1000);
  let tail = '';
  for await (const chunk of qemu.stdout) {
    const text = String(chunk);
    // the marker may come split over two chunks
    tail = (tail + text).slice(-200);
    if (!booted && tail.includes('tcp-trace-matrix: booted')) {
      booted = true;
      echo(`matrix: ${name}: booted in ${Math.round((Date.now() - started) / 1000)} s`);
    }
    if (/soft lockup|Kernel panic/.test(text)) {
      lockedUp = true;
      echo(`matrix: ${name}: ${text.trim().split('\n')[0]}`);
      await qemu.kill('SIGKILL');
      break;
    }
  }
  const console_ = await qemu;
  clearTimeout(limit);
  clearTimeout(bootLimit);
  const exitFile = join(cmdDir, 'exit');
  const output = existsSync(join(cmdDir, 'output.log')) ? readFileSync(join(cmdDir, 'output.log'), 'utf8') : '';
  // an exit file cut short (the guest killed between creating and writing it) is no exit code, not 0
  const exitText = existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : '';
  const exit = /^\d+$/.test(exitText) ? Number(exitText) : null;
  echo(`matrix: ${name}: exit ${exit} in ${Math.round((Date.now() - started) / 1000)} s`);
  if (exit === null && !lockedUp) echo(console_.stdout.split('\n').slice(-30).join('\n'));
  return {release: kernel.release, exit, output};
}

await ensureTools();
mkdirSync(cache, {recursive: true});
// the newest bpftrace's wrapper, where a kernel of the matrix runs its tests with it too
const newest = newestOn.length === 0 ? null : await (async () => {
  const lines = (await $`${process.execPath} ${join(repo, 'node_modules/zx/build/cli.js')} ${join(repo, 'scripts/bpftrace-versions.mjs')} --prepare --suites sid`).stdout.trim().split('\n');
  const [suite, version, wrapper] = lines.at(-1).split(' ');
  return {suite, version, wrapper};
})();
const results = [];
for (const series of kernels) {
  const prepared = await prepareKernel(series);
  // every shard's guest at once
  const byShard = (await Promise.all(SHARDS.map((shard) => runGuest(prepared, shard)))).map((a) => [a]);
  // a guest that itself failed (no exit code: a lockup or the time limit) before any test failed: once more, those
  // guests at once. Both attempts are kept: a test that failed in the first still fails the kernel.
  // (none when another guest already failed the kernel: a retry could not pass it)
  const again = judgeSeries(byShard) === 'failed' ? [] : SHARDS.map((shard, i) => ({shard, i})).filter(({i}) => needsRetry(byShard[i]));
  for (const {shard} of again) echo(`matrix: ${series} [${shard.name}]: the guest did not finish; booting it once more`);
  const retried = await Promise.all(again.map(({shard}) => runGuest(prepared, shard)));
  again.forEach(({i}, k) => byShard[i].push(retried[k]));
  SHARDS.forEach((shard, s) => {
    const attempts = byShard[s];
    attempts.forEach((a, i) => {
      echo(`matrix: ${series} [${shard.name}]: attempt ${i + 1} of ${attempts.length}: ${judgeAttempt(a)}`);
      echo(a.output);
    });
  });
  const verdict = judgeSeries(byShard);
  echo(`matrix: ${series} (${byShard[0][0].release}): ${verdict}${SHARDS.length > 1 ? ` (${SHARDS.map((sh, s) => `${sh.name} ${judgeKernel(byShard[s])}`).join(', ')})` : ''}`);
  results.push({series, verdict});
}
const failed = results.filter((r) => r.verdict !== 'passed').length;
echo(failed ? `matrix: ${failed} of ${kernels.length} kernel(s) failed` : `matrix: all ${kernels.length} kernel(s) passed`);
// read by .ci/run: which kernels ran and passed
echo(passedLine(results));
process.exit(failed ? 1 : 0);
