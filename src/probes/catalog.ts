// The measurements and the probe programs that can serve each, best first.
import {fileURLToPath} from 'node:url';
import {join} from 'node:path';

// A kind of kernel hook.
export type ProbeKind = 'kfunc' | 'kprobe' | 'tracepoint';
// What a variant needs from the host beyond its kind: BTF, the kmem tracepoints' name field, kernel functions.
export type Need = 'kmemName' | 'btf' | `fn:${string}`;
// The measurements the dashboard and summary show.
export type Measurement = 'connections' | 'portAllocation' | 'socketCreation' | 'receiveLookup' | 'slab';

// One probe program serving one measurement with one kind of hook.
export type Variant = {
  measurement: Measurement;
  kind: ProbeKind;
  file: string;
  needs: Need[];
  hooks: string;
  // liveness: maps that must reach perConnection x connections after a few trial connections
  // (a function can be inlined into its callers and stay silent); tracepoints always fire
  live?: Array<{map: string; perConnection: number}>;
  // keys its largest map holds per connection (a port pair, live slab objects); bpftrace 0.17 sizes
  // every map of a program alike (BPFTRACE_MAP_KEYS_MAX), so only these programs get large maps
  keysPerConnection?: number;
};

// Where probes/*.bt live (the package's own folder, wherever it is installed).
export const PROBES_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'probes');

// Every measurement, in display order.
export const MEASUREMENTS: Measurement[] = ['connections', 'portAllocation', 'socketCreation', 'receiveLookup', 'slab'];

// Variants known to this build, best first within each measurement (DESIGN §3).
export const VARIANTS: Variant[] = [
  {measurement: 'connections', kind: 'kfunc', file: 'tcpstates-kfunc.bt', needs: ['btf', 'fn:tcp_set_state'], hooks: 'kfunc:tcp_set_state', live: [{map: '@client_estab', perConnection: 1}, {map: '@server_estab', perConnection: 1}]},
  {measurement: 'connections', kind: 'kprobe', file: 'tcpstates-kprobe.bt', needs: ['btf', 'fn:tcp_set_state'], hooks: 'kprobe:tcp_set_state', live: [{map: '@client_estab', perConnection: 1}, {map: '@server_estab', perConnection: 1}]},
  {measurement: 'connections', kind: 'tracepoint', file: 'tcpstates-tp.bt', needs: ['btf'], hooks: 'sock:inet_sock_set_state'},

  {measurement: 'portAllocation', kind: 'kfunc', file: 'portalloc-kfunc.bt', keysPerConnection: 1, needs: ['btf', 'fn:inet_hash_connect', 'fn:__inet_check_established', 'fn:inet_csk_get_port'], hooks: 'kretfunc:inet_hash_connect, kfunc:__inet_check_established, kretfunc:inet_csk_get_port', live: [{map: '@port_new', perConnection: 1}]},
  {measurement: 'portAllocation', kind: 'kprobe', file: 'portalloc-kprobe.bt', keysPerConnection: 1, needs: ['btf', 'fn:inet_hash_connect', 'fn:__inet_check_established', 'fn:inet_csk_get_port'], hooks: 'kretprobe:inet_hash_connect, kprobe:__inet_check_established, kretprobe:inet_csk_get_port', live: [{map: '@port_new', perConnection: 1}]},
  {measurement: 'portAllocation', kind: 'tracepoint', file: 'portalloc-tp.bt', keysPerConnection: 1, needs: ['btf'], hooks: 'sock:inet_sock_set_state, syscalls:sys_*_connect'},

  {measurement: 'socketCreation', kind: 'kfunc', file: 'sockalloc-kfunc.bt', needs: ['btf', 'fn:sock_alloc', 'fn:sock_alloc_inode'], hooks: 'kretfunc:sock_alloc, kfunc:sock_alloc_inode, syscalls:sys_*_socket', live: [{map: '@sock_alloc', perConnection: 2}]},
  {measurement: 'socketCreation', kind: 'kprobe', file: 'sockalloc-kprobe.bt', needs: ['btf', 'fn:sock_alloc', 'fn:sock_alloc_inode'], hooks: 'kretprobe:sock_alloc, kprobe:sock_alloc_inode, syscalls:sys_*_socket', live: [{map: '@sock_alloc', perConnection: 2}]},
  {measurement: 'socketCreation', kind: 'tracepoint', file: 'sockalloc-tp.bt', needs: ['btf'], hooks: 'syscalls:sys_*_socket, syscalls:sys_*_accept4'},

  // no kfunc variant: __inet_lookup_established has 8 parameters (7 from ~6.18), and bpftrace's kfunc
  // takes functions of at most 6 (measured on 6.1: "functions with more than 6 parameters are not supported")
  {measurement: 'receiveLookup', kind: 'kprobe', file: 'rxlookup-kprobe.bt', needs: ['btf', 'fn:__inet_lookup_established', 'fn:tcp_v4_rcv'], hooks: 'kprobe:tcp_v4_rcv, kretprobe:__inet_lookup_established', live: [{map: '@tcp_v4_rcv', perConnection: 3}, {map: '@lookups', perConnection: 3}]},
  {measurement: 'receiveLookup', kind: 'tracepoint', file: 'rxlookup-tp.bt', needs: ['btf'], hooks: 'net:netif_receive_skb'},

  // slab: the tracepoint with the cache name (6.18+) is best; before that, the allocator functions
  {measurement: 'slab', kind: 'tracepoint', file: 'slab-tp.bt', keysPerConnection: 30, needs: ['btf', 'kmemName'], hooks: 'kmem:kmem_cache_alloc, kmem:kmem_cache_free'},
  {measurement: 'slab', kind: 'kfunc', file: 'slab-kfunc-noprof.bt', keysPerConnection: 30, needs: ['btf', 'fn:kmem_cache_alloc_noprof', 'fn:kmem_cache_alloc_lru_noprof'], hooks: 'kretfunc:kmem_cache_alloc*_noprof, kfunc:kmem_cache_free', live: [{map: '@alloc_bytes', perConnection: 1}]},
  {measurement: 'slab', kind: 'kfunc', file: 'slab-kfunc.bt', keysPerConnection: 30, needs: ['btf', 'fn:kmem_cache_alloc', 'fn:kmem_cache_alloc_lru'], hooks: 'kretfunc:kmem_cache_alloc{,_lru,_node}, kfunc:kmem_cache_free', live: [{map: '@alloc_bytes', perConnection: 1}]},
];

// The kernel functions any variant needs (looked up once per host).
export function neededFunctions(variants: Variant[] = VARIANTS): string[] {
  return [...new Set(variants.flatMap((v) => v.needs.filter((n) => n.startsWith('fn:')).map((n) => n.slice(3))))];
}

// The absolute path of a variant's program.
export function variantPath(v: Variant): string {
  return join(PROBES_DIR, v.file);
}
