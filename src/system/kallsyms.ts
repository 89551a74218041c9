// Kernel symbol lookup for call-site addresses: /proc/kallsyms read once, searched by address.
import {readFile} from 'node:fs/promises';

// Sorted text symbols: addresses and names side by side.
export type SymbolTable = {addrs: bigint[]; names: string[]};

// Parse /proc/kallsyms text (text symbols only: t/T), sorted by address.
export function parseKallsyms(text: string): SymbolTable {
  const rows: Array<[bigint, string]> = [];
  for (const line of text.split('\n')) {
    const [addr, type, name] = line.split(' ');
    if (!addr || !name || (type !== 't' && type !== 'T')) continue;
    const a = BigInt(`0x${addr}`);
    if (a !== 0n) rows.push([a, name.split('\t')[0]!]);
  }
  rows.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return {addrs: rows.map((r) => r[0]), names: rows.map((r) => r[1])};
}

// bpftrace prints kernel addresses as signed 64-bit numbers: back to the unsigned address.
export function toAddress(printed: string | number): bigint {
  return BigInt.asUintN(64, BigInt(printed));
}

// The symbol containing addr ("inet_bind2_bucket_create"), or the address in hex.
export function resolveSymbol(table: SymbolTable, addr: bigint): string {
  let lo = 0;
  let hi = table.addrs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (table.addrs[mid]! <= addr) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 ? table.names[found]! : `0x${addr.toString(16)}`;
}

// Read /proc/kallsyms (root sees real addresses); an empty table when unreadable.
export async function loadKallsyms(): Promise<SymbolTable> {
  return parseKallsyms(await readFile('/proc/kallsyms', 'utf8').catch(() => ''));
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
