import test from 'ava';
import {limitsHit, limitsOfNetns, netnsReport} from '../../../src/correlate/netns-report.js';
import {liveState} from '../../helpers/live.js';
import type {NetnsSnapshot} from '../../../src/system/netns-state.js';

const snap = (over: Partial<NetnsSnapshot>): NetnsSnapshot => ({
  atMs: 0,
  ephemeralPorts: {low: 40000, high: 40099, reserved: 10, size: 90},
  ehash: {entries: 1024, sharedWithHost: false, childEntries: 0},
  sockstat: {inuse: 3, orphan: 0, tw: 0, alloc: 3, memPages: 0, inuse6: 0},
  ephemeralUse: {maxPerDestination: 1, destination: '127.0.0.1:5000', timeWait: 0},
  buffers: {sockets: 2, unreadBytes: 0, unsentBytes: 0, rmemBytes: 0, wmemQueuedBytes: 0, forwardAllocBytes: 0},
  counters: {'TcpExt.ListenOverflows': 4, 'TcpExt.ListenDrops': 4, 'TcpExt.TCPSynRetrans': 1, 'Tcp.InSegs': 100},
  ...over,
});

test('namespace report: counters as growth over the trace, buffer memory in pages and bytes', (t) => {
  const before = snap({});
  const after = snap({
    sockstat: {inuse: 4, orphan: 0, tw: 2, alloc: 4, memPages: 3380, inuse6: 1},
    buffers: {sockets: 4, unreadBytes: 262_144, unsentBytes: 0, rmemBytes: 300_000, wmemQueuedBytes: 1000, forwardAllocBytes: 3000},
    counters: {'TcpExt.ListenOverflows': 10, 'TcpExt.ListenDrops': 10, 'TcpExt.TCPSynRetrans': 7, 'Tcp.InSegs': 137},
  });
  const r = netnsReport(before, after, 4096);
  t.is(r.counters['TcpExt.ListenOverflows'], 6);
  t.is(r.counters['TcpExt.TCPSynRetrans'], 6);
  t.is(r.counters['Tcp.InSegs'], 37);
  // absent from the kernel's files: unknown, not 0
  t.is(r.counters['Tcp.OutSegs'], null);
  t.deepEqual(r.bufferMemory.end, {
    sockets: 4, unreadBytes: 262_144, unsentBytes: 0, chargedBytes: 304_000, chargedBytesPerSocket: 76_000, hostSockstatMem: {pages: 3380, bytes: 3380 * 4096},
  });
  t.deepEqual(r.limits.ephemeralPorts, {low: 40000, high: 40099, reserved: 10, size: 90});
});

test('the dashboard\'s limits: the traced namespace\'s port range and hash table, not the host\'s', (t) => {
  const host = liveState(0).limits;
  const l = limitsOfNetns(host, snap({}));
  t.deepEqual(l.ipLocalPortRange, {low: 40000, high: 40099, size: 90});
  t.is(l.tcpEhashEntries, 1024);
  t.is(l.fileMax, host.fileMax);
});

test('EADDRNOTAVAIL is blamed on the range only when its ports toward one destination were all in use', (t) => {
  const dup = limitsHit({EADDRNOTAVAIL: 1, ECONNREFUSED: 2}, snap({}));
  t.is(dup.EADDRNOTAVAIL!.limit, '4-tuple in use');
  t.regex(dup.EADDRNOTAVAIL!.evidence ?? '', /^1 of 90 ephemeral ports in use toward 127.0.0.1:5000/);
  t.false('ECONNREFUSED' in dup);
  const full = limitsHit({EADDRNOTAVAIL: 1}, snap({ephemeralUse: {maxPerDestination: 90, destination: '127.0.0.1:5000', timeWait: 0}}));
  t.is(full.EADDRNOTAVAIL!.limit, 'ip_local_port_range');
  // the range full of ports TIME-WAIT sockets hold: churn, not connections
  const churn = limitsHit({EADDRNOTAVAIL: 1}, snap({ephemeralUse: {maxPerDestination: 90, destination: '127.0.0.1:5000', timeWait: 90}}));
  t.deepEqual(churn.EADDRNOTAVAIL, {limit: 'port range x TIME_WAIT (60 s)', evidence: '90 of 90 ephemeral ports in use toward 127.0.0.1:5000 at the end, 90 of them held by TIME-WAIT sockets alone'});
  t.deepEqual(limitsHit({EMFILE: 1}, snap({})), {EMFILE: {limit: 'RLIMIT_NOFILE', evidence: null}});
  // no evidence: said so, not guessed
  t.deepEqual(limitsHit({EADDRNOTAVAIL: 1}, snap({ephemeralUse: null})).EADDRNOTAVAIL, {limit: null, evidence: 'unavailable: the namespace\'s sockets could not be read (ss)'});
});
