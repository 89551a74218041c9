import test from 'ava';
import {missedRunProblems, runsByMeasurement} from '../../../src/correlate/missed-runs.js';
import {traceSummary} from '../../../src/correlate/trace.js';
import {judgeProblems} from '../../../src/correlate/problems.js';
import {foldLines} from '../../helpers/live.js';

const prog = (progId: number, progType: number, recursionMisses: number | null, runCount = 0) => ({progId, progType, runCount, runTimeNs: 0, recursionMisses});

test('runs per measurement: misses summed; the interval program\'s are no lost event; run_cnt only when counted', (t) => {
  const runs = runsByMeasurement(
    [
      {measurement: 'receiveLookup', programs: [prog(1, 5, 385), prog(2, 7, 3)]},
      {measurement: 'connections', programs: [prog(3, 5, 0), prog(4, 7, 0)]},
    ],
    false,
  );
  t.deepEqual(runs.receiveLookup, {programs: 2, recursionMisses: 388, eventsMissed: 385, runCount: null});
  t.deepEqual(runs.connections, {programs: 2, recursionMisses: 0, eventsMissed: 0, runCount: null});
  t.is(runsByMeasurement([{measurement: 'slab', programs: [prog(5, 5, 0, 12)]}], true).slab!.runCount, 12);
  // a kernel that does not say: unknown, not 0
  t.is(runsByMeasurement([{measurement: 'slab', programs: [prog(5, 5, null)]}], true).slab!.recursionMisses, null);
});

test('a task-context-only measurement: its process\'s programs and runs, none of its skipped runs', (t) => {
  // fourTuples' kretfunc shares a process with receive lookup's softirq programs, whose runs the kernel skipped
  const programs = [prog(1, 26, 0, 40), prog(2, 5, 7, 300), prog(3, 7, 1, 9)];
  const runs = runsByMeasurement([{measurement: 'fourTuples', programs, uncharged: true}, {measurement: 'receiveLookup', programs}], true);
  t.deepEqual(runs.fourTuples, {programs: 3, recursionMisses: 0, eventsMissed: 0, runCount: 349});
  t.deepEqual(runs.receiveLookup, {programs: 3, recursionMisses: 8, eventsMissed: 7, runCount: 349});
  // a kernel that does not say still cannot skip a task-context hook inside a program
  t.is(runsByMeasurement([{measurement: 'fourTuples', programs: [prog(1, 26, null)], uncharged: true}], false).fourTuples!.eventsMissed, 0);
});

test('missed runs make the receive count incomplete in trace\'s summary, with why', (t) => {
  const runs = runsByMeasurement([{measurement: 'receiveLookup', programs: [prog(1, 5, 385)]}, {measurement: 'connections', programs: [prog(3, 5, 0)]}], false);
  const problems = missedRunProblems(runs);
  t.is(problems.length, 1);
  const kernel = foldLines(['{"type": "map", "data": {"@rx_tcp4": 5552}}', '{"type": "map", "data": {"@client_estab": {"8080": 3}}}']);
  const s = traceSummary(kernel, null, problems);
  t.is(s.kernel.receive, null);
  t.regex(s.incomplete['kernel.receive']!, /receiveLookup: the kernel skipped 385 runs/);
  t.deepEqual(s.kernel.established, {client: 3, server: 0});
  t.regex(judgeProblems(problems).warnings[0]!, /receiveLookup numbers are low by up to 385 events/);
  // none missed: the count stands
  t.deepEqual(traceSummary(kernel, null, []).kernel.receive, {tcpSegments: 5552, byIpVersion: {v4: 5552, v6: 0}, packets: 0});
});

test('ERESTARTSYS (512) is a restart, not an error; ECONNREFUSED is an error', (t) => {
  const kernel = foldLines(['{"type": "map", "data": {"@errno": {"accept,512": 1, "accept,24": 2}}}', '{"type": "map", "data": {"@connect_errno": {"111": 1, "516": 1}}}']);
  const s = traceSummary(kernel, null);
  t.deepEqual(s.kernel.errors, {EMFILE: 2, ECONNREFUSED: 1});
  t.deepEqual(s.kernel.restarts, {ERESTARTSYS: 1, ERESTART_RESTARTBLOCK: 1});
});

test('a connect of seconds: trace\'s latency counts it in an open or seconds bucket, not near zero', (t) => {
  const kernel = foldLines([
    '{"type": "hist", "data": {"@connect_ns": [{"min": 16384, "max": 32767, "count": 2}]}}',
    '{"type": "hist", "data": {"@connect_slow_ms": [{"min": 2048, "max": 4095, "count": 1}]}}',
  ]);
  const s = traceSummary(kernel, null);
  t.is(s.kernel.latency.connect!.count, 3);
  t.is(s.kernel.latency.connect!.p99Ns, 4096 * 1_000_000 - 1);
  t.deepEqual(s.kernel.histograms.connectNs.at(-1), {min: 2048 * 1_000_000, max: 4096 * 1_000_000 - 1, count: 1});
});

test('bind() failures are errors; returns whose entry came before the probes are counted and said', (t) => {
  const kernel = foldLines([
    '{"type": "map", "data": {"@bind_ok": 1}}',
    '{"type": "map", "data": {"@bind_fail": {"98": 1}}}',
    '{"type": "map", "data": {"@accept_unmatched": 1}}',
    '{"type": "map", "data": {"@accept_ok": 5}}',
  ]);
  const s = traceSummary(kernel, null);
  t.deepEqual(s.kernel.bind, {ok: 1, failed: {EADDRINUSE: 1}});
  t.deepEqual(s.kernel.errors, {EADDRINUSE: 1});
  t.deepEqual(s.kernel.unmatchedReturns, {connect: 0, accept: 1});
  t.is(s.kernel.syscalls!.accept, 5);
});

test('slab per connection in trace: the connections\' own caches only, and what it includes', (t) => {
  const kernel = foldLines([
    '{"type": "map", "data": {"@alloc_sites": {"TCP,1": 16128, "sock_inode_cache,2": 5376, "maple_node,3": 250000, "kmalloc-64,4": 640}}}',
    '{"type": "map", "data": {"@freed_bytes": {"TCP": 2304}}}',
    '{"type": "map", "data": {"@client_estab": {"8080": 3}}}',
    '{"type": "map", "data": {"@server_estab": {"8080": 3}}}',
  ]);
  const slab = traceSummary(kernel, null).slab.connections!;
  t.deepEqual(slab.byCache, {TCP: 13_824, sock_inode_cache: 5376});
  t.is(slab.heldBytes, 19_200);
  t.is(slab.bytesPerEndEstablished, 3200);
  t.regex(slab.includes, /^objects of the caches TCP, TCPv6, sock_inode_cache/);
  // the slab program's skipped runs withhold it
  const missed = missedRunProblems(runsByMeasurement([{measurement: 'slab', programs: [prog(9, 5, 57)]}], false));
  const s = traceSummary(kernel, null, missed);
  t.is(s.slab.connections, null);
  t.regex(s.incomplete['slab.connections']!, /^slab: the kernel skipped 57 runs/);
});
