// Pure markdown of a recorded run, and of two runs side by side.
import type {RecordedRun} from './load.js';

const n = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : v === null || v === undefined ? '-' : String(v));
const us = (ns: number | null | undefined) => (ns === null || ns === undefined ? '-' : `${(ns / 1000).toFixed(1)} µs`);
const row = (cells: unknown[]) => `| ${cells.map(n).join(' | ')} |`;
const table = (head: string[], rows: unknown[][]) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

// The environment table from the manifest.
function environment(run: RecordedRun): string {
  const m = run.manifest;
  return table(['', ''], [
    ['kernel', m.kernel],
    ['distribution', m.distribution],
    ['bpftrace', m.bpftrace.version],
    ['machine', `${m.machine.cores} cores, ${Math.round(m.machine.memoryBytes / 2 ** 30)} GiB`],
    ['tcp-trace', m.tool.version],
    ['scenario', m.scenario],
    ['started', m.startedAt],
    ['ip_local_port_range (lab)', `${m.lab.portRange.low}-${m.lab.portRange.high}`],
    ['fs.file-max / fs.nr_open', `${n(m.limitsBefore.fileMax)} / ${n(m.limitsBefore.nrOpen)}`],
    ['RLIMIT_NOFILE (soft / hard)', `${n(m.limitsBefore.nofile.soft)} / ${n(m.limitsBefore.nofile.hard)}`],
  ]);
}

// The whole report of one run; charts are relative paths of its SVG files.
export function runReport(run: RecordedRun, charts: Array<{title: string; file: string}>): string {
  const s = run.summary;
  const claims = (s.claims ?? []) as Array<{claim: string; held: boolean; evidence: unknown}>;
  const plan = Object.entries(s.probePlan as Record<string, {kind: string | null; why: string}>);
  return [
    `# tcp-trace: ${s.scenario} (${run.name})`,
    '',
    '## Environment',
    '',
    environment(run),
    '',
    '## Claims',
    '',
    table(['claim', 'held', 'evidence'], claims.map((c) => [c.claim, c.held ? 'yes' : '**no**', `\`${JSON.stringify(c.evidence)}\``])),
    '',
    '## Connections',
    '',
    table(['', 'generator', 'kernel'], [
      ['established (client side)', s.connections.established, s.kernel.established.client],
      ['established (server side)', s.connections.accepted, s.kernel.established.server],
      ['failed', Object.entries(s.connections.failed).map(([e, c]) => `${e} ${c}`).join(', ') || 0, Object.entries(s.kernel.errors).map(([e, c]) => `${e} ${c}`).join(', ') || 0],
      ['socket() / connect() / accept()', '', `${n(s.kernel.syscalls.socket)} / ${n(s.kernel.syscalls.connect)} / ${n(s.kernel.syscalls.accept)}`],
    ]),
    '',
    `Rate: ${n(s.connections.perSecond)} connections/s. Duration: ${n(s.durationMs)} ms.`,
    '',
    '## Kernel memory per connection (both ends)',
    '',
    `Slab per connection: **${n(s.slab.bytesPerConnection.tracepoint ?? s.slab.bytesPerConnection.slabinfo)} B** (${s.slab.source}; /proc/slabinfo: ${n(s.slab.bytesPerConnection.slabinfo)} B).`,
    '',
    table(['cache', 'bytes per connection'], Object.entries(s.slab.byCache as Record<string, number>)),
    '',
    '## Port allocation',
    '',
    table(['server port', 'local ports used'], Object.entries(s.ports.perDestination as Record<string, number>)),
    '',
    `Range ${s.ports.range.low}-${s.ports.range.high} (${n(s.ports.range.size)} ports per destination). Parity of chosen ports: ${n(s.ports.parity.even)} even, ${n(s.ports.parity.odd)} odd. Kernel and generator agree on ${n(s.ports.correlation.matched)} (server port, local port) pairs.`,
    '',
    '## Latency',
    '',
    table(['call', 'count', 'p50', 'p99'], [
      ['socket()', s.kernel.latency.socket?.count, us(s.kernel.latency.socket?.p50Ns), us(s.kernel.latency.socket?.p99Ns)],
      ['connect()', s.kernel.latency.connect?.count, us(s.kernel.latency.connect?.p50Ns), us(s.kernel.latency.connect?.p99Ns)],
    ]),
    '',
    'Latencies are upper bounds of log2 buckets.',
    '',
    '## Probe plan',
    '',
    table(['measurement', 'kind', 'why'], plan.map(([m, p]) => [m, p.kind ?? 'none', p.why])),
    '',
    '## Charts',
    '',
    ...charts.map((c) => `![${c.title}](${c.file})`),
    '',
  ].join('\n');
}

// Two runs side by side (two kernels, or ramp and hello).
export function comparisonReport(a: RecordedRun, b: RecordedRun): string {
  const caches = [...new Set([...Object.keys(a.summary.slab.byCache), ...Object.keys(b.summary.slab.byCache)])];
  const bytes = (r: RecordedRun) => r.summary.slab.bytesPerConnection.tracepoint ?? r.summary.slab.bytesPerConnection.slabinfo;
  return [
    `# tcp-trace: ${a.name} vs ${b.name}`,
    '',
    table(['', a.name, b.name], [
      ['kernel', a.manifest.kernel, b.manifest.kernel],
      ['scenario', a.summary.scenario, b.summary.scenario],
      ['connections established', a.summary.connections.established, b.summary.connections.established],
      ['kernel established (client / server)', `${a.summary.kernel.established.client} / ${a.summary.kernel.established.server}`, `${b.summary.kernel.established.client} / ${b.summary.kernel.established.server}`],
      ['connections/s', a.summary.connections.perSecond, b.summary.connections.perSecond],
      ['slab bytes per connection', bytes(a), bytes(b)],
      ['socket() p50', us(a.summary.kernel.latency.socket?.p50Ns), us(b.summary.kernel.latency.socket?.p50Ns)],
      ['connect() p50', us(a.summary.kernel.latency.connect?.p50Ns), us(b.summary.kernel.latency.connect?.p50Ns)],
      ['claims held', (a.summary.claims ?? []).filter((c: any) => c.held).length, (b.summary.claims ?? []).filter((c: any) => c.held).length],
    ]),
    '',
    '## Slab bytes per connection, by cache',
    '',
    table(['cache', a.name, b.name], caches.map((c) => [c, a.summary.slab.byCache[c] ?? '-', b.summary.slab.byCache[c] ?? '-'])),
    '',
  ].join('\n');
}
