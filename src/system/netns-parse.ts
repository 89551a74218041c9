// Pure parsers for what a network namespace says about itself: its ephemeral port range minus reserved ports,
// its TCP hash table, /proc/net/sockstat and the counters of /proc/net/netstat and /proc/net/snmp.
import {parsePortRange} from './proc-parse.js';

// "8080,9000-9100" (ip_local_reserved_ports) -> [low, high] ranges; [] when empty.
export function parseReservedPorts(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const part of text.trim().split(',')) {
    const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
    if (m) out.push([Number(m[1]), Number(m[2] ?? m[1])]);
  }
  return out;
}

// The ephemeral ports connect() and bind(ip, 0) may choose: ip_local_port_range minus the reserved ports in it.
export type EphemeralPorts = {low: number; high: number; reserved: number; size: number};

// Ephemeral ports from the two sysctl texts; null when the range is malformed.
export function ephemeralPorts(rangeText: string, reservedText: string): EphemeralPorts | null {
  const range = parsePortRange(rangeText);
  if (!range) return null;
  const reservedInRange = new Set<number>();
  for (const [lo, hi] of parseReservedPorts(reservedText)) {
    for (let p = Math.max(lo, range.low); p <= Math.min(hi, range.high); p++) reservedInRange.add(p);
  }
  return {low: range.low, high: range.high, reserved: reservedInRange.size, size: range.size - reservedInRange.size};
}

// The TCP established hash of a namespace: tcp_ehash_entries is negative when the namespace shares the
// host's table (its tcp_child_ehash_entries was 0 when it was created).
export type EhashTable = {entries: number; sharedWithHost: boolean; childEntries: number | null};

// The hash table from the two sysctl texts; null when tcp_ehash_entries is unreadable.
export function ehashTable(entriesText: string, childText: string): EhashTable | null {
  const entries = Number.parseInt(entriesText.trim(), 10);
  if (!Number.isFinite(entries)) return null;
  const child = Number.parseInt(childText.trim(), 10);
  return {entries: Math.abs(entries), sharedWithHost: entries < 0, childEntries: Number.isFinite(child) ? child : null};
}

// /proc/net/sockstat's TCP line: sockets in use, orphans, TIME_WAIT, allocated, and buffer memory in pages.
export type TcpSockstat = {inuse: number; orphan: number; tw: number; alloc: number; memPages: number};

// The TCP line of /proc/net/sockstat; null when absent.
export function parseTcpSockstat(text: string): TcpSockstat | null {
  const line = text.split('\n').find((l) => l.startsWith('TCP:'));
  if (!line) return null;
  const field = (name: string) => Number(new RegExp(`\\b${name} (\\d+)`).exec(line)?.[1] ?? Number.NaN);
  const out = {inuse: field('inuse'), orphan: field('orphan'), tw: field('tw'), alloc: field('alloc'), memPages: field('mem')};
  return Object.values(out).every(Number.isFinite) ? out : null;
}

// The TCP6 line of /proc/net/sockstat6 (`inuse`: the namespace's IPv6 TCP sockets, which sockstat's TCP line leaves
// out; TIME_WAIT ones of both families are in its `tw`); null when absent.
export function parseTcp6Inuse(text: string): number | null {
  const m = /^TCP6:.*\binuse (\d+)/m.exec(text);
  return m ? Number(m[1]) : null;
}

// /proc/net/netstat or /proc/net/snmp (pairs of "Prefix: names" / "Prefix: values" lines) -> {"TcpExt.ListenOverflows": n, "Tcp.InSegs": n}.
export function parseSnmpPairs(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const lines = text.split('\n').filter((l) => l.includes(':'));
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [prefix, names] = lines[i]!.split(':') as [string, string];
    const [prefix2, values] = lines[i + 1]!.split(':') as [string, string];
    if (prefix !== prefix2) {
      i -= 1; // out of step: realign on the next line
      continue;
    }
    const n = names.trim().split(/\s+/);
    const v = values.trim().split(/\s+/);
    n.forEach((name, j) => (out[`${prefix}.${name}`] = Number(v[j])));
  }
  return out;
}

// Buffer memory of a namespace's TCP sockets from `ss -tanmH` (exact, per socket, unlike sockstat's `mem`, which
// counts every namespace): data queued unread (Recv-Q) and unsent (Send-Q), and the kernel memory charged for
// them (skmem r: receive queue, w: send queue, f: reserved ahead), summed over every socket but the listeners.
export type SocketBuffers = {sockets: number; unreadBytes: number; unsentBytes: number; rmemBytes: number; wmemQueuedBytes: number; forwardAllocBytes: number};

// Sum `ss -tanmH` output (a state line, then its skmem line).
export function parseSsMemory(text: string): SocketBuffers {
  const out: SocketBuffers = {sockets: 0, unreadBytes: 0, unsentBytes: 0, rmemBytes: 0, wmemQueuedBytes: 0, forwardAllocBytes: 0};
  let listening = false;
  for (const line of text.split('\n')) {
    const state = /^(\S+)\s+(\d+)\s+(\d+)\s/.exec(line);
    if (state) {
      listening = state[1] === 'LISTEN';
      if (listening) continue;
      out.sockets += 1;
      out.unreadBytes += Number(state[2]);
      out.unsentBytes += Number(state[3]);
    }
    const m = /skmem:\(([^)]*)\)/.exec(line);
    if (m && !listening) {
      const f = Object.fromEntries(m[1]!.split(',').map((kv) => [kv.replace(/\d+$/, ''), Number(/\d+$/.exec(kv)?.[0] ?? 0)]));
      out.rmemBytes += f.r ?? 0;
      out.wmemQueuedBytes += f.w ?? 0;
      out.forwardAllocBytes += f.f ?? 0;
    }
  }
  return out;
}

// Local ports of the ephemeral range in use toward the busiest destination (remote address:port), from
// `ss -tanH` lines (listeners left out; TIME_WAIT holds its port too).
// timeWait: how many of the busiest destination's local (address, port) only a TIME-WAIT socket holds.
export type EphemeralUse = {maxPerDestination: number; destination: string | null; timeWait: number};

// The busiest destination's count of distinct local (address, port) in [low, high], and how many of them are held
// by TIME-WAIT sockets alone (ss -tan's state column).
export function ephemeralUse(ssText: string, range: {low: number; high: number}): EphemeralUse {
  const byDest = new Map<string, Map<string, boolean>>();
  for (const line of ssText.split('\n')) {
    const m = /^(\S+)\s+\d+\s+\d+\s+(\S+):(\d+)\s+(\S+:\d+)\s*$/.exec(line.trim());
    if (!m || m[1] === 'LISTEN') continue;
    const port = Number(m[3]);
    if (port < range.low || port > range.high) continue;
    const locals = byDest.get(m[4]!) ?? new Map<string, boolean>();
    const local = `${m[2]}:${port}`;
    // TIME-WAIT alone: no other socket on that local endpoint toward this destination
    locals.set(local, (locals.get(local) ?? true) && m[1] === 'TIME-WAIT');
    byDest.set(m[4]!, locals);
  }
  let best: EphemeralUse = {maxPerDestination: 0, destination: null, timeWait: 0};
  for (const [dest, locals] of byDest) {
    if (locals.size > best.maxPerDestination) best = {maxPerDestination: locals.size, destination: dest, timeWait: [...locals.values()].filter(Boolean).length};
  }
  return best;
}

// Bytes queued on a namespace's TCP sockets but listeners, from /proc/net/tcp and tcp6 (no socket made to read
// them, unlike ss): rx_queue (received, not read yet) and tx_queue (written, not acknowledged yet), per socket.
export type QueuedBytes = {sockets: number; unreadBytes: number; unsentBytes: number};

// Sum /proc/net/tcp{,6} lines ("sl local rem st tx_queue:rx_queue ..."; st 0A is LISTEN, whose rx_queue counts
// queued connections, not bytes: left out). Source: net/ipv4/tcp_ipv4.c, get_tcp4_sock().
export function parseProcNetTcp(text: string): QueuedBytes {
  const out: QueuedBytes = {sockets: 0, unreadBytes: 0, unsentBytes: 0};
  for (const line of text.split('\n')) {
    const m = /^\s*\d+:\s+\S+\s+\S+\s+([0-9A-F]{2})\s+([0-9A-F]+):([0-9A-F]+)\s/i.exec(line);
    if (!m || m[1]!.toUpperCase() === '0A') continue;
    out.sockets += 1;
    out.unsentBytes += parseInt(m[2]!, 16);
    out.unreadBytes += parseInt(m[3]!, 16);
  }
  return out;
}
