// Run inside a stock-kernel guest by scripts/kernel-matrix.mjs (TCP_TRACE_MATRIX=1): the scenarios whose claims
// rest on function probes (port search, TIME_WAIT reuse, bind-time ports), one probe kind a kernel. Timings under
// TCG are inflated: only counts are asserted. (The variants' own counts: hooks.test.ts, in a guest of its own.)
import {jsonLines, runCli} from '../helpers/cli.js';
import {kernel, matrixTest, noprof, oneKind} from '../helpers/matrix.js';

// port-exhaustion on 6.1 (kfunc); on 6.12, port-search's kprobe run checks the same failing inet_hash_connect()
for (const kind of noprof ? [] : oneKind) {
  matrixTest(`${kernel}: --probes ${kind}: port-exhaustion: the 11th inet_hash_connect fails after checking all 10 ports`, async (t) => {
    const r = await runCli(['run', 'port-exhaustion', '--headless', '--hold', '0.5', '--probes', kind, '--out', `/tmp/tcp-trace-matrix-pe-${kind}`]);
    t.is(r.code, 0, r.stderr);
    const s = jsonLines(r.stdout).at(-1)!;
    t.true(s.claims.every((c: {held: boolean}) => c.held), JSON.stringify(s.claims));
    t.is(s.probePlan.portAllocation.kind, kind);
    t.deepEqual(s.probeFailures, []);
    t.deepEqual(s.kernel.syscalls, {socket: 21, connect: 21, accept: 20});
    t.is(s.kernel.functions.hashConnectCalls, 21);
    t.is(s.kernel.functions.hashConnectOk, 20);
    t.deepEqual(s.kernel.functions.hashConnectErrors, {EADDRNOTAVAIL: 1});
    // the 11th checks the 10 ports in use; each of the next 10 checks at least one port whose bucket exists
    t.true(s.kernel.functions.checkEstablished >= 20, `__inet_check_established ${s.kernel.functions.checkEstablished}`);
  });
}

for (const kind of oneKind) {
  matrixTest(`${kernel}: --probes ${kind}: port-search: past half the range every connect tries at least 50 ports, the failing one all 100`, async (t) => {
    const r = await runCli(['run', 'port-search', '--headless', '--hold', '0.5', '--probes', kind, '--port-range', '40000-40099', '--out', `/tmp/tcp-trace-matrix-ps-${kind}`]);
    t.is(r.code, 0, r.stderr);
    const s = jsonLines(r.stdout).at(-1)!;
    t.is(s.probePlan.portAllocation.kind, kind);
    const [parity, full, , attempts] = s.claims;
    t.true(parity.held && full.held, JSON.stringify(s.claims));
    t.deepEqual(parity.evidence.kernel, {firstHalf: {even: 50, odd: 0}, secondHalf: {even: 0, odd: 50}});
    // the ports tried, by tenth: the first half finds a free port of its parity at once or nearly; the second
    // tries the 50 full ones of the first parity before the other's
    t.true(attempts?.held, JSON.stringify(attempts));
    const rows = s.claims[2].evidence.byDecile as Array<{decile: number; attemptsMin: number; attemptsSum: number}>;
    t.true(rows.filter((x) => x.decile > 5 && x.decile <= 10).every((x) => x.attemptsMin >= 50), JSON.stringify(rows));
    t.true(rows.find((x) => x.decile === 11)!.attemptsSum >= 100, JSON.stringify(rows));
    // the exact total agrees with the function counts of the summary
    t.is(rows.reduce((n, x) => n + x.attemptsSum, 0), s.kernel.functions.checkEstablished);
    t.deepEqual(s.kernel.functions.hashConnectErrors, {EADDRNOTAVAIL: 1});
  });
}

// time-wait, one kind a kernel: the function probe's own reuse count (tcp_twsk_unique() said 1) must equal the
// namespace's TcpExt.TWRecycled: 10 connects after the pause, each taking over a TIME_WAIT socket.
for (const kind of oneKind) {
  matrixTest(`${kernel}: --probes ${kind}: time-wait: 50 into TIME_WAIT, then 10 reused, counted by tcp_twsk_unique() as by TWRecycled`, async (t) => {
    const r = await runCli(['run', 'time-wait', '--headless', '--hold', '0.5', '--probes', kind, '--out', `/tmp/tcp-trace-matrix-tw-${kind}`]);
    t.is(r.code, 0, r.stderr);
    const s = jsonLines(r.stdout).at(-1)!;
    t.is(s.probePlan.timeWait.kind, kind, JSON.stringify(s.probePlan));
    t.deepEqual(s.probeFailures, []);
    t.true((s.claims as Array<{held: boolean}>).every((c) => c.held), JSON.stringify(s.claims));
    const [exhaust, held, reuse] = s.claims.map((c: {evidence: Record<string, unknown>}) => c.evidence);
    // the warm-up that shows a function probe fires leaves no TIME_WAIT on the lab's ports (it resets its connections)
    t.like(exhaust, {established: 50, failed: ['EADDRNOTAVAIL'], openConnections: 0, twAtStart: 0});
    t.like(held, {sockstatTw: 50, kernelEntered: 50});
    t.like(reuse, {established: 10, twRecycled: 10, kernelReused: 10, kernelEntered: 10});
    t.deepEqual(s.kernel.timeWait, {entered: 60, reused: 10});
    t.deepEqual(s.kernel.established, {client: 60, server: 60});
  });
}

// bind-first on 6.12 with kprobe: inet_csk_get_port() gives the 20 bound-first ports and fails the 2 binds past the
// range, which bind() reports as EADDRINUSE (the function returns 1; __inet_bind() turns it into -EADDRINUSE).
for (const kind of noprof ? (['kprobe'] as const) : []) {
  matrixTest(`${kernel}: --probes ${kind}: bind-first: inet_csk_get_port() gives 20 ports at bind time and fails 2 (EADDRINUSE)`, async (t) => {
    const r = await runCli(['run', 'bind-first', '--headless', '--hold', '0.5', '--probes', kind, '--out', `/tmp/tcp-trace-matrix-bf-${kind}`]);
    t.is(r.code, 0, r.stderr);
    const s = jsonLines(r.stdout).at(-1)!;
    t.is(s.probePlan.portAllocation.kind, kind, JSON.stringify(s.probePlan));
    t.true((s.claims as Array<{held: boolean}>).every((c) => c.held), JSON.stringify(s.claims));
    t.deepEqual(s.kernel.errors, {EADDRINUSE: 2});
    t.deepEqual(s.kernel.functions.bindPortErrors, {EADDRINUSE: 2});
    // the 20 bound first, and the servers' and the warm-up's own binds and listens where they came after the attach
    t.true(s.kernel.functions.bindPorts >= 20, JSON.stringify(s.kernel.functions));
    t.deepEqual(s.kernel.established, {client: 60, server: 60});
  });
}
