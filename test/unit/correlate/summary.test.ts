// buildSummary field by field (README, FIELDS): each figure worked out by hand from the facts below.
import test from 'ava';
import {buildSummary, type RunFacts} from '../../../src/correlate/summary.js';
import {tuplesOf} from '../../../src/correlate/ports.js';
import {fallBack, planProbes} from '../../../src/probes/plan.js';
import {foldLines, liveState, tracepointsOnly} from '../../helpers/live.js';
import type {SlabCache} from '../../../src/system/proc-parse.js';
import {RUN_SUMMARY_FIELDS} from '../../../src/correlate/summary-fields.js';

const cache = (objSize: number, activeObjs: number): SlabCache => ({activeObjs, numObjs: activeObjs, objSize, activeBytes: objSize * activeObjs});
const record = (rport: number, lport: number, errno: string | null = null) => ({worker: 0, laddr: '127.0.0.1', lport, raddr: '127.0.0.1', rport, connectNs: 1000, errno, atMs: 0});

// 5 attempts to ports 12000/12001, 4 established, the 5th EADDRNOTAVAIL; the kernel saw one pair the
// generator did not (40007) and missed one it did (40006)
function facts(over: Partial<RunFacts> = {}): RunFacts {
  const kernel = foldLines([
    '{"type": "map", "data": {"@client_estab": {"12000": 2, "12001": 2, "9999": 1}}}',
    '{"type": "map", "data": {"@server_estab": {"12000": 2, "12001": 2}}}',
    '{"type": "map", "data": {"@socket_ok": 5}}',
    '{"type": "map", "data": {"@accept_ok": 4}}',
    '{"type": "map", "data": {"@connect_ok": 4}}',
    '{"type": "map", "data": {"@connect_errno": {"99": 1}}}',
    '{"type": "map", "data": {"@errno": {"socket,24": 1}}}',
    '{"type": "hist", "data": {"@socket_ns": [{"min": 1024, "max": 2047, "count": 5}]}}',
    '{"type": "hist", "data": {"@connect_ns": [{"min": 1024, "max": 2047, "count": 4}, {"min": 4096, "max": 8191, "count": 1}]}}',
    // four handshakes of tens of µs, one of 3 s (SYN retransmissions: the millisecond histogram)
    '{"type": "hist", "data": {"@handshake_ns": [{"min": 32768, "max": 65535, "count": 4}]}}',
    '{"type": "hist", "data": {"@handshake_slow_ms": [{"min": 2048, "max": 4095, "count": 1}]}}',
    '{"type": "map", "data": {"@rx_tcp4": 12}}',
    '{"type": "map", "data": {"@rx_tcp6": 0}}',
    '{"type": "map", "data": {"@rx_packets": 13}}',
    '{"type": "map", "data": {"@ports": {"12000,40000": 1, "12001,40002": 1, "12000,40004": 1, "12001,40007": 1}}}',
    // the same connections by 4-tuple (127.0.0.1 is 16777343 as bpftrace prints the address word)
    '{"type": "map", "data": {"@tuples": {"2,0,16777343,12000,0,16777343,40000": 1, "2,0,16777343,12001,0,16777343,40002": 1, "2,0,16777343,12000,0,16777343,40004": 1, "2,0,16777343,12001,0,16777343,40007": 1}}}',
    '{"type": "map", "data": {"@alloc_sites": {"TCP,1": 18944, "sock_inode_cache,2": 6656, "dentry,3": 4000, "tiny,4": 20}}}',
    '{"type": "map", "data": {"@freed_bytes": {"dentry": 2000}}}',
  ]);
  const live = liveState(4);
  return {
    scenario: 'ramp',
    requested: 4,
    ports: [12000, 12001],
    durationMs: 5000,
    startupMs: 1500,
    rampMs: 2000,
    generator: {attempted: 5, established: 4, failed: {EADDRNOTAVAIL: 1}, accepted: 4, serverOpen: 4, serverBytesIn: 0, clientsDone: 1, rss: {readyBytes: 20_971_520, nowBytes: 20_979_520, workers: 2}},
    connections: tuplesOf([record(12000, 40000), record(12001, 40002), record(12000, 40004), record(12001, 40006), record(12000, 0, 'EADDRNOTAVAIL')]),
    kernel,
    memoryBefore: {atMs: 0, caches: {TCP: cache(2368, 10), sock_inode_cache: cache(832, 10), dentry: cache(192, 100)}, meminfo: {Slab: 1_000_000}},
    memoryAfter: {atMs: 1, caches: {TCP: cache(2368, 18), sock_inode_cache: cache(832, 18)}, meminfo: {Slab: 1_100_000}},
    plan: planProbes(tracepointsOnly),
    failedProbes: [{measurement: 'receiveLookup', why: 'silent'}],
    lostEvents: 3,
    limits: live.limits,
    lab: {netns: 'tcptrace-1', netnsInum: 4026532000, portRange: {low: 40000, high: 40009, size: 10}},
    stoppedBy: 'SIGINT',
    slabConnections: null,
    ...over,
  };
}

test('connections: the generator\'s counts, rate over the ramp, user memory per connection and per worker', (t) => {
  const s = buildSummary(facts());
  t.is(s.type, 'summary');
  t.is(s.scenario, 'ramp');
  t.deepEqual(s.connections, {requested: 4, attempted: 5, established: 4, failed: {EADDRNOTAVAIL: 1}, accepted: 4, perSecond: 2, userBytesPerConnection: 2000, workerFixedBytes: 10_485_760});
  t.is(buildSummary(facts({rampMs: 0})).connections.perSecond, null);
});

test('kernel: established on the run\'s ports only, syscalls, errors by name with their limits, latency, receive, lost events', (t) => {
  const k = buildSummary(facts()).kernel;
  t.deepEqual(k.established, {client: 4, server: 4});
  t.deepEqual(k.syscalls, {socket: 5, connect: 5, accept: 4});
  t.deepEqual(k.errors, {EADDRNOTAVAIL: 1, EMFILE: 1});
  t.deepEqual(k.limitsHit, {EADDRNOTAVAIL: 'ip_local_port_range', EMFILE: 'RLIMIT_NOFILE'});
  t.deepEqual(k.latency, {
    socket: {count: 5, p50Ns: 2047, p99Ns: 2047, p50AtLeast: false, p99AtLeast: false, openBuckets: 0},
    connect: {count: 5, p50Ns: 2047, p99Ns: 8191, p50AtLeast: false, p99AtLeast: false, openBuckets: 0},
    handshake: {count: 5, p50Ns: 65535, p99Ns: 4095999999, p50AtLeast: false, p99AtLeast: false, openBuckets: 0},
  });
  t.deepEqual(k.histograms.handshakeNs, [{min: 32768, max: 65535, count: 4}, {min: 2048000000, max: 4095999999, count: 1}]);
  t.deepEqual(k.histograms.connectNs, [{min: 1024, max: 2047, count: 4}, {min: 4096, max: 8191, count: 1}]);
  t.deepEqual(k.receive, {tcpSegments: 12, packets: 13, byIpVersion: {v4: 12, v6: 0}});
  t.is(k.lostEvents, 3);
  // tracepoints only: no function counts
  t.true(Object.values(k.functions).every((v) => v === null), JSON.stringify(k.functions));
});

test('ports: server ports, the lab range, local ports per destination, parity, the 4-tuple join', (t) => {
  const p = buildSummary(facts()).ports;
  t.deepEqual(p.server, [12000, 12001]);
  t.deepEqual(p.range, {low: 40000, high: 40009, size: 10});
  t.deepEqual(p.perDestination, {'12000': 2, '12001': 2});
  t.deepEqual(p.parity, {even: 3, odd: 1});
  t.deepEqual(p.correlation, {matched: 3, onlyKernel: 1, onlyGenerator: 1});
});

test('slab with the probe: held bytes by cache (tiny ones left out), both methods per connection, meminfo', (t) => {
  const s = buildSummary(facts()).slab;
  t.is(s.source, 'tracepoint');
  t.is(s.sampledConnections, null);
  // held: TCP 18944, sock_inode_cache 6656, dentry 4000 - 2000; tiny 20 B is 5 B a connection (< 8): out
  t.deepEqual(s.byCache, {TCP: 4736, sock_inode_cache: 1664, dentry: 500});
  t.deepEqual(Object.keys(s.byCache ?? {}), ['TCP', 'sock_inode_cache', 'dentry']);
  // slabinfo: TCP +8 x 2368, sock_inode_cache +8 x 832; dentry is gone from the second snapshot
  t.deepEqual(s.slabinfoByCache, {TCP: 4736, sock_inode_cache: 1664, dentry: null});
  t.deepEqual(s.bytesPerConnection, {tracepoint: (18944 + 6656 + 2000) / 4, slabinfo: (18944 + 6656) / 4});
  t.is(s.meminfoSlabDeltaBytes, 100_000);
});

test('slab sample: the probe\'s bytes over its sample, slabinfo\'s over every connection', (t) => {
  const s = buildSummary(facts({slabConnections: 2})).slab;
  t.is(s.sampledConnections, 2);
  // over 2 connections tiny's 20 B is 10 B a connection: in
  t.deepEqual(s.byCache, {TCP: 9472, sock_inode_cache: 3328, dentry: 1000, tiny: 10});
  t.deepEqual(s.bytesPerConnection, {tracepoint: (18944 + 6656 + 2000 + 20) / 2, slabinfo: (18944 + 6656) / 4});
});

test('slabinfo fallback (no slab probe planned): caches from /proc/slabinfo alone, no tracepoint figure', (t) => {
  const plan = planProbes(tracepointsOnly).map((p) => (p.measurement === 'slab' ? {...p, variant: null, kind: null, why: 'not measured in this run (--measure)'} : p));
  const s = buildSummary(facts({plan, slabConnections: 2}));
  t.is(s.slab.source, 'slabinfo');
  t.is(s.slab.sampledConnections, null);
  t.deepEqual(s.slab.byCache, {TCP: 4736, sock_inode_cache: 1664});
  t.deepEqual(s.slab.bytesPerConnection, {tracepoint: null, slabinfo: 6400});
  t.deepEqual(s.probePlan.slab, {kind: null, file: null, why: 'not measured in this run (--measure)'});
});

test('plan, failures, limits, lab, stop and timings pass through', (t) => {
  const f = facts();
  const s = buildSummary(f);
  t.deepEqual(Object.keys(s.probePlan), ['connections', 'portAllocation', 'fourTuples', 'socketCreation', 'receiveLookup', 'slab', 'timeWait']);
  t.deepEqual(s.probePlan.connections, {kind: 'tracepoint', file: 'tcpstates-tp.bt', why: f.plan[0]!.why});
  t.deepEqual(s.probeFailures, [{measurement: 'receiveLookup', why: 'silent'}]);
  t.deepEqual(s.limits, f.limits);
  t.deepEqual(s.lab, f.lab);
  t.is(s.stoppedBy, 'SIGINT');
  t.is(s.durationMs, 5000);
  t.is(s.startupMs, 1500);
  // nothing went wrong in the probes' prints: no warning, nothing withheld
  t.deepEqual(s.warnings, []);
  t.deepEqual(s.incomplete, {});
});

test('notMeasured: every function-probe field null by design has why; none where a function variant ran', (t) => {
  const s = buildSummary(facts());
  const nullFunctionFields = Object.entries(s.kernel.functions).filter(([, v]) => v === null).map(([k]) => `kernel.functions.${k}`);
  // tracepoints only: all 16 function fields and timeWait.reused are null, and each is said
  t.is(nullFunctionFields.length, 16);
  t.is(s.kernel.timeWait?.reused, null);
  t.deepEqual(Object.keys(s.notMeasured).sort(), [...nullFunctionFields, 'kernel.timeWait.reused'].sort());
  t.is(s.notMeasured['kernel.functions.sockAlloc'], "socketCreation ran its tracepoint variant, which hooks no kernel function (kfunc: kfunc does not attach here: kfunc/kretfunc not available for your kernel version; kprobe: kprobe does not attach here: Error attaching probe: 'kprobe:tcp_v4_rcv')");
  // a host with kprobes: port allocation's fields are measured, and left out of notMeasured
  const withKprobes = {...tracepointsOnly, kinds: {...tracepointsOnly.kinds, kprobe: {attaches: true, why: 'trial attach succeeded'}}};
  const measured = buildSummary(facts({plan: planProbes(withKprobes)}));
  t.false('kernel.functions.hashConnectCalls' in measured.notMeasured);
  t.false('kernel.timeWait.reused' in measured.notMeasured);
});

test("FIELDS (summary-fields.ts) covers every field of the summary down to two levels, and names none it lacks", (t) => {
  const s: Record<string, unknown> = {...buildSummary(facts()), runs: {}, claims: [], faults: [], runDirectory: 'd'};
  // a documented path covers an actual one when either is a prefix of the other (`<x>`, `*`, `[]` match any key)
  const expand = RUN_SUMMARY_FIELDS.flatMap((d) => d.fields.reduce<string[][]>((out, p) => [...out, p.startsWith('.') ? [...out.at(-1)!.slice(0, -1), p.slice(1)] : p.split('.')], []));
  const same = (doc: string, key: string) => /^<.*>$|^\*$/.test(doc) || doc.replace(/\[\]$/, '') === key;
  const covered = (path: string[]) => expand.some((d) => d.slice(0, path.length).every((seg, i) => same(seg, path[i]!)) || (d.length <= path.length && d.every((seg, i) => same(seg, path[i]!))));
  const paths = Object.entries(s).flatMap(([k, v]) => (k === 'type' ? [] : [[k], ...(v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).map((k2) => [k, k2]) : [])]));
  t.deepEqual(paths.filter((p) => !covered(p)).map((p) => p.join('.')), []);
  t.deepEqual(expand.filter((d) => !(d[0]!.replace(/\[\]$/, '') in s)).map((d) => d.join('.')), []);
});

test('a measurement whose every variant failed at start is withheld with why, never zero; a lost one keeps its plan entry and is not', (t) => {
  const plan = planProbes(tracepointsOnly).map((p) => (p.measurement === 'receiveLookup' ? fallBack(p, 'tracepoint not found: net:no_such') : p));
  const why = plan.find((p) => p.measurement === 'receiveLookup')!.why;
  t.regex(why, /^unavailable here: .*; tracepoint: tracepoint not found: net:no_such$/);
  const s = buildSummary(facts({plan, failedProbes: [{measurement: 'receiveLookup', why}]}));
  t.is(s.kernel.receive, null);
  t.deepEqual(s.incomplete, {'kernel.receive': `receiveLookup: ${why}`});
  t.deepEqual(s.warnings, [`receiveLookup: ${why}; receiveLookup numbers are withheld (no program measured them)`]);
  // the others keep their numbers
  t.deepEqual(s.kernel.established, {client: 4, server: 4});
  t.deepEqual(s.kernel.syscalls, {socket: 5, connect: 5, accept: 4});
  // port allocation without a program: connect() calls are its count too
  const noPorts = planProbes(tracepointsOnly).map((p) => (p.measurement === 'portAllocation' ? fallBack(p, 'x') : p));
  const p = buildSummary(facts({plan: noPorts, failedProbes: [{measurement: 'portAllocation', why: 'x'}]}));
  t.is(p.kernel.syscalls, null);
  t.is(p.kernel.latency.connect, null);
  t.not(p.kernel.latency.socket, null);
  // the 4-tuples are their own measurement's: the correlation stands without port allocation's program
  t.deepEqual(p.ports.correlation, {matched: 3, onlyKernel: 1, onlyGenerator: 1});
  const noTuples = planProbes(tracepointsOnly).map((p) => (p.measurement === 'fourTuples' ? fallBack(p, 'x') : p));
  const q = buildSummary(facts({plan: noTuples, failedProbes: [{measurement: 'fourTuples', why: 'x'}]}));
  t.is(q.ports.correlation, null);
  t.is(q.ports.fourTupleCount, null);
  t.not(q.kernel.syscalls, null);
  t.not(q.kernel.latency.connect, null);
  // slab without a program: slabinfo's caches still serve byCache
  const noSlab = planProbes(tracepointsOnly).map((p) => (p.measurement === 'slab' ? fallBack(p, 'x') : p));
  const sl = buildSummary(facts({plan: noSlab, failedProbes: [{measurement: 'slab', why: 'x'}]}));
  t.is(sl.slab.source, 'slabinfo');
  t.deepEqual(sl.slab.byCache, {TCP: 4736, sock_inode_cache: 1664});
  t.deepEqual(Object.keys(sl.incomplete), ['slab.bytesPerConnection.tracepoint', 'slab.heldBytesByCache', 'slab.connections']);
});
