import {readFileSync} from 'node:fs';
import test from 'ava';
import {missingCaps, parseCapEff, parseMeminfo, parseNofile, parsePortRange, parseSlabinfo, parseStat} from '../../../src/system/proc-parse.js';

test('port range', (t) => {
  t.deepEqual(parsePortRange('32768\t60999\n'), {low: 32768, high: 60999, size: 28232});
  t.deepEqual(parsePortRange('60000 60009'), {low: 60000, high: 60009, size: 10});
  t.is(parsePortRange('60009 60000'), null);
  t.is(parsePortRange('junk'), null);
});

test('meminfo in bytes', (t) => {
  const m = parseMeminfo('MemTotal:       24570904 kB\nMemAvailable:   23703000 kB\nSlab:             59140 kB\nHugePages_Total:       0\n');
  t.is(m.MemAvailable, 23_703_000 * 1024);
  t.is(m.Slab, 59_140 * 1024);
  t.is(m.HugePages_Total, 0);
});

test('slabinfo: active objects times object size', (t) => {
  const text = [
    'slabinfo - version: 2.1',
    '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
    'TCP                  130    130   2368   13    8 : tunables    0    0    0 : slabdata     10     10      0',
  ].join('\n');
  t.deepEqual(parseSlabinfo(text), {TCP: {activeObjs: 130, numObjs: 130, objSize: 2368, activeBytes: 307_840}});
});

test('RLIMIT_NOFILE from /proc/PID/limits', (t) => {
  t.deepEqual(parseNofile('Max open files            1024                 524288               files     \n'), {soft: 1024, hard: 524288});
  t.deepEqual(parseNofile('Max open files            unlimited            unlimited            files'), {soft: Infinity, hard: Infinity});
  t.is(parseNofile(''), null);
});

test('capabilities: this machine lacks CAP_SYS_RESOURCE, which the tool does not need', (t) => {
  t.deepEqual(missingCaps(parseCapEff('CapEff:\t000001fffeffffff\n')), []);
  t.deepEqual(missingCaps(parseCapEff('CapEff:\t0000000000000000\n')), ['CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_PERFMON', 'CAP_BPF']);
});

test('stat: a command name with spaces and parentheses does not shift the fields after it', (t) => {
  // /proc/PID/stat of a process named "a (b) c": pid, (comm), state, ppid, ... fields 14 and 15 are utime and stime
  // (here 9 and 10), field 22 is the start time
  const rest = ['S', '4242', ...Array.from({length: 17}, (_, i) => String(i)), '987654'].join(' ');
  t.deepEqual(parseStat(`31337 (a (b) c) ${rest} 0 0\n`), {comm: 'a (b) c', state: 'S', ppid: 4242, startTime: 987654, cpuTicks: 19});
  t.is(parseStat(readFileSync('/proc/self/stat', 'utf8')).ppid, process.ppid);
});

test('stat: the CPU time is this process\'s, as node counts it (ticks of 10 ms)', (t) => {
  // at least 300 ms of CPU used, then both read at once: within a few ticks of each other
  const until = process.cpuUsage().user + 300_000;
  while (process.cpuUsage().user < until);
  const ticks = parseStat(readFileSync('/proc/self/stat', 'utf8')).cpuTicks;
  const {user, system} = process.cpuUsage();
  const nodeMs = (user + system) / 1000;
  t.true(Math.abs(ticks * 10 - nodeMs) <= 50, `${ticks} ticks, node says ${nodeMs} ms`);
});
