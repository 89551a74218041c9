// Pure reading of the probes' @tuples keys: each connection's 4-tuple, and the distinct local (address, port)
// per destination.

// One connection as the kernel gave it its local port.
export type FourTuple = {local: string; remote: string};

// A 32-bit address word in network order, as bpftrace prints it (a little-endian integer), in text: IPv4 dotted;
// IPv6 only its last 32 bits are kept, written "*:hhhh:hhhh" (::1 is "*:0:1").
export function addressWord(family: number, word: number): string {
  const b = [word & 255, (word >>> 8) & 255, (word >>> 16) & 255, (word >>> 24) & 255];
  if (family === 2) return b.join('.');
  return `*:${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
}

const endpoint = (family: number, word: number, port: number) => (family === 2 ? `${addressWord(family, word)}:${port}` : `[${addressWord(family, word)}]:${port}`);

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// "family,daddr,dport,saddr,sport" keys -> 4-tuples, sorted.
export function fourTuples(keys: string[]): FourTuple[] {
  return keys
    .map((k) => k.split(',').map(Number))
    .filter((f) => f.length === 5 && f.every(Number.isFinite))
    .map(([family, daddr, dport, saddr, sport]) => ({local: endpoint(family!, saddr!, sport!), remote: endpoint(family!, daddr!, dport!)}))
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
