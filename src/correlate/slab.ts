// Pure slab arithmetic: bytes held per connection by cache, from the tracepoint and from /proc/slabinfo.
import type {SlabCache} from '../system/proc-parse.js';

// One cache's share of a connection's cost.
export type CacheCost = {cache: string; heldBytes: number; bytesPerConnection: number; slabinfoDeltaBytes: number | null};

// Guarded division: null when the divisor is zero.
export function perConnection(bytes: number, connections: number): number | null {
  return connections > 0 ? Math.round(bytes / connections) : null;
}

// Caches that hold at least minBytesPerConnection per connection, costliest first.
export function costByCache(
  heldBytes: Record<string, number>,
  connections: number,
  before: Record<string, SlabCache>,
  after: Record<string, SlabCache>,
  minBytesPerConnection = 8,
): CacheCost[] {
  return Object.entries(heldBytes)
    .map(([cache, bytes]) => ({
      cache,
      heldBytes: bytes,
      bytesPerConnection: perConnection(bytes, connections) ?? 0,
      slabinfoDeltaBytes: before[cache] && after[cache] ? after[cache].activeBytes - before[cache].activeBytes : null,
    }))
    .filter((c) => connections > 0 && c.bytesPerConnection >= minBytesPerConnection)
    .sort((a, b) => b.heldBytes - a.heldBytes);
}

// Sum of slabinfo deltas over the caches the tracepoint saw holding memory.
export function slabinfoDeltaOver(costs: CacheCost[]): number {
  return costs.reduce((n, c) => n + (c.slabinfoDeltaBytes ?? 0), 0);
}

// Bytes gained per cache between two exact /proc/slabinfo snapshots (the fallback when no slab probe runs).
export function slabinfoDeltas(before: Record<string, SlabCache>, after: Record<string, SlabCache>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cache, a] of Object.entries(after)) {
    const delta = a.activeBytes - (before[cache]?.activeBytes ?? 0);
    if (delta > 0) out[cache] = delta;
  }
  return out;
}
