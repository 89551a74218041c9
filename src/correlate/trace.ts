// Pure summary of traced connections, filtered to one server port where asked.
import type {KernelState} from '../bpftrace/kernel-state.js';
import {readAll} from '../measurements/index.js';
import {kernelCounts, kernelErrors, kernelRestarts, timeWaitCounts} from './summary.js';
import {latency} from './latency.js';
import {errnoName} from './errno.js';
import {fourTuples, localsPerDestination} from './four-tuples.js';
import {judgeProblems, unlessIncomplete, type MeasurementProblem} from './problems.js';
import {buildSample} from './sample.js';
import type {LiveState} from './live.js';
import type {GeneratorStats} from '../load/generator.js';
import type {Limits} from '../system/limits.js';
import type {PlanEntry} from '../probes/plan.js';
import type {QueuedBytes} from '../system/netns-parse.js';

// What the probes saw (port: count only keys of that server port; null when the probes filtered by port
// themselves, as trace's do): connections per side, the (server port, local port) pairs, syscalls and their latency,
// slab, sockets handed to TIME_WAIT (and reused: `plan` says whether a function probe served timeWait). A number
// that a problem of its measurement (full map, helper error, runs the kernel skipped) makes wrong is withheld
// (null), with why in `incomplete`.
export function traceSummary(k: KernelState, port: number | null, problems: MeasurementProblem[] = [], plan: ReadonlyArray<{measurement: string; kind: PlanEntry['kind']}> = []) {
  const r = readAll(k);
  const pairs = r.fourTuples.pairs
    .map((p) => p.split(',').map(Number) as [number, number])
    .filter(([dport]) => port === null || dport === port)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const tuples = fourTuples(r.fourTuples.tuples);
  const judged = judgeProblems(problems);
  const keep = <T>(path: string, value: T) => unlessIncomplete(judged.incomplete, path, value);
  const counts = kernelCounts(k, port === null ? null : [port]);
  return {
    kernel: {
      established: keep('kernel.established', counts.established),
      syscalls: keep('kernel.syscalls', counts.syscalls),
      errors: kernelErrors(k),
      // bind() calls of the traced processes: succeeded, failed by errno (their failures are in errors too)
      bind: {ok: r.portAllocation.bindOk, failed: Object.fromEntries(Object.entries(r.portAllocation.bindErrors).map(([e, n]) => [errnoName(Number(e)), n]))},
      // returns whose entry came before the probes attached (a server blocked in accept()): counted above, said here
      unmatchedReturns: {connect: r.portAllocation.connectUnmatched, accept: r.socketCreation.acceptUnmatched},
      // kernel-internal restart codes (ERESTARTSYS ...): a call interrupted by a signal, restarted or ended; no failure
      restarts: kernelRestarts(k),
      latency: {
        socket: keep('kernel.latency.socket', latency(r.socketCreation.socketNs)),
        connect: keep('kernel.latency.connect', latency(r.portAllocation.connectNs)),
        handshake: keep('kernel.latency.handshake', latency(r.connections.handshakeNs)),
      },
      // log2 buckets in ns; connect() calls and handshakes of 2^31 ns or more folded in from their _slow_ms maps
      // (max null: open-ended)
      histograms: {socketNs: r.socketCreation.socketNs, connectNs: r.portAllocation.connectNs, handshakeNs: r.connections.handshakeNs},
      // TCP segments received in the namespace (one established-hash lookup each), IPv4 and IPv6
      receive: keep('kernel.receive', {
        tcpSegments: r.receiveLookup.tcpSegments, byIpVersion: r.receiveLookup.tcpSegmentsByIpVersion, packets: r.receiveLookup.packets,
      }),
      // sockets of the traced namespace handed to TIME_WAIT; TIME_WAIT sockets connect() reused (null: no function
      // probe served timeWait; the namespace's TcpExt.TWRecycled in namespace.counters is the count then)
      timeWait: keep('kernel.timeWait', timeWaitCounts(k, plan)),
    },
    // printed once, when the probes stop: [server port, local port]
    ports: keep('ports.pairs', {pairs, localPorts: [...new Set(pairs.map((p) => p[1]))].sort((a, b) => a - b)}),
    // every connection by its 4-tuple (printed once, when the probes stop), and distinct local (address, port) per
    // destination: connections from several client addresses reusing one port number stay apart
    fourTuples: keep('ports.fourTuples', tuples),
    localsPerDestination: keep('ports.fourTuples', localsPerDestination(tuples)),
    slab: {
      heldBytesByCache: keep('slab.heldBytesByCache', r.slab.heldBytesByCache),
      connections: keep('slab.connections', connectionSlab(r.slab.heldBytesByCache, counts.established.client + counts.established.server)),
    },
    incomplete: judged.incomplete,
  };
}

// The slab caches a TCP connection's own objects come from: the socket, its inode, the request socket of a
// handshake, the TIME_WAIT socket (IPv4 and IPv6). SLUB may merge a cache into another under that other's name.
export const CONNECTION_CACHES = ['TCP', 'TCPv6', 'sock_inode_cache', 'request_sock_TCP', 'request_sock_TCPv6', 'tw_sock_TCP', 'tw_sock_TCPv6'];

// Slab held by the connections' own caches (not everything the namespace's tasks allocate: an interpreter
// starting, bulk-freed maple nodes), and per connection end established during the trace.
export function connectionSlab(held: Record<string, number>, endsEstablished: number) {
  const byCache = Object.fromEntries(CONNECTION_CACHES.filter((c) => (held[c] ?? 0) !== 0).map((c) => [c, held[c]!]));
  const heldBytes = Object.values(byCache).reduce((a, b) => a + b, 0);
  return {
    includes: 'objects of the caches TCP, TCPv6, sock_inode_cache, request_sock_TCP(v6), tw_sock_TCP(v6) allocated during the trace by tasks in the namespace (on loopback both ends), or for TCP sockets in a softirq of another task (the handshake of a retransmitted SYN) and then found in the namespace by their state change, and not freed by its end',
    heldBytes,
    byCache,
    bytesPerEndEstablished: endsEstablished > 0 ? Math.round(heldBytes / endsEstablished) : null,
  };
}

// What trace knows at one moment, for the dashboard.
export type TraceFacts = {
  tMs: number;
  kernel: KernelState;
  port: number | null;
  // the probes kept only the connections on the traced ports: count every key (the port may be either end)
  portsFiltered?: boolean;
  plan: PlanEntry[];
  failedProbes: Array<{measurement: string; why: string}>;
  limits: Limits;
  portRange: {low: number; high: number; size: number};
  memAvailableBytes: number;
  // bytes queued on the traced namespace's TCP sockets (null: not read)
  buffers?: QueuedBytes | null;
};

// The dashboard's live state for a trace (pure): no generator, so its counts are the kernel's own (connect
// and accept calls of the traced processes, connections established on the traced port).
export function traceLive(f: TraceFacts): LiveState {
  const counts = kernelCounts(f.kernel, f.port === null || f.portsFiltered ? null : [f.port]);
  const stats: GeneratorStats = {
    attempted: counts.syscalls.connect,
    established: counts.established.client,
    failed: kernelErrors(f.kernel),
    accepted: counts.syscalls.accept,
    serverOpen: counts.established.server,
    serverBytesIn: 0,
    clientsDone: 0,
    rss: {readyBytes: 0, nowBytes: 0, workers: 0},
  };
  const sample = {...buildSample(f.tMs, stats, f.kernel, f.memAvailableBytes), phase: 'tracing' as const};
  sample.kernel.established = counts.established;
  // failed connections: connect() calls that failed (socket, accept and bind failures are in the summary's errors)
  sample.connections.failed = sample.kernel.connectErrors;
  return {
    scenario: 'trace',
    requested: stats.established,
    ports: f.port === null ? [] : [f.port],
    portRange: f.portRange,
    sample,
    generator: stats,
    kernel: f.kernel,
    plan: f.plan,
    failedProbes: f.failedProbes,
    limits: f.limits,
    perWorkerSockets: stats.established,
    phase: 'tracing',
    events: [],
    slabSites: {},
    buffers: f.buffers ?? null,
  };
}

// The sample fields each withheld summary field stands behind (trace's `incomplete` paths): null where it is null.
const WITHHELD_SAMPLE_FIELDS: Record<string, string[]> = {
  'kernel.established': ['connections.established', 'kernel.established'],
  'kernel.syscalls': ['connections.attempted', 'connections.accepted', 'connections.failed', 'kernel.sockets', 'kernel.connectErrors'],
  'kernel.receive': ['kernel.rxTcpSegments'],
  'slab.heldBytesByCache': ['slab.heldBytes', 'slab.bytesPerConnection'],
  'ports.pairs': ['portsPerDestination'],
};

// A headless trace's sample line (pure): the run's sample shape, a field null where a problem withholds the summary
// field behind it (the summary's `incomplete` says why), and the summary at that moment under `trace`.
export function traceSampleLine(live: LiveState): Record<string, unknown> {
  const line = structuredClone(live.sample) as unknown as Record<string, Record<string, unknown>>;
  for (const path of Object.keys(live.trace?.incomplete ?? {})) {
    for (const field of WITHHELD_SAMPLE_FIELDS[path] ?? []) {
      const [head, tail] = field.split('.') as [string, string | undefined];
      if (tail === undefined) (line as Record<string, unknown>)[head] = null;
      else if (line[head]) line[head]![tail] = null;
    }
  }
  return {...line, trace: live.trace ?? null};
}
