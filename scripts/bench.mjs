#!/usr/bin/env zx
// bench.mjs  Benchmarks, measured side by side in one run: the node:net generator against a C epoll
// baseline, tracing overhead (with and without probes), time to first sample, kernel and user memory
// per connection, and the dashboard's CPU. Prints ratios; asserts nothing about time.
// Usage: npm run bench [-- --quick] [-- --connections N] [-- --runs R] [-- --generator] [-- --traced] [-- --write]
//   --quick: 20 000 connections, one run each (a few minutes); default 100 000 x 5 rounds, then `million`.
//   --generator: only the bare node:net handles, the same with the generator's records, and the generator (no
//     probes, dashboard or million): what the records cost, and what the generator costs.
//   --traced: only the generator untraced, with empty programs on the default probes' hooks, and with the default
//     probes: what attaching costs before any program works, and what the probes cost.
//   --one-port: only `tcp-trace run one-port` at 100 000 (4 client addresses, one server port, the default range 32768-60999):
//     every connection counted on both ends and the rate by tenth, where bind(ip, 0) makes it fall (part of the full run).
// A round runs C, bare node:net handles (scripts/bench/tcp-wrap-bench.mjs), the same with the generator's records,
// the generator, the generator with empty programs on the default probes' hooks, with the default probes and with
// the slab probe to the end, side by side (every other round in reverse order); ratios are taken within each
// round, then their min and median.
//   --write: also write bench/RESULTS.md with the machine, kernel and date.
import {mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync, rmSync, readdirSync, readlinkSync} from 'node:fs';
import {tmpdir, cpus, totalmem} from 'node:os';
import {spawnSync} from 'node:child_process';
import {join, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseStat} from '../dist/src/system/proc-parse.js';
import {READY_BLOCK, startBpftrace} from '../dist/src/bpftrace/runner.js';
import {Journal} from '../dist/src/lab/journal.js';
import {TRACEFS, ensureTracefs} from '../dist/src/system/tracefs.js';

$.verbose = false;
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(repo, 'dist/src/index.js');
const quick = Boolean(argv.quick);
const N = Number(argv.connections ?? (quick ? 20_000 : 100_000));
const RUNS = Number(argv.runs ?? (quick ? 1 : 5));
const generatorOnly = Boolean(argv.generator);
const tracedOnly = Boolean(argv.traced);
const onePortOnly = Boolean(argv['one-port']);
const ports = Math.max(8, Math.ceil(N / 15_000));
const work = mkdtempSync(join(tmpdir(), 'tcp-trace-bench-'));
// the C binary and the runs' directories are scratch: gone however the bench ends
process.on('exit', () => rmSync(work, {recursive: true, force: true}));
const netns = `tcptrace-bench-${process.pid}`;
// the baselines' namespace, if a Ctrl-C or kill came while one ran (the tool's runs clean up after themselves)
process.on('exit', () => {
  if (existsSync(`/run/netns/${netns}`)) spawnSync('ip', ['netns', 'del', netns]);
});
// a signal ends the bench through process.exit, so that the exit handlers (scratch, namespace, sysctl) run
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) process.on(signal, () => process.exit(code));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs) => Math.min(...xs);
const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? '-' : Number(x).toFixed(d));

// A server and a client of the same two-role interface (epoll-bench.c, tcp-wrap-bench.mjs) in a namespace of our
// own, deleted at the end: the client's "established N in MS ms" as a rate.
async function pairRun(exe, env = {}) {
  await $`ip netns add ${netns}`;
  try {
    await $`ip -n ${netns} link set lo up`;
    const server = $`ip netns exec ${netns} ${exe} server 127.0.0.1 12000 ${ports}`.nothrow();
    // the client starts once every port listens (a refused connect would count as a failure, not a rate)
    for await (const chunk of server.stdout) if (String(chunk).includes('listening')) break;
    const out = await $({env: {...process.env, ...env}})`ip netns exec ${netns} ${exe} client 127.0.0.1 12000 ${ports} ${N} 512`;
    server.kill('SIGTERM');
    await server;
    const m = /established (\d+) in (\d+) ms/.exec(out.stdout);
    if (Number(m[1]) !== N) echo(`warning: ${exe.at(-1)}: ${m[1]} of ${N} established`);
    return {rate: (Number(m[1]) * 1000) / Number(m[2]), established: Number(m[1])};
  } finally {
    await $`ip netns del ${netns}`.nothrow();
  }
}

// The C baseline: a minimal epoll server and client.
const cExe = join(work, 'epoll-bench');
async function cBaseline() {
  if (!existsSync(cExe)) await $`cc -O2 -o ${cExe} ${join(repo, 'scripts/bench/epoll-bench.c')}`;
  return pairRun([cExe]);
}

// The floor of node:net: the same server and client with the generator's bare handles and nothing else.
async function nodeFloor() {
  return pairRun([process.execPath, join(repo, 'scripts/bench/tcp-wrap-bench.mjs')]);
}

// The same with the generator's records (its worker's RecordBatch: getsockname, the CSV row, a batch message to
// the parent, which appends the rows to a file): what the records alone cost node:net.
async function nodeFloorRecorded() {
  const file = join(work, 'records.csv');
  rmSync(file, {force: true});
  const r = await pairRun([process.execPath, join(repo, 'scripts/bench/tcp-wrap-bench.mjs')], {TCP_TRACE_BENCH_RECORDS: file});
  const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  if (rows !== r.established) echo(`warning: bare node:net with records: ${rows} rows for ${r.established} established`);
  return r;
}

// The default probes' hooks with empty programs: every hook of every composed program the default plan runs
// for the whole ramp, once per program that holds it (`tcp-trace probes --emit`; the slab sample's, which
// detach after its sample, left out), each with an empty body. Its text for `bpftrace -e`.
async function emptyHooksProgram() {
  const emitted = (await $`node ${bin} probes --emit`).stdout;
  const hooks = [];
  for (const program of emitted.split(/^(?=\/\/ composed by tcp-trace:)/m)) {
    if (!program.startsWith('// composed by') || /^\/\/ composed by tcp-trace: slab \(/.test(program)) continue;
    for (const line of program.split('\n')) {
      const m = /^((?:tracepoint|rawtracepoint|kprobe|kretprobe|kfunc|kretfunc|fentry|fexit):[\w:]+),?\s*$/.exec(line);
      if (m) hooks.push(m[1]);
    }
  }
  if (hooks.length === 0) throw new Error('bench: `tcp-trace probes --emit` named no hook');
  return {hooks, text: hooks.map((h) => `${h} {}`).join('\n')};
}

// One untraced run of the tool while a bpftrace process of our own holds empty programs on the default hooks:
// the price of the hooks themselves (the kernel's tracepoint path, the syscall tracepoints' slow path), which
// bpf_stats does not see. bpftrace is started and stopped as a run does it (startBpftrace: it dies with the
// bench, 60 s to attach, SIGKILL 10 s after SIGINT); tracefs is mounted or shared as a run does it (ensureTracefs,
// claimed in a journal of our own, undone after; a signal's exit takes the claim back at once, and a mount left
// by a SIGKILL is undone by the next tcp-trace command).
async function emptyHooksRun() {
  const {text} = await emptyHooksProgram();
  const journal = await new Journal().open();
  const mount = await ensureTracefs(journal);
  // process.exit on a signal runs only synchronous handlers: unmount what this bench mounted, drop the journal
  const onExit = () => {
    if (mount === 'mounted') spawnSync('umount', [TRACEFS]);
    rmSync(journal.path, {force: true});
  };
  process.on('exit', onExit);
  let bpftrace = null;
  try {
    bpftrace = await startBpftrace({program: [READY_BLOCK, text].join('\n')});
    return await toolRun('none');
  } finally {
    await bpftrace?.stop(10_000);
    const failures = await journal.undoAll();
    if (failures.length > 0) echo(`warning: bench: ${failures.join('; ')}`);
    process.off('exit', onExit);
  }
}

// One headless run of the tool; returns its summary and the time to the first sample. watch(pid), when given,
// runs every 200 ms with the pid of the shell that runs the tool (or undefined before it started).
async function toolRun(measure, extra = [], watch = null) {
  const out = join(work, 'runs');
  const args = ['run', '--headless', '--connections', N, '--ports', ports, '--rate', 1_000_000, '--concurrency', 512, '--hold', 0.5, '--out', out, ...extra];
  if (measure) args.push('--measure', measure);
  const t0 = Date.now();
  let firstSampleMs = null;
  // the CPU each bpftrace process had used when its programs were ready, by pid (the run's "probe ... ready" notes)
  const startCpuMs = new Map();
  const p = $`node ${bin} ${args}`.nothrow();
  const watcher = watch && setInterval(() => watch(p.child?.pid), 200);
  for await (const line of p.stdout) {
    if (firstSampleMs === null && line.includes('"type":"sample"')) firstSampleMs = Date.now() - t0;
    const cpu = /ready after .*\(bpftrace pid (\d+): ([\d.]+) s of CPU/.exec(line);
    if (cpu) startCpuMs.set(cpu[1], Number(cpu[2]) * 1000);
  }
  const r = await p;
  if (watcher) clearInterval(watcher);
  const lines = r.stdout.trim().split('\n');
  const summary = JSON.parse(lines.at(-1));
  if (summary.connections.established !== N) echo(`warning: ${summary.connections.established} of ${N} established`);
  // null when no note said it (--measure none, or /proc unreadable): never a 0 that looks measured
  return {summary, firstSampleMs, bpftraceStartCpuMs: startCpuMs.size ? [...startCpuMs.values()].reduce((a, b) => a + b, 0) : null};
}

// The pids of every process below pid (children, their children, ...) whose comm is name.
function descendants(pid, name) {
  const children = new Map();
  const comm = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      comm.set(Number(entry), stat.comm);
      children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
    } catch {
      // gone while we read
    }
  }
  const found = [];
  const visit = (p) => {
    for (const c of children.get(p) ?? []) {
      if (comm.get(c) === name) found.push(c);
      visit(c);
    }
  };
  visit(pid);
  return found;
}

// Fold the run time of every BPF program that pid holds (its fds' fdinfo: prog_id, run_time_ns, run_cnt, counted
// while kernel.bpf_stats_enabled is 1) into progs, by program id; totals only grow, so the latest read wins.
function readProgramStats(pid, progs) {
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let link = '';
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (link !== 'anon_inode:bpf-prog') continue;
      const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
      const field = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? 0);
      // a composed program (bpftrace -e) names what it serves: `// composed by tcp-trace: connections (tcpstates-tp.bt), ...`
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const file = /composed by tcp-trace: ([^\n]*)/.exec(cmdline)?.[1] ?? /[\w-]+\.bt/.exec(cmdline)?.[0] ?? `pid ${pid}`;
      progs.set(`${field('prog_id')}`, {file, runNs: field('run_time_ns'), runs: field('run_cnt')});
    }
  } catch {
    // the program ended between two reads: its last totals stay
  }
}

// The default probes' own run time in the kernel: one more traced run with kernel.bpf_stats_enabled set (it
// adds two clock reads to every program run, so the rounds above run without it), put back however the bench ends.
async function probeRunTime() {
  const key = '/proc/sys/kernel/bpf_stats_enabled';
  const before = readFileSync(key, 'utf8').trim();
  const restore = () => writeFileSync(key, before);
  process.on('exit', restore);
  writeFileSync(key, '1');
  try {
    const progs = new Map();
    const {summary} = await toolRun(undefined, [], (pid) => {
      if (pid) for (const b of descendants(pid, 'bpftrace')) readProgramStats(b, progs);
    });
    const runNs = [...progs.values()].reduce((a, p) => a + p.runNs, 0);
    const runs = [...progs.values()].reduce((a, p) => a + p.runs, 0);
    const established = summary.connections.established;
    // per probe file, for the bench's log: where the time goes
    const byFile = new Map();
    // (the host inspection's trial programs never run: left out)
    for (const p of progs.values()) if (p.runNs > 0) byFile.set(p.file, (byFile.get(p.file) ?? 0) + p.runNs);
    return {programs: progs.size, runNs, runs, established, nsPerConnection: established > 0 ? runNs / established : null, byFile};
  } finally {
    restore();
    process.off('exit', restore);
  }
}

// The dashboard's own CPU: user+sys seconds of the tcp-trace process per second of run, in tmux.
async function dashboardCpu() {
  if (!(await which('tmux', {nothrow: true}))) return null;
  const pidFile = join(work, 'dash.pid');
  const session = `tcptrace-bench-${process.pid}`;
  const hz = Number((await $`getconf CLK_TCK`).stdout.trim());
  await $`tmux new-session -d -s ${session} -x 160 -y 48 ${`echo $$ > ${pidFile}; exec node ${bin} run --connections ${N} --ports ${ports} --hold 5 --out ${join(work, 'runs')}`}`;
  try {
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await sleep(100);
    const pid = readFileSync(pidFile, 'utf8').trim();
    const cpu = () => {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) / hz;
    };
    // measure while the run is under way: from the first drawn connection to the end of the hold
    const screen = async () => (await $`tmux capture-pane -p -t ${session}`.nothrow()).stdout;
    for (let i = 0; i < 600 && !(await screen()).includes('| ramping |'); i++) await sleep(100);
    const c0 = cpu();
    const t0 = Date.now();
    for (let i = 0; i < 1200 && !(await screen()).includes('| done |'); i++) await sleep(100);
    const perSecond = (cpu() - c0) / ((Date.now() - t0) / 1000);
    await $`tmux send-keys -t ${session} q`;
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await sleep(100);
    return perSecond;
  } finally {
    await $`tmux kill-session -t ${session}`.nothrow().quiet();
  }
}

// one-port at 100 000 (#15): 4 client addresses x 25 000 bound ports to one server ip:port, accepted by the server
// processes that share its listening socket; its claims, the kernel's counts and the rate by tenth of the ramp.
const ONE_PORT_N = 100_000;
async function onePortRun() {
  const r = await $`node ${bin} run one-port --headless --connections ${ONE_PORT_N} --port-range 32768-60999 --hold 0.5 --out ${join(work, 'runs')}`.nothrow();
  const lines = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const summary = lines.at(-1);
  if (r.exitCode !== 0 || summary?.type !== 'summary') throw new Error(`bench: one-port exited ${r.exitCode}: ${r.stderr.trim().split('\n').at(-1)}`);
  return summary;
}
function onePortRows(s) {
  const bound = s.claims.find((c) => c.evidence.byTenth);
  const byTenth = bound?.evidence.byTenth ?? [];
  const collapse = bound?.evidence.rateCollapse;
  const ms = (ns) => (ns === null || ns === undefined ? '-' : fmt(ns / 1e6, 3));
  return [
    [`one-port: established on the one server port, generator (kernel client, server)`, `${s.connections.established} (${s.kernel.established?.client}, ${s.kernel.established?.server})`, '-'],
    ['one-port: claims held', `${s.claims.filter((c) => c.held).length} of ${s.claims.length}`, '-'],
    ['one-port: distinct 4-tuples (kernel); most ports of one client address (range 28 232)', `${s.ports.fourTupleCount}; ${Math.max(...Object.values(s.ports.localPortsByAddress ?? {0: 0}))}`, '-'],
    ['one-port: accepted per server process', (s.claims.find((c) => c.evidence.acceptedByProcess)?.evidence.acceptedByProcess ?? []).join(', '), '-'],
    ['one-port: establish rate, first and last tenth (connections/s)', `${byTenth[0]?.perSecond ?? '-'}, ${byTenth.at(-1)?.perSecond ?? '-'}`, '-'],
    ['one-port: kernel bind() p50, first and last tenth (ms)', `${ms(byTenth[0]?.bindP50Ns)}, ${ms(byTenth.at(-1)?.bindP50Ns)}`, '-'],
    ['one-port: the rate fell under a quarter at (connections, per address, share of range)', collapse ? `${collapse.atConnections}, ${collapse.perAddress}, ${fmt(collapse.rangeShare * 100, 0)}%` : 'did not fall', '-'],
    ['one-port: the whole run (s)', fmt(s.durationMs / 1000, 0), '-'],
  ];
}
// one-port's own section: what was run, its table (one value a figure) and its tenths
const ONE_PORT_WHAT = '`tcp-trace run one-port --connections 100000 --port-range 32768-60999`, 4 client addresses (127.0.0.2-5) bound (ip, 0) in turn, one server ip:port, 7 server processes sharing its listening socket (each stops accepting at its 15 000 sockets).';
const onePortTable = (s) => ['| figure | value |', '|---|---|', ...onePortRows(s).map((r) => `| ${r[0]} | ${r[1]} |`)].join('\n');
const onePortNote = (s) => {
  const byTenth = s.claims.find((c) => c.evidence.byTenth)?.evidence.byTenth ?? [];
  return ['The one-port run by tenth of its ramp (connections established, per client address, rate, the kernel\'s bind() p50 and p99 in ms):',
    ...byTenth.map((r) => `- tenth ${r.tenth}: ${r.established}, ${r.perAddress} per address (${fmt(r.rangeShare * 100, 0)}% of the range), ${r.perSecond}/s, bind() ${fmt(r.bindP50Ns / 1e6, 3)} / ${fmt(r.bindP99Ns / 1e6, 3)} ms`)];
};
if (onePortOnly) {
  echo(`bench: one-port, ${ONE_PORT_N} connections`);
  const s = await onePortRun();
  echo(`\n${onePortTable(s)}\n\n${onePortNote(s).join('\n')}`);
  process.exit(0);
}

echo(`bench: ${N} connections over ${ports} server ports, ${RUNS} round(s), ${cpus().length} cores`);
const c = [], floor = [], recorded = [], plain = [], empty = [], traced = [], slabAll = [];
// one round runs the seven side by side; every other round in reverse order, so that none always comes first
// while the machine's load drifts
const steps = {
  c: async () => c.push(await cBaseline()),
  floor: async () => floor.push(await nodeFloor()),
  recorded: async () => recorded.push(await nodeFloorRecorded()),
  plain: async () => plain.push(await toolRun('none')),
  empty: async () => empty.push(await emptyHooksRun()),
  traced: async () => traced.push(await toolRun()),
  slabAll: async () => slabAll.push(await toolRun(undefined, ['--slab-sample', 0])),
};
const k = (x) => fmt(x.summary.connections.perSecond / 1000);
// Run `names` RUNS times (every other round reversed); line(i) says round i.
async function rounds(names, line) {
  for (let i = 0; i < RUNS; i++) {
    for (const name of i % 2 === 0 ? names : [...names].reverse()) await steps[name]();
    echo(`  round ${i + 1}: ${line(i)}`);
  }
}
// ratios within each round (the runs of one round are minutes apart, not the whole bench): min and median of those
const paired = (a, b) => a.map((x, i) => x / b[i]);
// how much later the ramp begins with the default probes than without, per round (ms), and the CPU their bpftrace
// processes used to start (ms, all of them): spread over this machine's cores, the least delay they make while the
// workers start on the same cores
const startupDelays = () => traced.map((x, i) => x.summary.startupMs - plain[i].summary.startupMs);
const startCpu = () => traced.map((x) => x.bpftraceStartCpuMs);
const startupText = () =>
  `the ramp begins later with the default probes: min ${fmt(min(startupDelays()), 0)} ms, median ${fmt(median(startupDelays()), 0)} ms (target <= 1500); ` +
  `their bpftrace processes used ${fmt(median(startCpu()) / 1000, 2)} s of CPU to start (median), ${fmt(median(startCpu()) / cpus().length, 0)} ms over ${cpus().length} cores`;
const ratioText = (label, xs) => `${label}: min ${fmt(min(xs), 2)}, median ${fmt(median(xs), 2)}`;
if (generatorOnly) {
  await rounds(['floor', 'recorded', 'plain'], (i) => `bare node:net handles ${fmt(floor[i].rate / 1000)} k/s, with the generator's records ${fmt(recorded[i].rate / 1000)} k/s, generator ${k(plain[i])} k/s`);
  const floorRates = floor.map((x) => x.rate);
  echo(ratioText('ratio bare node:net with the records / bare node:net handles (what the records cost)', paired(recorded.map((x) => x.rate), floorRates)));
  echo(ratioText('ratio generator / bare node:net handles (target >= 0.9)', paired(plain.map((x) => x.summary.connections.perSecond), floorRates)));
  process.exit(0);
}
if (tracedOnly) {
  await rounds(['plain', 'empty', 'traced'], (i) => `untraced ${k(plain[i])} k/s, empty programs on the default hooks ${k(empty[i])} k/s, default probes ${k(traced[i])} k/s`);
  const untraced = plain.map((x) => x.summary.connections.perSecond);
  echo(ratioText('ratio empty programs on the hooks / untraced (what the hooks cost)', paired(empty.map((x) => x.summary.connections.perSecond), untraced)));
  echo(ratioText('ratio traced / untraced (target >= 0.9)', paired(traced.map((x) => x.summary.connections.perSecond), untraced)));
  echo(startupText());
  process.exit(0);
}
await rounds(Object.keys(steps), (i) => `C ${fmt(c[i].rate / 1000)} k/s, bare node:net handles ${fmt(floor[i].rate / 1000)} k/s, with records ${fmt(recorded[i].rate / 1000)} k/s, node ${k(plain[i])} k/s, node+empty programs ${k(empty[i])} k/s, node+probes ${k(traced[i])} k/s, node+probes, slab probe to the end ${k(slabAll[i])} k/s`);
const cpuShare = await dashboardCpu();
const probeCost = await probeRunTime();
echo(`  probes' own run time: ${probeCost.programs} programs, ${probeCost.runs} runs, ${fmt(probeCost.runNs / 1e6, 0)} ms for ${probeCost.established} connections`);
for (const [file, ns] of probeCost.byFile) echo(`    ${file}: ${fmt(ns / probeCost.established / 1000, 2)} µs per connection`);

// The million scenario with its defaults (full run only): how many held, how fast, the lowest MemAvailable.
async function millionRun() {
  const r = await $`node ${bin} run million --headless --out ${join(work, 'runs')}`.nothrow();
  const lines = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const summary = lines.at(-1);
  const lowest = Math.min(...lines.filter((l) => l.type === 'sample' && l.memAvailableBytes > 0).map((l) => l.memAvailableBytes));
  return {summary, lowestMemAvailable: lowest};
}
const million = quick ? null : await millionRun();
if (million) {
  const m = million.summary;
  echo(`  million: ${m.connections.established} established (kernel ${m.kernel.established.client}), ${fmt(m.connections.perSecond / 1000)} k/s, stopped by ${m.stoppedBy ?? 'nothing'}`);
}

const onePort = quick ? null : await onePortRun();
if (onePort) echo(`  one-port: ${onePort.connections.established} established, ${onePort.claims.filter((c) => c.held).length} of ${onePort.claims.length} claims held`);

const rate = (xs) => xs.map((x) => x.summary.connections.perSecond);
const cRates = c.map((x) => x.rate);
const floorRates = floor.map((x) => x.rate);
const ratioCells = (xs) => [fmt(min(xs), 2), fmt(median(xs), 2)];
const rows = [
  ['establish rate, C epoll (k/s)', fmt(min(cRates) / 1000), fmt(median(cRates) / 1000)],
  ['establish rate, node:net generator (k/s)', fmt(min(rate(plain)) / 1000), fmt(median(rate(plain)) / 1000)],
  ['  ratio generator / C, per round (target >= 0.6)', ...ratioCells(paired(rate(plain), cRates))],
  ['establish rate, bare node:net handles, same processes as C (k/s)', fmt(min(floorRates) / 1000), fmt(median(floorRates) / 1000)],
  ['  ratio bare node:net / C, per round: the most node:net reaches here', ...ratioCells(paired(floorRates, cRates))],
  ['establish rate, bare node:net handles with the generator\'s records (k/s)', fmt(min(recorded.map((x) => x.rate)) / 1000), fmt(median(recorded.map((x) => x.rate)) / 1000)],
  ['  ratio with records / bare node:net, per round: what the records alone cost (getsockname, CSV row, batch IPC)', ...ratioCells(paired(recorded.map((x) => x.rate), floorRates))],
  ['  ratio generator / bare node:net, per round: what the tool costs (target >= 0.9)', ...ratioCells(paired(rate(plain), floorRates))],
  ['establish rate with the default probes (k/s)', fmt(min(rate(traced)) / 1000), fmt(median(rate(traced)) / 1000)],
  ['  ratio traced / untraced, per round (target >= 0.9)', ...ratioCells(paired(rate(traced), rate(plain)))],
  ['establish rate, empty programs on the default probes\' hooks (k/s)', fmt(min(rate(empty)) / 1000), fmt(median(rate(empty)) / 1000)],
  ['  ratio to untraced, per round: what the hooks cost before any program works', ...ratioCells(paired(rate(empty), rate(plain)))],
  ["  the default probes' own run time per connection, bpf_stats, one more run (µs; target <= 5)", fmt(probeCost.nsPerConnection / 1000, 2), fmt(probeCost.nsPerConnection / 1000, 2)],
  ['  the same as a share of the untraced generator\'s CPU per connection (cores / rate)', fmt(probeCost.nsPerConnection / ((cpus().length * 1e9) / min(rate(plain))), 3), fmt(probeCost.nsPerConnection / ((cpus().length * 1e9) / median(rate(plain))), 3)],
  ['establish rate, slab probe to the end (--slab-sample 0) (k/s)', fmt(min(rate(slabAll)) / 1000), fmt(median(rate(slabAll)) / 1000)],
  ['  ratio to untraced, per round', ...ratioCells(paired(rate(slabAll), rate(plain)))],
  ['user bytes per connection, both ends, RssAnon (target <= 2048)', fmt(min(plain.map((x) => x.summary.connections.userBytesPerConnection)), 0), fmt(median(plain.map((x) => x.summary.connections.userBytesPerConnection)), 0)],
  ['fixed private memory per worker, RssAnon (MiB)', fmt(min(plain.map((x) => x.summary.connections.workerFixedBytes / 2 ** 20))), fmt(median(plain.map((x) => x.summary.connections.workerFixedBytes / 2 ** 20)))],
  ['slab bytes per connection, both ends', fmt(min(traced.map((x) => x.summary.slab.bytesPerConnection.tracepoint ?? x.summary.slab.bytesPerConnection.slabinfo)), 0), fmt(median(traced.map((x) => x.summary.slab.bytesPerConnection.tracepoint ?? x.summary.slab.bytesPerConnection.slabinfo)), 0)],
  ['time to first sample, default probes (ms; target <= 2000)', fmt(min(traced.map((x) => x.firstSampleMs)), 0), fmt(median(traced.map((x) => x.firstSampleMs)), 0)],
  ['  the ramp begins: probes attached, workers up (ms after the command began)', fmt(min(traced.map((x) => x.summary.startupMs)), 0), fmt(median(traced.map((x) => x.summary.startupMs)), 0)],
  ['  the same without probes: first sample, ramp begins (ms)', `${fmt(min(plain.map((x) => x.firstSampleMs)), 0)}, ${fmt(min(plain.map((x) => x.summary.startupMs)), 0)}`, `${fmt(median(plain.map((x) => x.firstSampleMs)), 0)}, ${fmt(median(plain.map((x) => x.summary.startupMs)), 0)}`],
  ['  the ramp begins later with the probes than without, per round (ms; target <= 1500)', fmt(min(startupDelays()), 0), fmt(median(startupDelays()), 0)],
  [`  CPU the bpftrace processes used to start, all of them (ms), and over this machine's ${cpus().length} cores: the least delay they make`, `${fmt(min(startCpu()), 0)}, ${fmt(min(startCpu()) / cpus().length, 0)}`, `${fmt(median(startCpu()), 0)}, ${fmt(median(startCpu()) / cpus().length, 0)}`],
  ['dashboard CPU (s of CPU per s of run)', fmt(cpuShare, 3), fmt(cpuShare, 3)],
  ...(million
    ? [
        ['million: connections established and held (kernel count)', `${million.summary.connections.established} (${million.summary.kernel.established.client})`, '-'],
        ['million: establish rate with the default probes (k/s)', fmt(million.summary.connections.perSecond / 1000), '-'],
        ['million: lowest MemAvailable (GiB; target >= 2)', fmt(million.lowestMemAvailable / 2 ** 30, 2), '-'],
        ['million: user bytes per connection, both ends', fmt(million.summary.connections.userBytesPerConnection, 0), '-'],
        ['million: slab bytes per connection (/proc/slabinfo)', fmt(million.summary.slab.bytesPerConnection.slabinfo, 0), '-'],
      ]
    : []),
];
const table = ['| figure | min | median |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
echo(`\n${table}`);
if (onePort) echo(`\n${onePortTable(onePort)}`);
if (argv.write) {
  const kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  const doc = [
    '# Benchmark results',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench${quick ? ' -- --quick' : ''}\`: Linux ${kernel}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, loopback in a private namespace.`,
    `${N} connections over ${ports} server ports, ${RUNS} round(s): each runs the C baseline, bare node:net handles in the same processes as C, the same with the generator's records, the generator, the generator with empty programs on the default probes' hooks, with the default probes and with the slab probe to the end side by side (every other round in reverse order); ratios are taken within a round${million ? '; then `tcp-trace run million` once, with its defaults, and `tcp-trace run one-port --connections 100000 --port-range 32768-60999`' : ''}.`,
    '',
    table,
    '',
    `The default probes' own run time per connection, by program (bpf_stats, the extra run; ${probeCost.programs} BPF programs, ${probeCost.runs} runs for ${probeCost.established} connections):`,
    ...[...probeCost.byFile].map(([file, ns]) => `- ${file}: ${fmt(ns / probeCost.established / 1000, 2)} µs`),
    '',
    ...(onePort ? ['## one-port at 100 000', '', `${ONE_PORT_WHAT}`, '', onePortTable(onePort), '', ...onePortNote(onePort), ''] : []),
  ].join('\n');
  mkdirSync(join(repo, 'bench'), {recursive: true});
  writeFileSync(join(repo, 'bench/RESULTS.md'), doc);
  echo('bench: wrote bench/RESULTS.md');
}
