// Compact sets of TCP 4-tuples: one bitmap of local ports (8 KiB) per (local address, remote address, remote
// port), so that a million connections cost a few bitmaps, not a million keys; and their join.
import {addressText, canonicalIpv6, tupleKey} from './four-tuples.js';

const PORT_BYTES = 65_536 / 8;
// set bits of every byte value
const BITS = Uint8Array.from({length: 256}, (_, b) => {
  let n = 0;
  for (let x = b; x; x >>= 1) n += x & 1;
  return n;
});

// The join key of an address, as addressText writes the probes' @tuples addresses: IPv4 dotted as given; IPv6
// canonical ("::1", "::ffff:7f00:1" for ::ffff:127.0.0.1).
export function addressKey(address: string): string {
  if (!address.includes(':')) return address;
  return canonicalIpv6(address) ?? address;
}

// The local ports of one (local address, remote address, remote port): a bitmap and its count.
export class PortBits {
  readonly bytes = new Uint8Array(PORT_BYTES);
  count = 0;

  constructor(
    readonly localAddress: string,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {}

  // Add a local port; false when it was there already.
  add(port: number): boolean {
    const bit = 1 << (port & 7);
    const i = port >>> 3;
    if (this.bytes[i]! & bit) return false;
    this.bytes[i]! |= bit;
    this.count++;
    return true;
  }

  // Whether the local port is there.
  has(port: number): boolean {
    return (this.bytes[port >>> 3]! & (1 << (port & 7))) !== 0;
  }

  // Local ports here and in other.
  common(other: PortBits): number {
    let n = 0;
    for (let i = 0; i < PORT_BYTES; i++) n += BITS[this.bytes[i]! & other.bytes[i]!]!;
    return n;
  }

  // Even local ports here (bits 0, 2, 4, 6 of each byte).
  even(): number {
    let n = 0;
    for (let i = 0; i < PORT_BYTES; i++) n += BITS[this.bytes[i]! & 0x55]!;
    return n;
  }
}

// A set of 4-tuples (local address, local port, remote address, remote port); addresses by addressKey.
export class TupleSet {
  private readonly groups = new Map<string, PortBits>();

  // The local ports toward one remote address and port from one local address (made empty when new).
  portsOf(localAddress: string, remoteAddress: string, remotePort: number): PortBits {
    const local = addressKey(localAddress);
    const remote = addressKey(remoteAddress);
    const key = `${local}|${remote}|${remotePort}`;
    let bits = this.groups.get(key);
    if (!bits) {
      bits = new PortBits(local, remote, remotePort);
      this.groups.set(key, bits);
    }
    return bits;
  }

  // Add one 4-tuple; false when it was there already.
  add(localAddress: string, localPort: number, remoteAddress: string, remotePort: number): boolean {
    return this.portsOf(localAddress, remoteAddress, remotePort).add(localPort);
  }

  // The same group in this set, or undefined.
  find(bits: PortBits): PortBits | undefined {
    return this.groups.get(`${bits.localAddress}|${bits.remoteAddress}|${bits.remotePort}`);
  }

  // Every (local address, remote address, remote port) with its local ports.
  entries(): Iterable<PortBits> {
    return this.groups.values();
  }

  // Distinct 4-tuples.
  get size(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.count;
    return n;
  }
}

// The 4-tuples of the probes' @tuples keys (tupleKey; addresses as addressText writes them).
export function kernelTuples(keys: Iterable<string>): TupleSet {
  const set = new TupleSet();
  for (const k of keys) {
    const t = tupleKey(k);
    if (t) set.add(addressText(t.family, ...t.saddr), t.sport, addressText(t.family, ...t.daddr), t.dport);
  }
  return set;
}

// How well the kernel's connections and the generator's agree, by 4-tuple; the kernel's local (address, port)
// per destination port, and its local ports by parity.
export type TupleJoin = {matched: number; onlyKernel: number; onlyGenerator: number; portsPerDestination: Record<string, number>; parity: {even: number; odd: number}};

// Join the kernel's 4-tuples with the generator's established connections.
export function joinTuples(kernel: TupleSet, generator: TupleSet): TupleJoin {
  let matched = 0;
  let total = 0;
  const portsPerDestination: Record<string, number> = {};
  const parity = {even: 0, odd: 0};
  for (const k of kernel.entries()) {
    const g = generator.find(k);
    if (g) matched += k.common(g);
    total += k.count;
    portsPerDestination[k.remotePort] = (portsPerDestination[k.remotePort] ?? 0) + k.count;
    const even = k.even();
    parity.even += even;
    parity.odd += k.count - even;
  }
  return {matched, onlyKernel: total - matched, onlyGenerator: generator.size - matched, portsPerDestination, parity};
}
