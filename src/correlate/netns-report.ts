// Pure report of the traced namespace between two snapshots: its limits, the TCP counters that moved (listen
// queue overflows, SYN retransmissions, segments), its sockets and their buffer memory.
import type {NetnsSnapshot} from '../system/netns-state.js';
import type {Limits} from '../system/limits.js';
import {attributeAddrNotAvail, limitOfErrno} from './errno.js';

// The counters reported as deltas over the trace (TcpExt.* from /proc/net/netstat, Tcp.* from /proc/net/snmp).
export const NETNS_COUNTERS = [
  'TcpExt.ListenOverflows', 'TcpExt.ListenDrops', 'TcpExt.TCPSynRetrans', 'TcpExt.TCPTimeouts', 'TcpExt.TW', 'TcpExt.TWRecycled',
  'Tcp.ActiveOpens', 'Tcp.PassiveOpens', 'Tcp.AttemptFails', 'Tcp.EstabResets', 'Tcp.InSegs', 'Tcp.OutSegs', 'Tcp.RetransSegs',
] as const;

// Buffer memory: the namespace's own sockets (ss: unread and unsent bytes, kernel memory charged for them,
// per socket), and sockstat's TCP `mem` in pages and bytes, which counts every namespace's TCP sockets.
function bufferMemory(s: NetnsSnapshot, pageBytes: number) {
  const b = s.buffers;
  const chargedBytes = b ? b.rmemBytes + b.wmemQueuedBytes + b.forwardAllocBytes : null;
  return {
    sockets: b?.sockets ?? null,
    unreadBytes: b?.unreadBytes ?? null,
    unsentBytes: b?.unsentBytes ?? null,
    // receive queues + send queues + memory reserved ahead (skmem r + w + f)
    chargedBytes,
    chargedBytesPerSocket: b && chargedBytes !== null && b.sockets > 0 ? Math.round(chargedBytes / b.sockets) : null,
    hostSockstatMem: s.sockstat ? {pages: s.sockstat.memPages, bytes: s.sockstat.memPages * pageBytes} : null,
  };
}

// The namespace part of trace's summary: limits as the traced namespace has them, counters' growth, sockets
// and buffer memory at the start and at the end.
export function netnsReport(before: NetnsSnapshot, after: NetnsSnapshot, pageBytes: number) {
  const counters = Object.fromEntries(
    NETNS_COUNTERS.map((name) => [name, name in after.counters && name in before.counters ? after.counters[name]! - before.counters[name]! : null]),
  );
  return {
    limits: {ephemeralPorts: after.ephemeralPorts, tcpEhash: after.ehash},
    counters,
    // sockstat's TCP line (inuse, tw: this namespace; orphan, mem: every namespace)
    tcpSockets: {start: before.sockstat, end: after.sockstat},
    bufferMemory: {start: bufferMemory(before, pageBytes), end: bufferMemory(after, pageBytes)},
  };
}

// The host's limits with the traced namespace's own port range (minus reserved ports) and hash table, for the
// dashboard's ports panel, hash load and ceiling.
export function limitsOfNetns(host: Limits, ns: NetnsSnapshot): Limits {
  return {
    ...host,
    ipLocalPortRange: ns.ephemeralPorts ? {low: ns.ephemeralPorts.low, high: ns.ephemeralPorts.high, size: ns.ephemeralPorts.size} : host.ipLocalPortRange,
    tcpEhashEntries: ns.ehash?.entries ?? host.tcpEhashEntries,
  };
}

// The limit each error points at, with the evidence: EADDRNOTAVAIL by the namespace's ephemeral ports in use at
// the end (the range, or a 4-tuple already in use); the others by their errno alone.
export function limitsHit(errors: Record<string, number>, after: NetnsSnapshot): Record<string, {limit: string | null; evidence: string | null}> {
  const out: Record<string, {limit: string | null; evidence: string | null}> = {};
  for (const e of Object.keys(errors)) {
    if (e === 'EADDRNOTAVAIL') {
      out[e] = attributeAddrNotAvail(after.ephemeralUse, after.ephemeralPorts?.size ?? null) ?? {limit: null, evidence: "unavailable: the namespace's sockets could not be read (ss)"};
    } else if (limitOfErrno(e)) out[e] = {limit: limitOfErrno(e), evidence: null};
  }
  return out;
}
