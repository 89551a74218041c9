// Pure text exposition of the current measurements: OpenMetrics 1.0, or Prometheus text 0.0.4.
import type {Bucket} from '../bpftrace/parse.js';
import type {KernelState} from '../bpftrace/kernel-state.js';
import {readAll} from '../measurements/index.js';
import {errnoName} from '../correlate/errno.js';

// What is exposed: the kernel's totals, and the generator's when there is one.
export type MetricsInput = {kernel: KernelState; generator?: {established: number; failed: Record<string, number>}};
// The two formats a scraper may ask for.
export type Format = 'openmetrics' | 'prometheus';

type Sample = {labels: Record<string, string>; value: number; suffix?: string};
type Family = {name: string; type: 'counter' | 'gauge' | 'histogram'; help: string; unit?: string; samples: Sample[]};

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (l: Record<string, string>) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

// A log2 histogram in ns as cumulative buckets in seconds (le = the bucket's upper bound; an open-ended bucket,
// max +Infinity, counts only in le="+Inf").
function histogramSamples(buckets: Bucket[]): Sample[] {
  let cumulative = 0;
  const out: Sample[] = [];
  const sorted = [...buckets].sort((x, y) => x.max - y.max);
  for (const b of sorted.filter((x) => Number.isFinite(x.max))) {
    cumulative += b.count;
    out.push({labels: {le: String((b.max + 1) / 1e9)}, value: cumulative, suffix: '_bucket'});
  }
  const total = buckets.reduce((n, b) => n + b.count, 0);
  out.push({labels: {le: '+Inf'}, value: total, suffix: '_bucket'});
  out.push({labels: {}, value: total, suffix: '_count'});
  // the sum is not kept by a log2 histogram: its bucket midpoints stand in for it (an open bucket's lower bound)
  const mid = (b: Bucket) => (Number.isFinite(b.max) ? (Math.max(0, b.min) + b.max) / 2 : b.min);
  out.push({labels: {}, value: buckets.reduce((s, b) => s + (b.count * mid(b)) / 1e9, 0), suffix: '_sum'});
  return out;
}

function families(input: MetricsInput): Family[] {
  const k = input.kernel;
  const r = readAll(k);
  const byPort = (counts: Record<string, number>, side: string): Sample[] => Object.entries(counts).map(([port, v]) => ({labels: {side, port}, value: v}));
  const errors: Sample[] = [
    ...Object.entries(r.portAllocation.connectErrors).map(([e, v]) => ({labels: {syscall: 'connect', errno: errnoName(Number(e))}, value: v})),
    ...r.socketCreation.errors.map((e) => ({labels: {syscall: e.syscall, errno: errnoName(e.errno)}, value: e.count})),
  ];
  const out: Family[] = [
    {name: 'tcptrace_established_connections', type: 'counter', help: 'TCP connections that reached ESTABLISHED, by side and server port', samples: [...byPort(r.connections.clientByServerPort, 'client'), ...byPort(r.connections.serverByServerPort, 'server')]},
    {name: 'tcptrace_syscalls', type: 'counter', help: 'Successful socket() and accept4() calls', samples: Object.entries(r.socketCreation.calls).map(([s, v]) => ({labels: {syscall: s}, value: v}))},
    {name: 'tcptrace_syscall_errors', type: 'counter', help: 'Failed socket/connect/accept calls by errno', samples: errors},
    {name: 'tcptrace_rx_tcp_segments', type: 'counter', help: 'TCP segments received (one established-hash lookup each)', samples: [{labels: {}, value: r.receiveLookup.tcpSegments}]},
    {name: 'tcptrace_time_wait_entered_sockets', type: 'counter', help: 'Sockets an active close handed to TIME_WAIT, by remote port', samples: Object.entries(r.timeWait.enteredByRemotePort).map(([port, v]) => ({labels: {port}, value: v}))},
    {name: 'tcptrace_slab_held_bytes', type: 'gauge', unit: 'bytes', help: 'Slab bytes held by the traced namespace, by cache', samples: Object.entries(r.slab.heldBytesByCache).map(([cache, v]) => ({labels: {cache}, value: v}))},
  ];
  for (const [buckets, name, help] of [
    [r.portAllocation.connectNs, 'tcptrace_connect_latency_seconds', 'connect() latency'],
    [r.socketCreation.socketNs, 'tcptrace_socket_latency_seconds', 'socket() latency'],
  ] as const) {
    if (buckets.length) out.push({name, type: 'histogram', unit: 'seconds', help, samples: histogramSamples(buckets)});
  }
  if (input.generator) {
    out.push({name: 'tcptrace_generator_connections', type: 'counter', help: 'Connections the load generator established', samples: [{labels: {}, value: input.generator.established}]});
  }
  return out;
}

// The exposition text in `format`.
export function renderMetrics(input: MetricsInput, format: Format): string {
  const lines: string[] = [];
  for (const f of families(input)) {
    // Prometheus 0.0.4 names a counter family with its _total suffix; OpenMetrics without it
    const family = f.type === 'counter' && format === 'prometheus' ? `${f.name}_total` : f.name;
    lines.push(`# TYPE ${family} ${f.type}`);
    if (f.unit && format === 'openmetrics') lines.push(`# UNIT ${family} ${f.unit}`);
    lines.push(`# HELP ${family} ${f.help}`);
    for (const s of f.samples) {
      const suffix = f.type === 'counter' ? '_total' : (s.suffix ?? '');
      lines.push(`${f.name}${suffix}${labelText(s.labels)} ${s.value}`);
    }
  }
  if (format === 'openmetrics') lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

// The content type of each format.
export const CONTENT_TYPE: Record<Format, string> = {
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
};
