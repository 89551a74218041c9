// Run inside a stock-kernel guest by scripts/kernel-matrix.mjs (TCP_TRACE_MATRIX=1): the kfunc and
// kprobe variants measure the same connections the generator makes, over IPv4 and IPv6. Timings under TCG are
// inflated: only counts are asserted. (The scenarios' function counts: scenarios.test.ts, in a guest of its own.)
import {jsonLines, runCli} from '../helpers/cli.js';
import {kernel, matrixTest, N, noprof, oneKind} from '../helpers/matrix.js';

// What each measurement must be planned on under --probes KIND, per the catalog: receive lookup has no kfunc
// variant (__inet_lookup_established takes more parameters than bpftrace's kfunc), slab no kprobe variant;
// slab's kfunc program is the _noprof one from 6.10 on (kmem_cache_alloc became a macro).
const expectedPlan = {
  kfunc: {connections: 'kfunc', portAllocation: 'kfunc', fourTuples: 'kfunc', socketCreation: 'kfunc', receiveLookup: null, slab: 'kfunc', timeWait: 'kfunc'},
  kprobe: {connections: 'kprobe', portAllocation: 'kprobe', fourTuples: 'kprobe', socketCreation: 'kprobe', receiveLookup: 'kprobe', slab: null, timeWait: 'kprobe'},
} as const;
const slabFile = noprof ? 'slab-kfunc-noprof.bt' : 'slab-kfunc.bt';

for (const kind of ['kfunc', 'kprobe'] as const) {
  matrixTest(`${kernel}: --probes ${kind}: ${N} connections seen by every function hook`, async (t) => {
    const out = `/tmp/tcp-trace-matrix-${kind}`;
    const r = await runCli(['run', '--connections', String(N), '--headless', '--hold', '1', '--probes', kind, '--out', out]);
    t.is(r.code, 0, r.stderr);
    const s = jsonLines(r.stdout).at(-1)!;
    // each measurement on the kind the catalog gives it (a fallback at run time would show here), none failed
    const kinds = Object.fromEntries(Object.entries(s.probePlan as Record<string, {kind: string | null}>).map(([m, p]) => [m, p.kind]));
    t.deepEqual(kinds, expectedPlan[kind], JSON.stringify(s.probePlan));
    if (kind === 'kfunc') t.is(s.probePlan.slab.file, slabFile);
    t.deepEqual(s.probeFailures, []);
    t.deepEqual(s.kernel.established, {client: N, server: N});
    t.deepEqual(s.kernel.syscalls, {socket: N, connect: N, accept: N});
    t.is(s.connections.established, N);
    // every connection held to the end (the probes stop before the generator closes them): none in TIME_WAIT, none
    // reused; the function probe's count is 0, not null
    t.deepEqual(s.kernel.timeWait, {entered: 0, reused: 0});
    // inet_hash_connect returned 0 exactly N times, with the generator's local ports
    t.deepEqual(s.ports.correlation, {matched: N, onlyKernel: 0, onlyGenerator: 0});
    t.is(s.kernel.functions.hashConnectOk, N);
    t.is(s.kernel.functions.hashConnectCalls, N);
    // fresh ports get a new bind bucket without __inet_check_established: no attempts are counted
    // sock_alloc and sock_alloc_inode: one socket on the connect side, one on the accept side, each
    t.is(s.kernel.functions.sockAlloc, 2 * N, JSON.stringify(s.kernel.functions));
    t.is(s.kernel.functions.sockAllocInode, 2 * N, JSON.stringify(s.kernel.functions));
    if (kind === 'kprobe') {
      // a handshake is three TCP segments received in the lab's namespace, each one tcp_v4_rcv
      t.is(s.kernel.receive.tcpSegments, 3 * N);
      t.is(s.kernel.functions.tcpV4Rcv, 3 * N, `tcp_v4_rcv ${s.kernel.functions.tcpV4Rcv}`);
      // not exact across kernels: early demux looks up each segment, tcp_v4_rcv again after a miss (the SYN)
      t.true(s.kernel.functions.lookups >= 3 * N, `lookups ${s.kernel.functions.lookups}`);
    } else {
      // no receive program under --probes kfunc: withheld with why, not shown as zero
      t.is(s.kernel.receive, null);
      t.is(s.kernel.functions.tcpV4Rcv, null);
      t.is(s.kernel.functions.lookups, null);
    }
    // notMeasured names exactly the function fields left null: the receive lookup's under --probes kfunc (it did
    // not run), none under kprobe
    const receiveFields = ['tcpV4Rcv', 'tcpV6Rcv', 'lookups', 'lookupsByCaller', 'lookupLatency'].map((f) => `kernel.functions.${f}`);
    t.deepEqual(Object.keys(s.notMeasured).sort(), kind === 'kfunc' ? receiveFields.sort() : [], JSON.stringify(s.notMeasured));
    if (kind === 'kfunc') {
      // the slab probe saw both ends' socket objects: TCP and sock_inode_cache, 2 objects a connection
      t.true(s.slab.byCache.TCP > 0, JSON.stringify(s.slab.byCache));
      t.true(s.slab.byCache.sock_inode_cache > 0, JSON.stringify(s.slab.byCache));
      t.is(s.slab.source, 'tracepoint');
    } else {
      t.is(s.slab.source, 'slabinfo');
    }
  });
}

// ipv6: kfunc (6.1) counts inet6_hash_connect() and the TCPv6 slab objects; kprobe (6.12) counts tcp_v6_rcv(): a
// handshake is three segments received, each on the IPv6 path, none on tcp_v4_rcv.
for (const kind of oneKind) {
  matrixTest(`${kernel}: --probes ${kind}: ipv6: ${N} connections over ::1, ports from inet6_hash_connect(), ${kind === 'kprobe' ? 'segments on tcp_v6_rcv()' : 'TCPv6 slab objects'}`, async (t) => {
    const r = await runCli(['run', 'ipv6', '--connections', String(N), '--headless', '--hold', '1', '--probes', kind, '--out', `/tmp/tcp-trace-matrix-v6-${kind}`]);
    t.is(r.code, 0, r.stderr);
    const s = jsonLines(r.stdout).at(-1)!;
    t.is(s.probePlan.portAllocation.kind, kind, JSON.stringify(s.probePlan));
    t.deepEqual(s.probeFailures, []);
    t.deepEqual(s.kernel.established, {client: N, server: N});
    t.deepEqual(s.kernel.syscalls, {socket: N, connect: N, accept: N});
    t.deepEqual(s.ports.correlation, {matched: N, onlyKernel: 0, onlyGenerator: 0});
    t.is(s.ports.fourTupleCount, N);
    t.deepEqual(Object.keys(s.ports.localPortsByAddress), ['::1']);
    t.is(s.kernel.functions.hashConnectCalls, N);
    t.is(s.kernel.functions.hashConnectOk, N);
    t.is(s.kernel.functions.sockAlloc, 2 * N, JSON.stringify(s.kernel.functions));
    if (kind === 'kprobe') {
      t.deepEqual(s.kernel.receive.byIpVersion, {v4: 0, v6: 3 * N});
      t.is(s.kernel.functions.tcpV6Rcv, 3 * N, JSON.stringify(s.kernel.functions));
      t.is(s.kernel.functions.tcpV4Rcv, 0);
      t.true(s.claims[4].held, JSON.stringify(s.claims[4]));
    } else {
      t.is(s.slab.source, 'tracepoint');
      t.true(s.slab.byCache.TCPv6 > 0, JSON.stringify(s.slab.byCache));
      t.false('TCP' in s.slab.byCache, JSON.stringify(s.slab.byCache));
      t.true(s.claims[3].held, JSON.stringify(s.claims[3]));
    }
  });
}
