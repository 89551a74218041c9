// Pure view-models: each panel's content computed from the live state and the sample history.
import {bucketQuantile, type Bucket} from '../bpftrace/parse.js';
import {counter, heldBytesByCache} from '../correlate/kernel-state.js';
import {errnoName} from '../correlate/errno.js';
import type {LiveState} from '../correlate/live.js';
import type {Sample} from '../correlate/sample.js';
import type {Measurement} from '../probes/catalog.js';

// A panel with nothing to show says why: before the first sample, or a measurement this host cannot serve.
export type Unavailable = {state: 'waiting'} | {state: 'unavailable'; why: string};

const planOf = (live: LiveState, m: Measurement): Unavailable | null => {
  const p = live.plan.find((e) => e.measurement === m);
  const failed = live.failedProbes.find((f) => f.measurement === m);
  if (failed) return {state: 'unavailable', why: failed.why};
  if (!p?.kind) return {state: 'unavailable', why: p?.why.replace(/^unavailable here: /, '') ?? 'not planned'};
  return null;
};

// "8.4 KB", "120 B", "1.2 MB": bytes in the largest unit under 1024.
export function bytesText(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '-';
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}

// "12.3 µs" from ns.
export function nsText(ns: number | null): string {
  if (ns === null) return '-';
  if (ns < 1000) return `${ns} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${(ns / 1e6).toFixed(1)} ms`;
}

// Panel 1: connections held (generator and kernel) and slab MB over time.
export function connectionsView(history: Sample[], live: LiveState | null) {
  if (!live || history.length === 0) return {state: 'waiting' as const};
  const x = history.map((s) => `${Math.round(s.tMs / 1000)}s`);
  const s = live.sample;
  return {
    state: 'ok' as const,
    label: `Connections ${s.connections.established}/${live.requested}, kernel ${s.kernel.established.client}, ${bytesText(s.slab.bytesPerConnection)}/conn`,
    series: [
      {title: 'generator', x, y: history.map((h) => h.connections.established)},
      {title: 'kernel', x, y: history.map((h) => h.kernel.established.client)},
    ],
    slabSeries: {title: 'slab MB', x, y: history.map((h) => Math.round(h.slab.heldBytes / 2 ** 20))},
  };
}

// Panel 2: slab bytes per connection by cache, costliest first, with the call site where known.
export function slabView(live: LiveState | null, sites: Record<string, string> = {}) {
  if (!live) return {state: 'waiting' as const};
  const missing = planOf(live, 'slab');
  if (missing) return missing;
  const held = heldBytesByCache(live.kernel);
  // after a slab sample, the probe's bytes are those of the connections it measured
  const n = live.sample.slab.sampledConnections ?? live.generator.established;
  if (n === 0) return {state: 'waiting' as const};
  const rows = Object.entries(held)
    .map(([cache, bytes]) => ({cache, perConnection: Math.round(bytes / n)}))
    .filter((r) => r.perConnection >= 8)
    .sort((a, b) => b.perConnection - a.perConnection)
    .slice(0, 12)
    .map((r) => [sites[r.cache] ? `${r.cache} ← ${sites[r.cache]}` : r.cache, `${r.perConnection} B`]);
  const total = Object.values(held).reduce((a, b) => a + b, 0);
  return {state: 'ok' as const, headers: ['cache', 'per conn'], rows: [['all caches', bytesText(total / n)], ...rows], total: bytesText(total / n)};
}

// Panel 3: ports in use per destination against the range, parity, EADDRNOTAVAIL, connect latency.
export function portsView(live: LiveState | null) {
  if (!live) return {state: 'waiting' as const};
  const missing = planOf(live, 'portAllocation');
  if (missing) return missing;
  const perPort = counter(live.kernel, '@port_new');
  const rows = live.ports.map((p) => {
    const used = perPort[String(p)] ?? 0;
    return [`127.0.0.1:${p}`, `${used}/${live.portRange.size}`, `${Math.round((100 * used) / live.portRange.size)}%`];
  });
  const parity = counter(live.kernel, '@parity');
  const errnos = counter(live.kernel, '@connect_errno');
  const connect = live.kernel.hists['@connect_ns'] ?? [];
  return {
    state: 'ok' as const,
    headers: ['destination', 'ports', 'used'],
    rows: [
      ...rows,
      ['parity even/odd', `${parity['0'] ?? 0}/${parity['1'] ?? 0}`, ''],
      ['EADDRNOTAVAIL', String(errnos['99'] ?? 0), ''],
      ['connect() p50', nsText(bucketQuantile(connect, 0.5)), ''],
      ['connect() p99', nsText(bucketQuantile(connect, 0.99)), ''],
      // where a kfunc/kprobe variant serves it: ports tried per connect() and inet_hash_connect latency
      ...(live.kernel.hists['@attempts']
        ? [
            ['ports tried p50/p99', `${bucketQuantile(live.kernel.hists['@attempts'], 0.5)}/${bucketQuantile(live.kernel.hists['@attempts'], 0.99)}`, ''],
            ['hash_connect p50', nsText(bucketQuantile(live.kernel.hists['@hash_connect_ns'] ?? [], 0.5)), ''],
          ]
        : []),
    ],
  };
}

// Histogram buckets as bar-chart titles and counts (at most `max` bars, the busiest range).
export function histBars(buckets: Bucket[], max = 8): {titles: string[]; counts: number[]} {
  const nonEmpty = buckets.filter((b) => b.count > 0);
  if (nonEmpty.length === 0) return {titles: [], counts: []};
  const first = buckets.indexOf(nonEmpty[0]!);
  const shown = buckets.slice(first, first + max);
  return {titles: shown.map((b) => (Number.isFinite(b.max) ? nsText(b.max + 1) : `>=${nsText(b.min)}`)), counts: shown.map((b) => b.count)};
}

// Panel 4: socket() latency histogram and counts.
export function socketView(live: LiveState | null) {
  if (!live) return {state: 'waiting' as const};
  const missing = planOf(live, 'socketCreation');
  if (missing) return missing;
  const calls = counter(live.kernel, '@calls');
  const socket = live.kernel.hists['@socket_ns'] ?? [];
  const errors = Object.entries(counter(live.kernel, '@errno')).map(([k, n]) => `${k.split(',')[0]} ${errnoName(Number(k.split(',')[1]))} ${n}`);
  return {
    state: 'ok' as const,
    label: `socket() ${calls.socket ?? 0}, p50 ${nsText(bucketQuantile(socket, 0.5))}`,
    lines: [`socket() ${calls.socket ?? 0}  accept ${calls.accept ?? 0}`, ...(errors.length ? [`errors: ${errors.join(', ')}`] : [])],
    bars: histBars(socket),
  };
}

// Panel 5: received TCP segments per second (one established-hash lookup each) and the hash load.
export function receiveView(history: Sample[], live: LiveState | null) {
  if (!live) return {state: 'waiting' as const};
  const missing = planOf(live, 'receiveLookup');
  if (missing) return missing;
  const last = history.at(-1);
  const prev = history.at(-2);
  const dt = last && prev ? (last.tMs - prev.tMs) / 1000 : 0;
  const rate = last && prev && dt > 0 ? Math.round((last.kernel.rxTcpSegments - prev.kernel.rxTcpSegments) / dt) : 0;
  const sockets = live.sample.kernel.established.client + live.sample.kernel.established.server;
  const ehash = live.limits.tcpEhashEntries;
  return {
    state: 'ok' as const,
    lines: [
      `lookups (TCP segments in): ${live.sample.kernel.rxTcpSegments}`,
      `rate: ${rate}/s`,
      `established sockets: ${sockets}`,
      `ehash buckets: ${ehash}`,
      `load: ${ehash > 0 ? (sockets / ehash).toFixed(3) : '-'} sockets/bucket`,
      // where the kprobe variant serves it: the lookups themselves
      ...(counter(live.kernel, '@tcp_v4_rcv')[''] !== undefined
        ? [
            `tcp_v4_rcv: ${counter(live.kernel, '@tcp_v4_rcv')['']}`,
            ...Object.entries(counter(live.kernel, '@lookups')).map(([k, n]) => `lookup ${k.replace(',', ' ')}: ${n}`),
            `lookup p50: ${nsText(bucketQuantile(live.kernel.hists['@lookup_ns[tcp_v4_rcv]'] ?? live.kernel.hists['@lookup_ns[early_demux]'] ?? [], 0.5))}`,
          ]
        : []),
    ],
  };
}

// Panel 6: each limit, its value, how close the run is, and the one that binds first.
export function limitsView(live: LiveState | null) {
  if (!live) return {state: 'waiting' as const};
  const l = live.limits;
  const est = live.generator.established;
  const perDest = live.ports.length > 0 ? Math.ceil(est / live.ports.length) : 0;
  const rows: Array<[string, string, number]> = [
    ['ports/destination', `${perDest}/${live.portRange.size}`, perDest / live.portRange.size],
    ['RLIMIT_NOFILE/worker', `${Math.min(est, live.perWorkerSockets)}/${l.nofile.hard}`, Math.min(est, live.perWorkerSockets) / l.nofile.hard],
    ['fs.file-max', `${l.filesOpenHost + 2 * est}/${l.fileMax}`, (l.filesOpenHost + 2 * est) / l.fileMax],
    ['fs.nr_open', `${l.nrOpen}`, 0],
    ['MemAvailable', bytesText(live.sample.memAvailableBytes), live.sample.memAvailableBytes > 0 ? 1 - live.sample.memAvailableBytes / (l.memAvailableBytes || 1) : 0],
  ];
  const binding = rows.slice(0, 3).concat([rows[4]!]).sort((a, b) => b[2] - a[2])[0]!;
  return {
    state: 'ok' as const,
    headers: ['limit', 'value', 'used'],
    rows: rows.map(([name, value, share]) => [name, value, `${Math.round(share * 100)}%`]),
    binding: `closest: ${binding[0]}`,
  };
}

// Panel 7: the probe plan, one line per measurement (kind, hooks, kinds passed over), then the latest events.
export function planView(live: LiveState | null, maxEvents = 20) {
  if (!live) return {state: 'waiting' as const};
  const plan = live.plan.map((p) => {
    const failed = live.failedProbes.find((f) => f.measurement === p.measurement);
    if (failed) return `${p.measurement.padEnd(15)} failed: ${failed.why}`;
    if (!p.variant) return `${p.measurement.padEnd(15)} ${p.why}`;
    const over = p.passedOver.map((o) => o.kind).join(', ');
    // while the programs start (seconds each), whether this one is attached yet
    const ms = live.probesReady?.[p.measurement];
    const status = live.phase !== 'starting' ? '' : ms === undefined ? '[attaching] ' : `[ready ${(ms / 1000).toFixed(1)} s] `;
    return `${p.measurement.padEnd(15)} ${status}${p.kind!.padEnd(10)} ${p.variant.hooks}${over ? ` (passed over: ${over})` : ''}`;
  });
  return {state: 'ok' as const, lines: [...plan, '', ...live.events.slice(-maxEvents)]};
}
