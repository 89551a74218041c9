// Snapshots of kernel memory that cost next to nothing to take: /proc/slabinfo and /proc/meminfo.
import {readFile, readdir, writeFile} from 'node:fs/promises';
import {parseMeminfo, parseSlabinfo, type SlabCache} from './proc-parse.js';

// Slab caches and meminfo at one moment.
export type MemorySnapshot = {atMs: number; caches: Record<string, SlabCache>; meminfo: Record<string, number>};

// Ask SLUB to flush per-CPU slabs into its lists (writing 1 to /sys/kernel/slab/<cache>/shrink), so that
// /proc/slabinfo's active_objs counts the objects in use exactly; without it a per-CPU slab counts as full
// (seen here: TCP 104 "active" before, 1 after, with no TCP socket open). Nothing to undo: it frees empty slabs.
export async function shrinkSlabs(): Promise<void> {
  const entries = await readdir('/sys/kernel/slab', {withFileTypes: true}).catch(() => []);
  // one cache at a time: each shrink waits for work on every CPU, and many at once starved a 2-CPU guest
  for (const e of entries.filter((x) => x.isDirectory())) {
    // merged caches are symlinks to the cache they were merged into
    await writeFile(`/sys/kernel/slab/${e.name}/shrink`, '1').catch(() => undefined);
  }
}

// Take a snapshot now; exact flushes per-CPU slabs first so slab counts are exact.
export async function memorySnapshot(exact = false): Promise<MemorySnapshot> {
  if (exact) await shrinkSlabs();
  const [slab, mem] = await Promise.all([exact ? readFile('/proc/slabinfo', 'utf8').catch(() => '') : '', readFile('/proc/meminfo', 'utf8')]);
  return {atMs: Date.now(), caches: parseSlabinfo(slab), meminfo: parseMeminfo(mem)};
}
