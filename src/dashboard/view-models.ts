// Pure view-models: each panel's content computed from the live state and the sample history.
import {bucketQuantile, type Bucket} from '../bpftrace/parse.js';
import {kindsOf, readAll} from '../measurements/index.js';
import {errnoName} from '../correlate/errno.js';
import type {LiveState} from '../correlate/live.js';
import type {Sample} from '../correlate/sample.js';
import type {Measurement} from '../probes/catalog.js';
import {bucketText, bytesText, compactCount, countText, percentText} from '../report/units.js';

// A panel with nothing to show says why: before the first sample, or a measurement this host cannot serve.
export type Unavailable = {state: 'waiting'} | {state: 'unavailable'; why: string};

const planOf = (live: LiveState, m: Measurement): Unavailable | null => {
  const p = live.plan.find((e) => e.measurement === m);
  const failed = live.failedProbes.find((f) => f.measurement === m);
  if (failed) return {state: 'unavailable', why: failed.why};
  if (!p?.kind) return {state: 'unavailable', why: p?.why.replace(/^unavailable here: /, '') ?? 'not planned'};
  return null;
};

// Units shared with the report ("7 656 B", "16.4 µs"); re-exported for the panels and their tests.
export {bytesText, nsText} from '../report/units.js';

// A quantile of a log2 histogram (its bucket's max, 2^k - 1 ns) as the bucket's bound, like the bars: "32 µs".
const boundText = (maxNs: number | null) => (maxNs === null ? '-' : bucketText(maxNs + 1));

// Panel 1: connections held (generator and kernel) and slab MB over time.
export function connectionsView(history: Sample[], live: LiveState | null) {
  if (!live || history.length === 0) return {state: 'waiting' as const};
  const x = history.map((s) => `${Math.round(s.tMs / 1000)}s`);
  const s = live.sample;
  return {
    state: 'ok' as const,
    label: `Connections ${countText(s.connections.established)}/${countText(live.requested)}, kernel ${countText(s.kernel.established.client)}, ${bytesText(s.slab.bytesPerConnection)}/conn`,
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
  const held = readAll(live.kernel).slab.heldBytesByCache;
  // after a slab sample, the probe's bytes are those of the connections it measured
  const n = live.sample.slab.sampledConnections ?? live.generator.established;
  if (n === 0) return {state: 'waiting' as const};
  const rows = Object.entries(held)
    .map(([cache, bytes]) => ({cache, perConnection: Math.round(bytes / n)}))
    .filter((r) => r.perConnection >= 8)
    .sort((a, b) => b.perConnection - a.perConnection)
    .slice(0, 12)
    .map((r) => [r.cache, sites[r.cache] ?? '', bytesText(r.perConnection)]);
  const total = Object.values(held).reduce((a, b) => a + b, 0);
  // beside slab, not in it: bytes queued on the namespace's sockets (unread + unsent), over every connection held
  const q = live.buffers;
  const connections = live.generator.established;
  const buffers = q && connections > 0 ? [['socket buffers', 'not slab: queued', bytesText((q.unreadBytes + q.unsentBytes) / connections)]] : [];
  return {state: 'ok' as const, headers: ['cache', 'call site', 'per conn'], rows: [['all caches', '', bytesText(total / n)], ...buffers, ...rows], total: bytesText(total / n)};
}

// Panel 3: ports in use per destination against the range, parity, EADDRNOTAVAIL, connect latency.
export function portsView(live: LiveState | null) {
  if (!live) return {state: 'waiting' as const};
  const missing = planOf(live, 'portAllocation');
  if (missing) return missing;
  const r = readAll(live.kernel, kindsOf(live.plan)).portAllocation;
  const perPort = r.newByServerPort;
  const size = live.portRange.size;
  const rows = live.ports.map((p) => {
    const used = perPort[String(p)] ?? 0;
    return [`127.0.0.1:${p}`, countText(used), percentText(used / size)];
  });
  const parity = r.parity;
  const errnos = r.connectErrors;
  const connect = r.connectNs;
  const attempts = r.attempts;
  return {
    state: 'ok' as const,
    headers: ['destination', 'ports', 'used'],
    rows: [
      ...rows,
      ['ip_local_port_range', countText(size), ''],
      ['even/odd ports', `${countText(parity['0'] ?? 0)}/${countText(parity['1'] ?? 0)}`, ''],
      ['EADDRNOTAVAIL', countText(errnos['99'] ?? 0), ''],
      ['connect() p50', boundText(bucketQuantile(connect, 0.5)), ''],
      ['connect() p99', boundText(bucketQuantile(connect, 0.99)), ''],
      // where a kfunc/kprobe variant serves it: ports tried per connect() and inet_hash_connect latency
      ...(attempts
        ? [
            ['ports tried p50/p99', `${bucketQuantile(attempts, 0.5)}/${bucketQuantile(attempts, 0.99)}`, ''],
            ['hash_connect p50', boundText(bucketQuantile(r.hashConnectNs ?? [], 0.5)), ''],
          ]
        : []),
    ],
  };
}

// Histogram buckets as bar-chart titles and counts (at most `max` bars, the busiest range).
export function histBars(buckets: Bucket[], max = 8): {titles: string[]; counts: number[]; thousands?: boolean} {
  const nonEmpty = buckets.filter((b) => b.count > 0);
  if (nonEmpty.length === 0) return {titles: [], counts: []};
  const first = buckets.indexOf(nonEmpty[0]!);
  const shown = buckets.slice(first, first + max);
  // a count wider than its bar (6 columns) would run into the next one: then every bar counts thousands
  const thousands = shown.some((b) => b.count >= 1_000_000);
  // an open-ended bucket (bpftrace 0.17's 2^31+ ns) is labelled by its lower bound
  const title = (b: Bucket) => (Number.isFinite(b.max) ? bucketText(b.max + 1) : `≥${bucketText(b.min)}`);
  return {titles: shown.map(title), counts: shown.map((b) => (thousands ? Math.round(b.count / 1000) : b.count)), thousands};
}

// Panel 4: socket() latency histogram and counts.
export function socketView(live: LiveState | null) {
  if (!live) return {state: 'waiting' as const};
  const missing = planOf(live, 'socketCreation');
  if (missing) return missing;
  const r = readAll(live.kernel).socketCreation;
  const calls = r.calls;
  const socket = r.socketNs;
  const bars = histBars(socket);
  const errors = r.errors.map((e) => `${e.syscall} ${errnoName(e.errno)} ${e.count}`);
  return {
    state: 'ok' as const,
    label: `socket() ${countText(calls.socket ?? 0)}, p50 ${boundText(bucketQuantile(socket, 0.5))}${bars.thousands ? ', bars in thousands' : ''}`,
    lines: [`socket() ${countText(calls.socket ?? 0)}  accept ${countText(calls.accept ?? 0)}`, ...(errors.length ? [`errors: ${errors.join(', ')}`] : [])],
    bars,
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
  const r = readAll(live.kernel, kindsOf(live.plan)).receiveLookup;
  const v4 = r.tcpV4Rcv ?? undefined;
  return {
    state: 'ok' as const,
    rows: [
      ['TCP segments in', countText(live.sample.kernel.rxTcpSegments)],
      ['per second', `${countText(rate)}/s`],
      ['established sockets', countText(sockets)],
      ['ehash buckets', countText(ehash)],
      ['sockets per bucket', ehash > 0 ? (sockets / ehash).toFixed(3) : '-'],
      // where the kprobe variant serves it: the lookups themselves
      ...(v4 !== undefined
        ? [
            ['tcp_v4_rcv', countText(v4)],
            // by the kernel's name of the caller, the outcomes seen
            ...(['earlyDemux', 'tcpV4Rcv'] as const).flatMap((caller) =>
              (['hit', 'miss'] as const).filter((h) => (r.lookupsByCaller?.[caller][h] ?? 0) > 0).map((h) => [`lookup ${caller === 'earlyDemux' ? 'early_demux' : 'tcp_v4_rcv'} ${h}`, countText(r.lookupsByCaller![caller][h])]),
            ),
            ['lookup p50', boundText(bucketQuantile(r.lookupNs?.tcpV4Rcv.length ? r.lookupNs.tcpV4Rcv : (r.lookupNs?.earlyDemux ?? []), 0.5))],
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
  const perWorker = Math.min(est, live.perWorkerSockets);
  const filesOpen = l.filesOpenHost + 2 * est;
  const memNow = live.sample.memAvailableBytes;
  const memUsed = memNow > 0 ? Math.max(0, l.memAvailableBytes - memNow) : 0;
  // [name, in use, maximum, share of it; whether it can bind (fs.nr_open only caps RLIMIT_NOFILE)]; local (ephemeral) ports
  // are per destination, RLIMIT_NOFILE and fs.nr_open per worker process
  const rows: Array<[string, string, string, number, boolean]> = [
    ['local ports', compactCount(perDest), compactCount(live.portRange.size), perDest / live.portRange.size, true],
    ['RLIMIT_NOFILE', compactCount(perWorker), compactCount(l.nofile.hard), perWorker / l.nofile.hard, true],
    ['fs.file-max', compactCount(filesOpen), compactCount(l.fileMax), filesOpen / l.fileMax, true],
    ['fs.nr_open', compactCount(perWorker), compactCount(l.nrOpen), perWorker / l.nrOpen, false],
    ['MemAvailable', bytesText(memUsed), bytesText(l.memAvailableBytes), memUsed / (l.memAvailableBytes || 1), true],
  ];
  const binding = rows.filter((r) => r[4]).sort((a, b) => b[3] - a[3])[0]!;
  return {
    state: 'ok' as const,
    headers: ['limit', 'in use', 'max', 'used'],
    rows: rows.map(([name, used, max, share]) => [name, used, max, percentText(share)]),
    binding: `closest: ${binding[0]} at ${percentText(binding[3])}`,
  };
}

// Panel 7: the probe plan, one line per measurement (kind, hooks, kinds passed over), then the latest events.
export function planView(live: LiveState | null, maxEvents = 20) {
  if (!live) return {state: 'waiting' as const};
  const rows = live.plan.map((p) => {
    const failed = live.failedProbes.find((f) => f.measurement === p.measurement);
    if (failed) return [p.measurement, 'failed', failed.why];
    if (!p.variant) return [p.measurement, 'none', p.why];
    const over = p.passedOver.map((o) => o.kind).join(', ');
    // while the programs start (seconds each), whether this one is attached yet
    const ms = live.probesReady?.[p.measurement];
    const status = live.phase !== 'starting' ? '' : ms === undefined ? ' [attaching]' : ` [ready ${(ms / 1000).toFixed(1)} s]`;
    return [p.measurement, `${p.kind!}${status}`, `${p.variant.hooks}${over ? ` (passed over: ${over})` : ''}`];
  });
  return {state: 'ok' as const, rows, events: live.events.slice(-maxEvents)};
}
