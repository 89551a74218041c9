// Snapshots of kernel memory that cost nothing to take: /proc/slabinfo and /proc/meminfo.
import {readFile} from 'node:fs/promises';
import {parseMeminfo, parseSlabinfo, type SlabCache} from './proc-parse.js';

// Slab caches and meminfo at one moment.
export type MemorySnapshot = {atMs: number; caches: Record<string, SlabCache>; meminfo: Record<string, number>};

// Take a snapshot now.
export async function memorySnapshot(): Promise<MemorySnapshot> {
  const [slab, mem] = await Promise.all([readFile('/proc/slabinfo', 'utf8').catch(() => ''), readFile('/proc/meminfo', 'utf8')]);
  return {atMs: Date.now(), caches: parseSlabinfo(slab), meminfo: parseMeminfo(mem)};
}
