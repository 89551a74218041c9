// Pure markdown of a recorded run, and of two runs compared: each finding as a sentence with its numbers, then tables.
import type {RecordedRun} from './load.js';
import {rampPoints, slabSlope} from './charts.js';
import {bucketText, bytesText, countText, nsText, percentText} from './units.js';

const cell = (v: unknown) => (typeof v === 'number' ? countText(v) : v === null || v === undefined ? '-' : String(v).replace(/\|/g, '\\|'));
const row = (cells: unknown[]) => `| ${cells.map(cell).join(' | ')} |`;
// a markdown table; `right` marks the columns of numbers (right-aligned)
const table = (head: string[], rows: unknown[][], right: number[] = []) =>
  [row(head), `| ${head.map((_, i) => (right.includes(i) ? '---:' : '---')).join(' | ')} |`, ...rows.map(row)].join('\n');

// "a, b and c"
const list = (items: string[]) => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
const plural = (n: number, one: string, many = `${one}s`) => `${countText(n)} ${n === 1 ? one : many}`;

// The bytes per connection the report quotes: the probe's where it ran, else /proc/slabinfo's.
const perConnection = (r: RecordedRun): number | null => r.summary.slab.bytesPerConnection.tracepoint ?? r.summary.slab.bytesPerConnection.slabinfo ?? null;
const byCache = (r: RecordedRun) => Object.entries((r.summary.slab.byCache ?? {}) as Record<string, number>).sort((a, b) => b[1] - a[1]);
const failures = (failed: Record<string, number>) => Object.entries(failed ?? {}).map(([e, c]) => `${countText(c)} with ${e}`);
// "1 failed with EADDRNOTAVAIL"
const failedText = (failed: Record<string, number>) => {
  const f = failures(failed);
  return f.length ? `${list(f.map((x, i) => (i === 0 ? x.replace(' with ', ' failed with ') : x)))}` : 'none failed';
};

// A claim's evidence in words: "generator 499, kernel client 499"; nested objects in parentheses. Keys in camelCase
// become words; numbers under a key naming bytes (or inside byCache) are bytes; ports are not grouped.
export function evidenceText(evidence: unknown, key = ''): string {
  if (evidence === null || evidence === undefined) return 'none';
  if (typeof evidence === 'number') {
    if (/bycache/i.test(key)) return bytesText(evidence);
    // a share (0..1) in percent, a time in ns (a log2 bucket's upper bound) in its unit
    if (/share$/i.test(key)) return shareText(evidence);
    if (/Ns(Before|Then)?$/.test(key)) return boundText(evidence);
    // port numbers and range bounds as written (60000), counts grouped (20 000)
    return /port|range/i.test(key) ? String(evidence) : countText(evidence);
  }
  if (typeof evidence !== 'object') return String(evidence);
  if (Array.isArray(evidence)) return evidence.length ? evidence.map((v) => evidenceText(v, key)).join(', ') : 'none';
  if (Object.keys(evidence).length === 0) return 'none';
  const fields = evidence as Record<string, unknown>;
  // a field with a sibling `<field>Why` is null because it was not measured (kernelReused without a function probe):
  // said so with the why, never as "none" (zero); the why goes with it
  const whyOf = (k: string) => (fields[`${k}Why`] === null || fields[`${k}Why`] === undefined ? null : String(fields[`${k}Why`]));
  return Object.entries(fields)
    .filter(([k]) => !(/Why$/.test(k) && k.slice(0, -3) in fields))
    .map(([k, v]) => {
      const words = /[a-z][A-Z]/.test(k) ? k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : k;
      const inner = /bycache|range/i.test(key) ? key : k;
      if (v === null && whyOf(k) !== null) return `${words} not measured (${whyOf(k)})`;
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? `${words} (${evidenceText(v, inner)})` : `${words} ${evidenceText(v, inner)}`;
    })
    .join(', ');
}

const isRows = (v: unknown): v is Array<Record<string, unknown>> => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
const keyWords = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
// a row's cell: a share in percent, a time (…Ns, a log2 bucket's upper bound) in its unit, the rest as counts
const rowCell = (k: string, v: unknown) =>
  typeof v === 'number' && /share/i.test(k) ? shareText(v) : typeof v === 'number' && /Ns$/.test(k) ? boundText(v) : typeof v === 'object' && v !== null ? evidenceText(v) : v;

// A claim's evidence split: its tables of rows (byDecile, byTenth: one row an object) as markdown tables, and the rest
// inline, with each table's place said in words.
export function splitRows(evidence: unknown): {inline: unknown; tables: string[]} {
  if (typeof evidence !== 'object' || evidence === null || Array.isArray(evidence)) return {inline: evidence, tables: []};
  const tables: string[] = [];
  const inline = Object.fromEntries(Object.entries(evidence as Record<string, unknown>).map(([k, v]) => {
    if (!isRows(v)) return [k, v];
    const head = Object.keys(v[0]!);
    const words = head.map((h) => keyWords(h).replace(/ ns$/, ''));
    tables.push(table(words, v.map((r) => head.map((h) => rowCell(h, r[h]))), head.map((_, i) => i).filter((i) => typeof v[0]![head[i]!] === 'number')));
    return [k, `(table ${tables.length} below)`];
  }));
  return {inline, tables};
}

// A share in percent with one decimal below 10% ("0.4%"), whole above ("75%").
const shareText = (share: number) => (share > 0 && share < 0.001 ? '<0.1%' : share > 0 && share < 0.1 ? `${(share * 100).toFixed(1)}%` : percentText(share));
// A latency from a log2 bucket's upper bound (max ns, 2^k - 1): "32 µs".
const boundText = (ns: number | null | undefined) => (ns === null || ns === undefined ? '-' : bucketText(ns + 1));

// The command line that made the run: recorded in the manifest, or (older runs) rebuilt from its parameters.
export function commandLine(r: RecordedRun): {text: string; recorded: boolean} {
  const recorded = r.manifest.commandLine as string[] | null | undefined;
  if (recorded && recorded.length > 0) return {text: recorded.map(shellWord).join(' '), recorded: true};
  const p = r.manifest.parameters ?? {};
  const flags = [
    p.connections !== undefined ? `--connections ${p.connections}` : '',
    Array.isArray(p.ports) ? `--ports ${p.ports.length} --base-port ${p.ports[0]}` : '',
    p.holdS !== undefined ? `--hold ${p.holdS}` : '',
    p.ratePerSec !== undefined ? `--rate ${p.ratePerSec}` : '',
    p.concurrency !== undefined ? `--concurrency ${p.concurrency}` : '',
    Array.isArray(p.measure) && p.measure.length < 5 ? `--measure ${p.measure.join(',') || 'none'}` : '',
    p.headless ? '--headless' : '',
    // where it writes, so that the report line below finds it
    typeof p.out === 'string' && p.out !== '' ? `--out ${shellWord(p.out)}` : '',
  ].filter(Boolean);
  return {text: ['tcp-trace run', r.manifest.scenario, ...flags].join(' '), recorded: false};
}

// A shell word for the directory a rerun of r's command writes: the newest `<time>-<scenario>` under the run's
// --out (from manifest.json's parameters), as `$(ls -d OUT/*-SCENARIO | tail -1)` (names start with the time, so
// they sort by it); the recorded name where the manifest has no --out.
export function rerunDir(r: RecordedRun): string {
  const out = r.manifest.parameters?.out;
  if (typeof out !== 'string' || out === '') return r.name;
  return `"$(ls -d ${shellWord(out.replace(/\/+$/, ''))}/*-${r.manifest.scenario} | tail -1)"`;
}

// One argument as sh reads it back: as it is when plain, else in single quotes.
function shellWord(a: string): string {
  return /^[\w./:,=@+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

// The findings of one run, one sentence each.
export function findings(r: RecordedRun): string[] {
  const s = r.summary;
  const est = s.connections.established as number;
  const out: string[] = [];
  out.push(
    `The generator established ${est <= s.connections.requested ? `${countText(est)} of ${plural(s.connections.requested, 'connection')} requested` : plural(est, 'connection')}` +
      `${s.connections.perSecond ? ` (${countText(s.connections.perSecond)} per second)` : ''}; ${failedText(s.connections.failed)}. ` +
      (s.kernel.established
        ? `The kernel saw ${countText(s.kernel.established.client)} established on the client side and ${countText(s.kernel.established.server)} on the server side.`
        : 'The kernel\'s counts of connections established are withheld (see Warnings).'),
  );
  const per = perConnection(r);
  if (per !== null) {
    const caches = byCache(r);
    const tcp = caches.find(([c]) => c === 'TCP' || c === 'TCPv6');
    const measured = (s.slab.sampledConnections as number | null | undefined) ?? null;
    const others = caches.filter(([c]) => c !== tcp?.[0]).slice(0, 4).map(([c, b]) => `${c} ${bytesText(b)}`);
    // every connection closed by the run (each handed to TIME_WAIT: time-wait's churn): none held its slab at the end;
    // what is left is the TIME_WAIT sockets and whatever else the lab's tasks kept
    const closed = est > 0 && (s.kernel.timeWait?.entered ?? 0) >= est;
    const held = closed
      ? `${countText(est)} connections were made and closed (each handed to TIME_WAIT); slab the lab's tasks still held at the end: ${bytesText(per * est)}, ${bytesText(per)} per connection made` +
        `${caches.length ? ` (${list(caches.slice(0, 5).map(([c, b]) => `${c} ${bytesText(b)}`))}); not a connection's cost` : ''}.`
      : `${countText(est)} connections held ${bytesText(per * est)} of slab: ${bytesText(per)} each` +
        `${tcp ? `, ${bytesText(tcp[1])} of it the TCP socket` : ''}${others.length ? ` (then ${list(others)})` : ''}.`;
    out.push(measured !== null ? `The slab probe measured the first ${countText(measured)} connections at ${bytesText(per)} each; at that cost, ${held}` : held);
    const slope = slabSlope(r);
    // a slope needs a few points along the ramp (a run of a few connections has one sample)
    if (slope !== null && rampPoints(r).length >= 3) {
      const apart = Math.abs(slope - per) > 0.05 * per ? '; the connection counts and slab held come from separate bpftrace programs printing up to a second apart, so the samples scatter about the line' : '';
      out.push(`Sample by sample, slab held grew by ${bytesText(slope)} per connection established (least-squares line over the ${plural(rampPoints(r).length, 'sample')} taken while ramping${apart}).`);
    }
    // /proc/slabinfo moves with the whole host: over a few connections it says nothing (it can even shrink)
    if (s.slab.source === 'tracepoint' && s.slab.bytesPerConnection.slabinfo > 0 && est >= 100) {
      out.push(`/proc/slabinfo's growth of the same caches says ${bytesText(s.slab.bytesPerConnection.slabinfo)} per connection; it also counts what the rest of the host allocated meanwhile.`);
    }
  }
  const dest = Object.entries((s.ports.perDestination ?? {}) as Record<string, number>);
  if (dest.length > 0) {
    const most = Math.max(...dest.map(([, n]) => n));
    out.push(
      `The connections went to ${plural(dest.length, 'server port')} and used ${list(dest.map(([, n]) => countText(n)))} local ports: ` +
        `at most ${shareText(most / s.ports.range.size)} of the ${countText(s.ports.range.size)} in ip_local_port_range (${s.ports.range.low}-${s.ports.range.high}), which is counted per destination.`,
    );
  }
  if (s.ports.parity && s.ports.correlation && s.ports.parity.even + s.ports.parity.odd > 0) {
    out.push(`connect() chose ${countText(s.ports.parity.even)} even and ${countText(s.ports.parity.odd)} odd local ports; kernel and generator agree on ${countText(s.ports.correlation?.matched)} 4-tuples (local address and port, server address and port).`);
  }
  // a quantile in an open-ended bucket (bpftrace 0.17's values of 2.1 s or more) is only a lower bound
  const bound = (ns: number, atLeast: boolean | undefined) => (atLeast ? `at least ${boundText(ns)}` : `within ${boundText(ns)}`);
  const lat = (name: string, l: {p50Ns: number; p99Ns: number; p50AtLeast?: boolean; p99AtLeast?: boolean} | null | undefined) =>
    l ? `${name} returned ${bound(l.p50Ns, l.p50AtLeast)} for half the calls and ${bound(l.p99Ns, l.p99AtLeast)} for 99%` : null;
  const lats = [lat('socket()', s.kernel.latency?.socket), lat('connect()', s.kernel.latency?.connect)].filter((x): x is string => x !== null);
  if (lats.length > 0) out.push(`${lats.join('; ')} (upper bounds of log2 buckets).`);
  if (s.connections.userBytesPerConnection) {
    out.push(`In user space, the generator's workers grew by ${bytesText(s.connections.userBytesPerConnection)} of anonymous memory per connection, on top of ${bytesText(s.connections.workerFixedBytes)} per worker at rest.`);
  }
  return out;
}

// What makes numbers of the run wrong (a map full at its key limit, a helper error, a bpftrace defect), and the
// numbers withheld for it: a section only when there are any.
export function warningLines(r: RecordedRun): string[] {
  const warnings = (r.summary.warnings ?? []) as string[];
  const incomplete = Object.entries((r.summary.incomplete ?? {}) as Record<string, string>);
  if (warnings.length === 0 && incomplete.length === 0) return [];
  return [
    '## Warnings',
    '',
    ...warnings.map((w) => `- ${w}`),
    ...(incomplete.length ? ['', `Withheld (not printed, since a warning makes them wrong): ${list(incomplete.map(([field, why]) => `\`${field}\` (${why})`))}.`] : []),
    '',
  ];
}

// The environment table from the manifest.
function environment(r: RecordedRun): string {
  const m = r.manifest;
  return table(['', ''], [
    ['kernel', m.kernel],
    ['distribution', m.distribution],
    ['bpftrace', `${m.bpftrace.version} (${m.bpftrace.path})`],
    ['machine', `${m.machine.cores} cores, ${bytesText(m.machine.memoryBytes)} of memory`],
    ['tcp-trace', m.tool.version],
    ['scenario', m.scenario],
    ['started', m.startedAt],
    ['ip_local_port_range (lab)', `${m.lab.portRange.low}-${m.lab.portRange.high} (${countText(m.lab.portRange.size)} ports)`],
    ['fs.file-max / fs.nr_open', `${countText(m.limitsBefore.fileMax)} / ${countText(m.limitsBefore.nrOpen)}`],
    ['RLIMIT_NOFILE (soft / hard)', `${countText(m.limitsBefore.nofile.soft)} / ${countText(m.limitsBefore.nofile.hard)}`],
    ['MemAvailable before', bytesText(m.limitsBefore.memAvailableBytes)],
    ['TCP established hash', `${countText(m.limitsBefore.tcpEhashEntries)} buckets`],
  ]);
}

// The per-cache table: the probe's bytes per connection beside /proc/slabinfo's, and each one's share.
function cacheTable(r: RecordedRun): string {
  const s = r.summary;
  const caches = byCache(r);
  const total = caches.reduce((a, [, b]) => a + b, 0);
  const slabinfo = s.slab.slabinfoByCache as Record<string, number | null> | undefined;
  const rows = caches.map(([c, b]) => [c, bytesText(b), percentText(b / total), ...(slabinfo ? [bytesText(slabinfo[c] ?? null)] : [])]);
  return table(
    ['cache', 'bytes per connection', 'share', ...(slabinfo ? ['/proc/slabinfo'] : [])],
    [...rows, ['**all**', `**${bytesText(total)}**`, '100%', ...(slabinfo ? [''] : [])]],
    [1, 2, 3],
  );
}

// The per-destination table: local ports used, and their share of the range.
function destinationTable(r: RecordedRun): string {
  const s = r.summary;
  return table(
    ['destination', 'local ports used', 'of the range'],
    Object.entries((s.ports.perDestination ?? {}) as Record<string, number>).map(([p, n]) => [`127.0.0.1:${p}`, countText(n), percentText(n / s.ports.range.size)]),
    [1, 2],
  );
}

// What the tool itself cost: start-up, events lost, the probe plan.
function overhead(r: RecordedRun): string[] {
  const s = r.summary;
  const out = [
    `The run took ${nsText((s.durationMs ?? 0) * 1e6)} from the command's start to its summary` +
      `${s.startupMs ? `, ${nsText(s.startupMs * 1e6)} of it the start-up (namespace, workers, probes attached)` : ''}.`,
    `bpftrace reported ${plural(s.kernel.lostEvents ?? 0, 'lost event')}.`,
  ];
  // runs the kernel skipped are events lost too, that bpftrace never hears of (runs: none in runs recorded before it)
  const runs = Object.entries((s.runs ?? {}) as Record<string, {eventsMissed: number | null}>);
  const missed = runs.filter(([, x]) => (x.eventsMissed ?? 0) > 0);
  const unknown = runs.filter(([, x]) => x.eventsMissed === null).map(([m]) => m);
  if (missed.length) {
    out.push(`The kernel skipped runs of the probes' programs (recursion_misses: another BPF program was running on that CPU): ${list(missed.map(([m, x]) => `${m} ${countText(x.eventsMissed!)}`))}; the numbers they make wrong are withheld or bounded (the summary's \`incomplete\` and \`warnings\`).`);
  } else if (runs.length && unknown.length === runs.length) {
    out.push("This kernel does not say whether it skipped runs of the probes' programs (recursion_misses: Linux 5.12+, tracepoints from 6.7).");
  } else if (runs.length) {
    out.push(`The kernel skipped no run of the probes' programs${unknown.length ? ` (this kernel does not say for ${list(unknown)})` : ''}.`);
  }
  const failedProbes = (s.probeFailures ?? []) as Array<{measurement: string; why: string}>;
  if (failedProbes.length) out.push(`Measurements left without a program: ${list(failedProbes.map((f) => `${f.measurement} (${f.why})`))}.`);
  out.push('The probes aggregate in maps and print once a second; what each program costs per event is measured by `npm run bench` (README, "Overhead and benchmarks").');
  return out;
}

// The probe plan as a table: the hooks that served each measurement and what was passed over.
function planTable(r: RecordedRun): string {
  const plan = Object.entries((r.summary.probePlan ?? {}) as Record<string, {kind: string | null; file?: string; why: string}>);
  return table(['measurement', 'kind', 'program', 'hooks, and why others were passed over'], plan.map(([m, p]) => [m, p.kind ?? 'none', p.file ? `\`${p.file}\`` : '-', p.why]));
}

// The whole report of one run; charts are relative paths of its image files.
export function runReport(r: RecordedRun, charts: Array<{title: string; file: string}>): string {
  const s = r.summary;
  const claims = (s.claims ?? []) as Array<{claim: string; held: boolean; evidence: unknown}>;
  const cmd = commandLine(r);
  return [
    `# tcp-trace: ${s.scenario}, ${plural(s.connections.established, 'connection')} (${r.name})`,
    '',
    '## Findings',
    '',
    ...findings(r).map((f) => `- ${f}`),
    '',
    ...warningLines(r),
    '## Claims',
    '',
    ...claims.flatMap((c) => {
      const {inline, tables} = splitRows(c.evidence);
      return [`- **${c.held ? 'Held' : 'Did not hold'}:** ${c.claim}. Evidence: ${evidenceText(inline)}.`, ...tables.flatMap((t) => ['', t, ''])];
    }),
    '',
    '## Kernel memory per connection, by cache (both ends)',
    '',
    cacheTable(r),
    '',
    `Source: ${s.slab.source === 'tracepoint' ? 'the slab probe (allocated minus freed by the lab\'s tasks)' : '/proc/slabinfo deltas'}. SLUB merges caches, so a name can be the cache another was merged into.`,
    '',
    '## Ports per destination',
    '',
    destinationTable(r),
    '',
    '## Connections and calls',
    '',
    table(['', 'generator', 'kernel'], [
      ['established (client side)', s.connections.established, s.kernel.established?.client],
      ['established (server side)', s.connections.accepted, s.kernel.established?.server],
      ['failed', list(failures(s.connections.failed)) || 0, list(failures(s.kernel.errors ?? {})) || 0],
      ['socket() / connect() / accept()', '', `${countText(s.kernel.syscalls?.socket)} / ${countText(s.kernel.syscalls?.connect)} / ${countText(s.kernel.syscalls?.accept)}`],
    ], [1, 2]),
    '',
    table(['call', 'calls', 'p50', 'p99'], [
      ['socket()', s.kernel.latency?.socket?.count, boundText(s.kernel.latency?.socket?.p50Ns), boundText(s.kernel.latency?.socket?.p99Ns)],
      ['connect()', s.kernel.latency?.connect?.count, boundText(s.kernel.latency?.connect?.p50Ns), boundText(s.kernel.latency?.connect?.p99Ns)],
    ], [1, 2, 3]),
    '',
    'Latencies are upper bounds of log2 buckets.',
    '',
    '## Charts',
    '',
    ...charts.flatMap((c) => [`![${c.title}](${c.file})`, '']),
    '## Environment',
    '',
    environment(r),
    '',
    '## Probe plan and overhead',
    '',
    planTable(r),
    '',
    ...overhead(r),
    '',
    '## Reproduce',
    '',
    '```sh',
    `${cmd.text}    # as root`,
    `tcp-trace report ${rerunDir(r)}    # the directory the run above wrote`,
    '```',
    '',
    `${cmd.recorded ? 'The command line as recorded in manifest.json' : 'Command line rebuilt from the parameters in manifest.json (this run predates recording it)'}; ` +
      `tcp-trace ${r.manifest.tool.version}, Linux ${r.manifest.kernel}, bpftrace ${r.manifest.bpftrace.version}, ${r.manifest.distribution}.`,
    '',
  ].join('\n');
}

// How one number moved between two runs, as a sentence: "Slab per connection went from 7 861 B to 8 061 B (+3%)."
export function changeText(what: string, a: number | null | undefined, b: number | null | undefined, fmt: (n: number) => string): string {
  const show = (v: number | null | undefined) => (v === null || v === undefined ? 'not measured' : fmt(v));
  if (a === null || a === undefined || b === null || b === undefined) return `${what}: ${show(a)}, then ${show(b)}.`;
  if (fmt(a) === fmt(b)) return `${what}: ${fmt(a)} in both.`;
  const change = a === 0 ? '' : ` (${b >= a ? '+' : '−'}${percentText(Math.abs(b - a) / a)})`;
  return `${what} went from ${fmt(a)} to ${fmt(b)}${change}.`;
}

// The differences between two runs, one sentence each (a first, b second).
export function differences(a: RecordedRun, b: RecordedRun): string[] {
  const out: string[] = [];
  const sa = a.summary;
  const sb = b.summary;
  if (a.manifest.kernel !== b.manifest.kernel) out.push(`The kernel changed from Linux ${a.manifest.kernel} to ${b.manifest.kernel}.`);
  if (a.manifest.bpftrace.version !== b.manifest.bpftrace.version) out.push(`bpftrace changed from ${a.manifest.bpftrace.version} to ${b.manifest.bpftrace.version}.`);
  if (sa.scenario !== sb.scenario) out.push(`The scenario changed from ${sa.scenario} to ${sb.scenario}.`);
  out.push(changeText('Connections established', sa.connections.established, sb.connections.established, countText));
  out.push(changeText('Slab per connection', perConnection(a), perConnection(b), bytesText));
  out.push(changeText('The fitted slope of slab held against connections', slabSlope(a), slabSlope(b), bytesText));
  const ca = Object.fromEntries(byCache(a));
  const cb = Object.fromEntries(byCache(b));
  const shifts = [...new Set([...Object.keys(ca), ...Object.keys(cb)])]
    .map((c) => ({c, d: (cb[c] ?? 0) - (ca[c] ?? 0)}))
    .filter((x) => Math.abs(x.d) >= 16)
    .sort((x, y) => Math.abs(y.d) - Math.abs(x.d))
    .slice(0, 4);
  if (shifts.length) out.push(`By cache, the largest changes: ${list(shifts.map(({c, d}) => `${c} ${d > 0 ? '+' : '−'}${bytesText(Math.abs(d))}`))} per connection.`);
  else out.push('No cache moved by 16 B per connection or more.');
  const p50 = (r: RecordedRun, call: 'socket' | 'connect') => r.summary.kernel.latency?.[call]?.p50Ns ?? null;
  // latencies are log2 bucket bounds: a change of one bucket doubles
  out.push(changeText('The median socket() (log2 bucket bound)', p50(a, 'socket'), p50(b, 'socket'), boundText));
  out.push(changeText('The median connect() (log2 bucket bound)', p50(a, 'connect'), p50(b, 'connect'), boundText));
  const held = (r: RecordedRun) => (r.summary.claims ?? []).filter((c: any) => c.held).length;
  out.push(`Claims held: ${held(a)} of ${(sa.claims ?? []).length} and ${held(b)} of ${(sb.claims ?? []).length}.`);
  return out;
}

// Two runs compared (two kernels, or ramp and hello): the differences in words, a table, one chart per figure.
export function comparisonReport(a: RecordedRun, b: RecordedRun, charts: Array<{title: string; file: string}> = []): string {
  const caches = [...new Set([...byCache(a).map(([c]) => c), ...byCache(b).map(([c]) => c)])];
  const lat = (r: RecordedRun, call: 'socket' | 'connect') => boundText(r.summary.kernel.latency?.[call]?.p50Ns);
  return [
    `# tcp-trace: ${a.name} vs ${b.name}`,
    '',
    '## Differences',
    '',
    ...differences(a, b).map((d) => `- ${d}`),
    '',
    table(['', a.name, b.name], [
      ['kernel', a.manifest.kernel, b.manifest.kernel],
      ['bpftrace', a.manifest.bpftrace.version, b.manifest.bpftrace.version],
      ['scenario', a.summary.scenario, b.summary.scenario],
      ['connections established', a.summary.connections.established, b.summary.connections.established],
      ['kernel established (client / server)', `${countText(a.summary.kernel.established?.client)} / ${countText(a.summary.kernel.established?.server)}`, `${countText(b.summary.kernel.established?.client)} / ${countText(b.summary.kernel.established?.server)}`],
      ['connections/s', a.summary.connections.perSecond, b.summary.connections.perSecond],
      ['slab per connection', bytesText(perConnection(a)), bytesText(perConnection(b))],
      ['fitted slope', bytesText(slabSlope(a)), bytesText(slabSlope(b))],
      ['socket() p50', lat(a, 'socket'), lat(b, 'socket')],
      ['connect() p50', lat(a, 'connect'), lat(b, 'connect')],
      ['claims held', (a.summary.claims ?? []).filter((c: any) => c.held).length, (b.summary.claims ?? []).filter((c: any) => c.held).length],
    ], [1, 2]),
    '',
    '## Slab per connection, by cache',
    '',
    table(['cache', a.name, b.name], caches.map((c) => [c, bytesText(a.summary.slab.byCache?.[c] ?? null), bytesText(b.summary.slab.byCache?.[c] ?? null)]), [1, 2]),
    '',
    ...(charts.length ? ['## Charts', '', ...charts.flatMap((c) => [`![${c.title}](${c.file})`, ''])] : []),
    '## Reproduce',
    '',
    '```sh',
    `${commandLine(a).text}    # ${a.name}: tcp-trace ${a.manifest.tool.version}, Linux ${a.manifest.kernel}, bpftrace ${a.manifest.bpftrace.version}`,
    `${commandLine(b).text}    # ${b.name}: tcp-trace ${b.manifest.tool.version}, Linux ${b.manifest.kernel}, bpftrace ${b.manifest.bpftrace.version}`,
    `# then: tcp-trace report DIR_A DIR_B, the directories the two runs above wrote (${a.name} and ${b.name} here)`,
    '```',
    '',
  ].join('\n');
}
