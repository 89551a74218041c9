// The measurements and the probe programs that can serve each, best first.
import {fileURLToPath} from 'node:url';
import {join} from 'node:path';

// A kind of kernel hook; the order of preference is kfunc, kprobe, tracepoint.
export type ProbeKind = 'kfunc' | 'kprobe' | 'tracepoint';
// What a variant needs from the host beyond its kind.
export type Need = 'kmemName' | 'btf';
// The measurements the dashboard and summary show.
export type Measurement = 'connections' | 'portAllocation' | 'socketCreation' | 'receiveLookup' | 'slab';

// One probe program serving one measurement with one kind of hook.
export type Variant = {measurement: Measurement; kind: ProbeKind; file: string; needs: Need[]; hooks: string};

// Where probes/*.bt live (the package's own folder, wherever it is installed).
export const PROBES_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'probes');

// Every measurement, in display order.
export const MEASUREMENTS: Measurement[] = ['connections', 'portAllocation', 'socketCreation', 'receiveLookup', 'slab'];

// Variants known to this build, best first within each measurement.
export const VARIANTS: Variant[] = [
  {measurement: 'connections', kind: 'tracepoint', file: 'tcpstates-tp.bt', needs: ['btf'], hooks: 'sock:inet_sock_set_state'},
  {measurement: 'portAllocation', kind: 'tracepoint', file: 'portalloc-tp.bt', needs: ['btf'], hooks: 'sock:inet_sock_set_state, syscalls:sys_*_connect'},
  {measurement: 'socketCreation', kind: 'tracepoint', file: 'sockalloc-tp.bt', needs: ['btf'], hooks: 'syscalls:sys_*_socket, syscalls:sys_*_accept4'},
  {measurement: 'receiveLookup', kind: 'tracepoint', file: 'rxlookup-tp.bt', needs: ['btf'], hooks: 'net:netif_receive_skb'},
  {measurement: 'slab', kind: 'tracepoint', file: 'slab-tp.bt', needs: ['btf', 'kmemName'], hooks: 'kmem:kmem_cache_alloc, kmem:kmem_cache_free'},
];

// The absolute path of a variant's program.
export function variantPath(v: Variant): string {
  return join(PROBES_DIR, v.file);
}
