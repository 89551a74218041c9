// Pure report of the traced namespace between two snapshots: its limits, the TCP counters that moved (listen
// queue overflows, SYN retransmissions, segments), its sockets and their buffer memory.
import type {NetnsSnapshot} from '../system/netns-state.js';
import type {Limits} from '../system/limits.js';

// The counters reported as deltas over the trace (TcpExt.* from /proc/net/netstat, Tcp.* from /proc/net/snmp).
export const NETNS_COUNTERS = [
  'TcpExt.ListenOverflows', 'TcpExt.ListenDrops', 'TcpExt.TCPSynRetrans', 'TcpExt.TCPTimeouts', 'TcpExt.TW',
  'Tcp.ActiveOpens', 'Tcp.PassiveOpens', 'Tcp.AttemptFails', 'Tcp.EstabResets', 'Tcp.InSegs', 'Tcp.OutSegs', 'Tcp.RetransSegs',
] as const;

// Buffer memory of the namespace's TCP sockets (sockstat `mem`, in pages): queued data, not slab.
function bufferMemory(s: NetnsSnapshot['sockstat'], pageBytes: number) {
  if (!s) return null;
  const bytes = s.memPages * pageBytes;
  return {pages: s.memPages, bytes, bytesPerSocket: s.inuse > 0 ? Math.round(bytes / s.inuse) : null};
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
    tcpSockets: {start: before.sockstat, end: after.sockstat},
    bufferMemory: {start: bufferMemory(before.sockstat, pageBytes), end: bufferMemory(after.sockstat, pageBytes)},
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
