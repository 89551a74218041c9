// Slab memory held by the namespace's processes per cache (allocated minus freed), and who allocated it.
import {counter, type KernelState} from '../bpftrace/kernel-state.js';
import {defineMeasurement} from './types.js';

// What the slab measurement gives (every variant alike; allocSites only from the tracepoint variant).
export type SlabReading = {
  // bytes allocated by cache (slab-tp.bt: the sum over each cache's call sites)
  allocBytesByCache: Record<string, number>;
  freedBytesByCache: Record<string, number>;
  // allocated minus freed, by cache
  heldBytesByCache: Record<string, number>;
  // bytes allocated by "cache,call site address" (tracepoint variant; {} otherwise)
  allocBytesBySite: Record<string, number>;
};

const LIVE = [{map: '@alloc_bytes', perConnection: 1}] as const;

// Kernel facts: kmem:kmem_cache_alloc carries the cache name from 6.18 (mm/slub.c, trace_kmem_cache_alloc());
// before, the allocator functions are hooked (kmem_cache_alloc*_noprof from 6.10's alloc tagging).
export const slab = defineMeasurement<'slab', SlabReading>({
  name: 'slab',
  title: 'slab memory held per connection, by cache',
  group: 'slab',
  keysPerConnection: 30,
  maps: [
    {name: '@alloc_sites', aggregation: 'sum', keys: ['cache', 'call site'], unit: 'bytes', print: 'tick', kinds: ['tracepoint'], about: 'bytes allocated by cache and call site'},
    {name: '@alloc_bytes', aggregation: 'sum', keys: ['cache'], unit: 'bytes', print: 'tick', kinds: ['kfunc'], about: 'bytes allocated by cache'},
    {name: '@freed_bytes', aggregation: 'sum', keys: ['cache'], unit: 'bytes', print: 'tick', about: 'bytes of tracked objects freed, by cache'},
    {name: '@live', aggregation: 'scratch', keys: ['object address'], unit: '(bytes, cache)', print: 'never', about: 'objects allocated and not yet freed'},
    {name: '@sock_pending', aggregation: 'scratch', keys: ['object address'], unit: '(bytes, cache[, call site])', print: 'never', about: "TCP sockets allocated in another task's context (a timer's softirq), counted once their first state change shows the namespace"},
  ],
  variants: [
    {kind: 'tracepoint', files: ['slab-tp.bt'], needs: ['btf', 'kmemName'], hooks: 'kmem:kmem_cache_alloc, kmem:kmem_cache_free, sock:inet_sock_set_state'},
    {kind: 'kfunc', files: ['slab-kfunc-noprof.bt', 'slab-sockets-kfunc.bt'], needs: ['btf', 'fn:kmem_cache_alloc_noprof', 'fn:kmem_cache_alloc_lru_noprof'], hooks: 'kretfunc:kmem_cache_alloc*_noprof, kfunc:kmem_cache_free, sock:inet_sock_set_state', live: [...LIVE]},
    {kind: 'kfunc', files: ['slab-kfunc.bt', 'slab-sockets-kfunc.bt'], needs: ['btf', 'fn:kmem_cache_alloc', 'fn:kmem_cache_alloc_lru'], hooks: 'kretfunc:kmem_cache_alloc{,_lru,_node}, kfunc:kmem_cache_free, sock:inet_sock_set_state', live: [...LIVE]},
  ],
  feeds: ['slab.bytesPerConnection.tracepoint', 'slab.byCache', 'slab.heldBytesByCache', 'slab.connections'],
  read: (k: KernelState) => {
    const sites = counter(k, '@alloc_sites');
    let alloc: Record<string, number>;
    if (k.counters['@alloc_bytes']) alloc = {...counter(k, '@alloc_bytes')};
    else {
      alloc = {};
      for (const [key, bytes] of Object.entries(sites)) {
        const cache = key.slice(0, key.lastIndexOf(','));
        alloc[cache] = (alloc[cache] ?? 0) + bytes;
      }
    }
    const freed = counter(k, '@freed_bytes');
    const held: Record<string, number> = {...alloc};
    for (const [cache, bytes] of Object.entries(freed)) held[cache] = (held[cache] ?? 0) - bytes;
    return {allocBytesByCache: alloc, freedBytesByCache: freed, heldBytesByCache: held, allocBytesBySite: sites};
  },
});
