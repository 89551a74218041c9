// The time-wait scenario at its default size (a lab range of 50): its claims hold, with the exact counts the
// kernel (timeWait), the namespace's sockstat and TcpExt.TWRecycled, and the generator agree on.
import test from 'ava';
import {readdirSync} from 'node:fs';
import {tempDir} from '../helpers/temp.js';
import {jsonLines, runCli} from '../helpers/cli.js';
import {kernelSkipReason, labNamespaces, toolProcesses} from '../helpers/kernel.js';
import {TIME_WAIT_LIMIT} from '../../src/scenarios/time-wait.js';
import {execFileSync} from 'node:child_process';
import {warmUp} from '../../src/load/spawn-worker.js';
import {parseTcpSockstat} from '../../src/system/netns-parse.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;

kernelTest('time-wait: 50 churned connections, EADDRNOTAVAIL with none open and 50 in TIME_WAIT; tcp_tw_reuse 2 reuses 10 (TWRecycled +10)', async (t) => {
  const out = tempDir(t, 'time-wait');
  const r = await runCli(['run', 'time-wait', '--headless', '--hold', '0.5', '--out', out]);
  t.is(r.code, 0, r.stderr);
  t.is(readdirSync(out).length, 1);
  const s = jsonLines(r.stdout).at(-1)!;
  t.true((s.claims as Array<{held: boolean}>).every((c) => c.held), JSON.stringify(s.claims));
  t.deepEqual(s.ports.range, {low: 60000, high: 60049, size: 50});
  const [exhaust, held, reuse] = s.claims.map((c: {evidence: Record<string, unknown>}) => c.evidence);
  t.like(exhaust, {established: 50, failed: ['EADDRNOTAVAIL'], openConnections: 0, twAtStart: 0, limit: TIME_WAIT_LIMIT});
  t.like(held, {sockstatTw: 50, kernelEntered: 50, timeWaitOverflow: 0});
  // the summary names the same limit, from the namespace's sockets at the end: 50 ports, TIME-WAIT sockets alone
  t.deepEqual(s.kernel.limitsHit, {EADDRNOTAVAIL: TIME_WAIT_LIMIT});
  // the tracepoint path has no reuse count of its own: the namespace's TcpExt.TWRecycled is it
  const fn = s.probePlan.timeWait.kind === 'kfunc' || s.probePlan.timeWait.kind === 'kprobe';
  t.like(reuse, {established: 10, failed: [], twRecycled: 10, kernelReused: fn ? 10 : null, sockstatTw: 50, kernelEntered: 10});
  // the 50, then the 10 after the pause, each closed first by the client
  t.deepEqual(s.kernel.timeWait, {entered: 60, reused: fn ? 10 : null});
  t.deepEqual(s.kernel.established, {client: 60, server: 60});
  t.deepEqual(s.kernel.errors, {EADDRNOTAVAIL: 1});
  t.deepEqual(s.connections.failed, {EADDRNOTAVAIL: 1});
  t.deepEqual(s.kernel.syscalls, {socket: 61, connect: 61, accept: 60});
  t.deepEqual(labNamespaces(), []);
  t.deepEqual(toolProcesses(), []);
});

kernelTest('the function probes\' warm-up leaves nothing in the lab: its 3 connections closed by reset, none in TIME_WAIT on a port of the range', async (t) => {
  const ns = `h-warm-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.teardown(() => execFileSync('ip', ['netns', 'del', ns]));
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const sockstat = () => parseTcpSockstat(execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/sockstat'], {encoding: 'utf8'}));
  const counter = (name: string) => {
    const lines = execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/snmp'], {encoding: 'utf8'}).split('\n').filter((l) => l.startsWith('Tcp:')).map((l) => l.split(/\s+/));
    return Number(lines[1]![lines[0]!.indexOf(name)]);
  };
  await warmUp(ns, 3);
  // 3 connections made (ActiveOpens), each reset, none left in any state: a TIME_WAIT would hold a lab port 60 s
  t.is(counter('ActiveOpens'), 3);
  t.like(sockstat(), {inuse: 0, tw: 0});
});
