// Pure reading of the probes' @tuples keys: each connection's 4-tuple, and the distinct local (address, port)
// per destination.

// One connection as the kernel gave it its local port.
export type FourTuple = {local: string; remote: string};

// An IPv6 address in its canonical text (RFC 5952, as the WHATWG URL parser writes a host: "::1",
// "::ffff:7f00:1"); null where it is not one.
export function canonicalIpv6(address: string): string | null {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

// A bpftrace key part as the 64-bit word it holds (bpftrace prints one with its top bit set as a negative number).
const word64 = (part: string) => BigInt.asUintN(64, BigInt(part));

// An address as the probes' @tuples keys carry it, two 64-bit words of its bytes in memory (network order) read
// little-endian, in text: IPv4 (AF_INET, 2) dotted, from the low word; IPv6 (AF_INET6, 10) canonical, all 16 bytes.
export function addressText(family: number, high: bigint, low: bigint): string {
  const bytes = (w: bigint) => Array.from({length: 8}, (_, i) => Number((w >> BigInt(8 * i)) & 255n));
  if (family === 2) return bytes(low).slice(0, 4).join('.');
  const b = [...bytes(high), ...bytes(low)];
  const groups = Array.from({length: 8}, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16));
  return canonicalIpv6(groups.join(':'))!;
}

const endpoint = (family: number, high: bigint, low: bigint, port: number) => (family === 2 ? `${addressText(family, high, low)}:${port}` : `[${addressText(family, high, low)}]:${port}`);

// One @tuples key, "family,daddr high,daddr low,dport,saddr high,saddr low,sport", as its parts; null where it is
// not one (the addresses as bigint words).
export function tupleKey(key: string): {family: number; daddr: [bigint, bigint]; dport: number; saddr: [bigint, bigint]; sport: number} | null {
  const f = key.split(',');
  if (f.length !== 7 || !f.every((x) => /^-?\d+$/.test(x))) return null;
  return {family: Number(f[0]), daddr: [word64(f[1]!), word64(f[2]!)], dport: Number(f[3]), saddr: [word64(f[4]!), word64(f[5]!)], sport: Number(f[6])};
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// @tuples keys (tupleKey) -> 4-tuples, sorted.
export function fourTuples(keys: string[]): FourTuple[] {
  return keys
    .map(tupleKey)
    .filter((t) => t !== null)
    .map((t) => ({local: endpoint(t!.family, ...t!.saddr, t!.sport), remote: endpoint(t!.family, ...t!.daddr, t!.dport)}))
    .sort((a, b) => cmp(a.remote, b.remote) || cmp(a.local, b.local));
}

// Distinct local (address, port) per destination (remote address and port).
export function localsPerDestination(tuples: FourTuple[]): Record<string, number> {
  const by = new Map<string, Set<string>>();
  for (const t of tuples) by.set(t.remote, (by.get(t.remote) ?? new Set()).add(t.local));
  return Object.fromEntries([...by].map(([remote, locals]) => [remote, locals.size]));
}

// Distinct local ports per local address ("127.0.0.2": 45), over every destination.
export function localPortsByAddress(tuples: FourTuple[]): Record<string, number> {
  const by = new Map<string, Set<string>>();
  for (const t of tuples) {
    const cut = t.local.lastIndexOf(':');
    const address = t.local.slice(0, cut).replace(/^\[(.*)\]$/, '$1');
    by.set(address, (by.get(address) ?? new Set()).add(t.local.slice(cut + 1)));
  }
  return Object.fromEntries([...by].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([address, ports]) => [address, ports.size]));
}
