// Run inside a stock-kernel guest by scripts/kernel-matrix.mjs (TCP_TRACE_MATRIX=1): the kfunc and
// kprobe variants measure the same connections the generator makes. Timings under TCG are inflated:
// only counts are asserted.
import test from 'ava';
import {readFileSync} from 'node:fs';
import {jsonLines, runCli} from '../helpers/cli.js';
import {kernelSkipReason} from '../helpers/kernel.js';

const inGuest = process.env.TCP_TRACE_MATRIX === '1';
const matrixTest = inGuest && !kernelSkipReason ? test.serial : test.skip;
const N = 23;
const kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();

for (const kind of ['kfunc', 'kprobe'] as const) {
  matrixTest(`${kernel}: --probes ${kind}: ${N} connections seen by every function hook`, async (t) => {
    const out = `/tmp/tcp-trace-matrix-${kind}`;
    const r = await runCli(['run', '--connections', String(N), '--headless', '--hold', '1', '--probes', kind, '--out', out]);
    t.is(r.code, 0, r.stderr);
    const s = jsonLines(r.stdout).at(-1)!;
    t.log(JSON.stringify(s.probePlan));
    t.log(JSON.stringify(s.probeFailures));
    // the plan chose the asked kind wherever a variant of that kind exists and fired
    for (const m of ['connections', 'portAllocation', 'socketCreation']) t.is(s.probePlan[m].kind, kind, `${m}: ${s.probePlan[m].why}`);
    // receive lookup: kfunc on 6.12; on 6.1 __inet_lookup_established has no BTF, so kfunc falls to nothing under --probes kfunc
    t.deepEqual(s.kernel.established, {client: N, server: N});
    t.is(s.connections.established, N);
    // inet_hash_connect returned 0 exactly N times, with the generator's local ports
    t.deepEqual(s.ports.correlation, {matched: N, onlyKernel: 0, onlyGenerator: 0});
    t.is(s.kernel.functions.hashConnectOk, N);
    t.is(s.kernel.functions.hashConnectCalls, N);
    // fresh ports get a new bind bucket without __inet_check_established: no attempts are counted
    // sock_alloc: connect side + accept side
    t.true(s.kernel.functions.sockAlloc >= 2 * N || s.kernel.functions.sockAllocInode >= 2 * N, JSON.stringify(s.kernel.functions));
    if (s.probePlan.receiveLookup.kind === kind) {
      t.true(s.kernel.functions.tcpV4Rcv >= 3 * N, `tcp_v4_rcv ${s.kernel.functions.tcpV4Rcv}`);
      t.true(s.kernel.functions.lookups >= 3 * N, `lookups ${s.kernel.functions.lookups}`);
    }
    if (s.probePlan.slab.kind !== null) {
      t.true(s.slab.byCache.TCP > 0, JSON.stringify(s.slab.byCache));
      t.true(s.slab.byCache.sock_inode_cache > 0, JSON.stringify(s.slab.byCache));
    }
  });
}

for (const kind of ['kfunc', 'kprobe'] as const) {
  matrixTest(`${kernel}: --probes ${kind}: port-exhaustion: the 11th inet_hash_connect fails after checking all 10 ports`, async (t) => {
    const r = await runCli(['run', 'port-exhaustion', '--headless', '--hold', '0.5', '--probes', kind, '--out', `/tmp/tcp-trace-matrix-pe-${kind}`]);
    t.is(r.code, 0, r.stderr);
    const s = jsonLines(r.stdout).at(-1)!;
    t.true(s.claims.every((c: {held: boolean}) => c.held), JSON.stringify(s.claims));
    t.is(s.probePlan.portAllocation.kind, kind);
    t.is(s.kernel.functions.hashConnectCalls, 21);
    t.is(s.kernel.functions.hashConnectOk, 20);
    t.deepEqual(s.kernel.functions.hashConnectErrors, {EADDRNOTAVAIL: 1});
    // the 11th checks the 10 ports in use; each of the next 10 checks at least one port whose bucket exists
    t.true(s.kernel.functions.checkEstablished >= 20, `__inet_check_established ${s.kernel.functions.checkEstablished}`);
  });
}
