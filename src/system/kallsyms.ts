// Kernel symbol lookup for call-site addresses: /proc/kallsyms read once, searched by address.
import {readFile} from 'node:fs/promises';

// Sorted text symbols: addresses and names side by side. Kernel addresses start with 16 one bits (x86_64,
// arm64), so the low 48 bits, exact in a double, order and find them.
export type SymbolTable = {addrs: Float64Array; names: string[]};

const KERNEL_HALF = 0xffffn;
const LOW_48 = 0xffffffffffffn;

// Parse /proc/kallsyms text (text symbols only: t/T), sorted by address. ~120 000 lines: read by index,
// not split into arrays, and no BigInt per line (that took 0.3 s a parse).
export function parseKallsyms(text: string): SymbolTable {
  const addrs: number[] = [];
  const names: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    // "ffffffff81a00000 t sk_prot_alloc" or "ffffffffc0000000 t mod_fn\t[mod]"
    const type = text.charCodeAt(at + 17);
    if (end - at > 19 && text.charCodeAt(at + 16) === 32 && (type === 116 || type === 84) && text.startsWith('ffff', at)) {
      const a = parseInt(text.slice(at + 4, at + 16), 16);
      if (a > 0) {
        const name = text.slice(at + 19, end);
        const tab = name.indexOf('\t');
        addrs.push(a);
        names.push(tab >= 0 ? name.slice(0, tab) : name);
      }
    }
    at = end + 1;
  }
  const order = addrs.map((_, i) => i).sort((x, y) => addrs[x]! - addrs[y]!);
  return {addrs: Float64Array.from(order, (i) => addrs[i]!), names: order.map((i) => names[i]!)};
}

// bpftrace prints kernel addresses as signed 64-bit numbers: back to the unsigned address.
export function toAddress(printed: string | number): bigint {
  return BigInt.asUintN(64, BigInt(printed));
}

// The symbol containing addr ("inet_bind2_bucket_create"), or the address in hex.
export function resolveSymbol(table: SymbolTable, addr: bigint): string {
  if (addr >> 48n !== KERNEL_HALF) return `0x${addr.toString(16)}`;
  const a = Number(addr & LOW_48);
  let lo = 0;
  let hi = table.addrs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (table.addrs[mid]! <= a) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 ? table.names[found]! : `0x${addr.toString(16)}`;
}

let loaded: Promise<SymbolTable> | null = null;

// Read /proc/kallsyms (root sees real addresses) once a process; an empty table when unreadable.
export function loadKallsyms(): Promise<SymbolTable> {
  loaded ??= readFile('/proc/kallsyms', 'utf8').then(parseKallsyms, () => parseKallsyms(''));
  return loaded;
}

// For each cache, the call site that allocated most of its bytes (the site map's keys are "cache,address").
export function topSiteByCache(sites: Record<string, number>, table: SymbolTable): Record<string, string> {
  const best: Record<string, {site: string; bytes: number}> = {};
  const bySymbol: Record<string, number> = {};
  for (const [key, bytes] of Object.entries(sites)) {
    const comma = key.lastIndexOf(',');
    const cache = key.slice(0, comma);
    // aggregate by symbol after resolving: two addresses in one function are one site
    const site = resolveSymbol(table, toAddress(key.slice(comma + 1)));
    const id = `${cache}\u0000${site}`;
    bySymbol[id] = (bySymbol[id] ?? 0) + bytes;
  }
  for (const [id, bytes] of Object.entries(bySymbol)) {
    const [cache, site] = id.split('\u0000') as [string, string];
    if (!best[cache] || best[cache].bytes < bytes) best[cache] = {site, bytes};
  }
  return Object.fromEntries(Object.entries(best).map(([c, b]) => [c, b.site]));
}
