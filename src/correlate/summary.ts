// Pure assembly of the run summary: what the generator saw beside what the kernel saw.
import {latency} from './latency.js';
import {boundSlabMisses, judgeProblems, unavailableProblems, unlessIncomplete, type MeasurementProblem} from './problems.js';
import type {GeneratorStats} from '../load/generator.js';
import type {TupleSet} from './tuple-set.js';
import type {Limits} from '../system/limits.js';
import type {MemorySnapshot} from '../system/memory.js';
import type {EphemeralUse} from '../system/netns-parse.js';
import {planToJson, type PlanEntry} from '../probes/plan.js';
import type {KernelState} from '../bpftrace/kernel-state.js';
import {kindsOf, readAll} from '../measurements/index.js';
import {attributeAddrNotAvail, errnoName, isRestartCode, limitOfErrno} from './errno.js';
import {joinPorts} from './ports.js';
import {functionCounts, functionFieldsNotMeasured} from './functions.js';
import {fourTuples, localPortsByAddress} from './four-tuples.js';
import {costByCache, perConnection, slabinfoDeltaOver, slabinfoDeltas} from './slab.js';

// Everything a summary is made from.
export type RunFacts = {
  scenario: string;
  requested: number;
  ports: number[];
  // the whole run, from the command's start; of it, the start-up (lab, workers, probes) before the ramp; the ramp
  durationMs: number;
  startupMs: number;
  rampMs: number;
  generator: GeneratorStats;
  // the generator's established connections by 4-tuple
  connections: TupleSet;
  kernel: KernelState;
  memoryBefore: MemorySnapshot;
  memoryAfter: MemorySnapshot;
  plan: PlanEntry[];
  failedProbes: Array<{measurement: string; why: string}>;
  lostEvents: number;
  limits: Limits;
  lab: {netns: string; netnsInum: number; portRange: {low: number; high: number; size: number}};
  stoppedBy: string | null;
  // connections the slab probe measured when it stopped after a sample (null: every one)
  slabConnections: number | null;
  // what bpftrace said that makes numbers wrong (full maps, helper errors, non-JSON output), by measurement
  problems?: MeasurementProblem[];
  // warnings known before the run (a bpftrace version with a defect the tool cannot work around)
  warnings?: string[];
  // the lab namespace's ephemeral ports in use toward its busiest destination at the end (ss; null: unread): what an
  // EADDRNOTAVAIL points at (the range, port range x TIME_WAIT, or a 4-tuple in use)
  addressUse?: EphemeralUse | null;
};


function errnoCounts(state: KernelState, keep: (errno: number) => boolean): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (errno: number, n: number) => {
    if (keep(errno)) out[errnoName(errno)] = (out[errnoName(errno)] ?? 0) + n;
  };
  const r = readAll(state);
  for (const [k, n] of Object.entries(r.portAllocation.connectErrors)) add(Number(k), n);
  for (const e of r.socketCreation.errors) add(e.errno, e.count);
  // bind() calls (sys_exit_bind)
  for (const [k, n] of Object.entries(r.portAllocation.bindErrors)) add(Number(k), n);
  return out;
}

// Errors seen by the kernel, by errno name ("EADDRNOTAVAIL": 1), from the errno maps of every probe (socket,
// connect, accept, bind); the
// kernel-internal restart codes (ERESTARTSYS ...) are not failures and are left out (see kernelRestarts).
export function kernelErrors(state: KernelState): Record<string, number> {
  return errnoCounts(state, (n) => !isRestartCode(n));
}

// Syscall returns with a kernel-internal restart code (ERESTARTSYS: a blocked accept() or connect() hit by a
// signal), by code name.
export function kernelRestarts(state: KernelState): Record<string, number> {
  return errnoCounts(state, isRestartCode);
}

// Sum counter values whose key is one of the run's server ports.
function forPorts(values: Record<string, number>, ports: number[] | null): number {
  if (ports === null) return Object.values(values).reduce((a, b) => a + b, 0);
  return ports.reduce((n, p) => n + (values[String(p)] ?? 0), 0);
}

// Connections established per side (on the given server ports; null: every port) and successful calls,
// as every probe variant counts them; shared by `run` and `trace`.
export function kernelCounts(k: KernelState, ports: number[] | null) {
  const r = readAll(k);
  const calls = r.socketCreation.calls;
  const connectFailed = Object.values(r.portAllocation.connectErrors).reduce((a, b) => a + b, 0);
  return {
    established: {client: forPorts(r.connections.clientByServerPort, ports), server: forPorts(r.connections.serverByServerPort, ports)},
    syscalls: {socket: calls.socket ?? 0, connect: r.portAllocation.connectOk + connectFailed, accept: calls.accept ?? 0},
  };
}

// Sockets handed to TIME_WAIT and TIME_WAIT sockets reused (null unless kfunc/kprobe served timeWait).
export function timeWaitCounts(k: KernelState, plan: ReadonlyArray<{measurement: string; kind: PlanEntry['kind']}>): {entered: number; reused: number | null} {
  const tw = readAll(k, kindsOf(plan)).timeWait;
  return {entered: tw.entered, reused: tw.reused};
}

// The summary object printed last by `run` (documented field by field in README, FIELDS).
export function buildSummary(f: RunFacts) {
  const established = f.generator.established;
  const k = f.kernel;
  const r = readAll(k);
  const slabPlanned = f.plan.find((p) => p.measurement === 'slab')?.kind != null;
  // without a slab probe the caches come from /proc/slabinfo alone (DESIGN §3 fallback)
  const held = slabPlanned ? r.slab.heldBytesByCache : slabinfoDeltas(f.memoryBefore.caches, f.memoryAfter.caches);
  // the probe's bytes are the sample's when it stopped early; slabinfo's deltas cover the whole run
  const slabN = slabPlanned && f.slabConnections !== null ? f.slabConnections : established;
  const costs = costByCache(held, slabN, f.memoryBefore.caches, f.memoryAfter.caches);
  const heldBytes = costs.reduce((n, c) => n + c.heldBytes, 0);
  const ports = joinPorts(r.fourTuples.tuples, f.connections);
  const errors = kernelErrors(k);
  // the fewest connections any measurement counted over (the slab sample's, where it stopped early)
  // a measurement whose every variant failed at start has no numbers: withheld with why, never zero
  // so has one never planned here (left out with --measure, no variant of a forced kind, nothing this host attaches)
  const failedNow = f.failedProbes.filter((x) => !f.plan.find((p) => p.measurement === x.measurement)?.variant);
  const neverPlanned = f.plan.filter((p) => !p.variant && !failedNow.some((x) => x.measurement === p.measurement)).map((p) => ({measurement: p.measurement, why: p.why}));
  const unavailable = unavailableProblems([...failedNow, ...neverPlanned]);
  // skipped runs of the slab program: kept, said with their worst case (runs x the largest object it counted)
  const largestObjectBytes = Math.max(0, ...Object.keys(held).map((c) => f.memoryAfter.caches[c]?.objSize ?? 0));
  const bounded = boundSlabMisses(f.problems ?? [], heldBytes, largestObjectBytes);
  const judged = judgeProblems([...unavailable, ...bounded.rest], slabN);
  // a number a full map or a failed helper made wrong is withheld (null), its reason in `incomplete`
  const keep = <T>(path: string, value: T) => unlessIncomplete(judged.incomplete, path, value);
  const counts = kernelCounts(k, f.ports);
  const tuples = fourTuples(r.fourTuples.tuples);
  return {
    type: 'summary' as const,
    scenario: f.scenario,
    connections: {
      requested: f.requested,
      // connects the generator tried (a scenario's steps can make more than it was asked for: port-exhaustion, 2n + 1)
      attempted: f.generator.attempted,
      established,
      failed: f.generator.failed,
      accepted: f.generator.accepted,
      perSecond: f.rampMs > 0 ? Math.round((established * 1000) / f.rampMs) : null,
      // the generator's own memory: resident set growth of its workers per connection, and their fixed cost
      userBytesPerConnection: perConnection(f.generator.rss.nowBytes - f.generator.rss.readyBytes, established),
      workerFixedBytes: f.generator.rss.workers > 0 ? Math.round(f.generator.rss.readyBytes / f.generator.rss.workers) : null,
    },
    kernel: {
      established: keep('kernel.established', counts.established),
      syscalls: keep('kernel.syscalls', counts.syscalls),
      errors,
      // EADDRNOTAVAIL by the evidence where the namespace's sockets were read; the others by their errno
      limitsHit: Object.fromEntries(Object.keys(errors).flatMap((e) => {
        const limit = (e === 'EADDRNOTAVAIL' ? attributeAddrNotAvail(f.addressUse ?? null, f.lab.portRange.size)?.limit : null) ?? limitOfErrno(e);
        return limit ? [[e, limit]] : [];
      })),
      latency: {
        socket: keep('kernel.latency.socket', latency(r.socketCreation.socketNs)),
        connect: keep('kernel.latency.connect', latency(r.portAllocation.connectNs)),
        handshake: keep('kernel.latency.handshake', latency(r.connections.handshakeNs)),
      },
      histograms: {socketNs: r.socketCreation.socketNs, connectNs: r.portAllocation.connectNs, handshakeNs: r.connections.handshakeNs},
      receive: keep('kernel.receive', {tcpSegments: r.receiveLookup.tcpSegments, packets: r.receiveLookup.packets, byIpVersion: r.receiveLookup.tcpSegmentsByIpVersion}),
      // sockets handed to TIME_WAIT; TIME_WAIT sockets connect() reused (null: no function probe served timeWait)
      timeWait: keep('kernel.timeWait', timeWaitCounts(k, f.plan)),
      functions: functionCounts(k, f.plan),
      lostEvents: f.lostEvents,
    },
    ports: {
      server: f.ports,
      range: f.lab.portRange,
      perDestination: keep('ports.perDestination', ports.portsPerDestination),
      parity: keep('ports.parity', ports.parity),
      correlation: keep('ports.correlation', {matched: ports.matched, onlyKernel: ports.onlyKernel, onlyGenerator: ports.onlyGenerator}),
      // distinct 4-tuples the kernel saw connect, and local ports used per local address (over every destination)
      fourTupleCount: keep('ports.fourTuples', tuples.length),
      localPortsByAddress: keep('ports.fourTuples', localPortsByAddress(tuples)),
    },
    slab: {
      source: slabPlanned ? ('tracepoint' as const) : ('slabinfo' as const),
      sampledConnections: slabPlanned ? f.slabConnections : null,
      bytesPerConnection: {
        tracepoint: slabPlanned ? keep('slab.bytesPerConnection.tracepoint', perConnection(heldBytes, slabN)) : null,
        slabinfo: perConnection(slabinfoDeltaOver(costs), established),
      },
      byCache: keep('slab.byCache', Object.fromEntries(costs.map((c) => [c.cache, c.bytesPerConnection]))),
      // the same caches' growth in /proc/slabinfo, per connection (null: the cache is not listed there)
      slabinfoByCache: Object.fromEntries(costs.map((c) => [c.cache, c.slabinfoDeltaBytes === null ? null : perConnection(c.slabinfoDeltaBytes, established)])),
      meminfoSlabDeltaBytes: (f.memoryAfter.meminfo.Slab ?? 0) - (f.memoryBefore.meminfo.Slab ?? 0),
    },
    probePlan: planToJson(f.plan),
    probeFailures: f.failedProbes,
    limits: f.limits,
    lab: f.lab,
    stoppedBy: f.stoppedBy,
    durationMs: f.durationMs,
    startupMs: f.startupMs,
    // what makes numbers wrong, in words; and the numbers withheld for it (null above), with why
    warnings: [...(f.warnings ?? []), ...bounded.warnings, ...judged.warnings],
    incomplete: judged.incomplete,
    // the fields null by design in this plan (no function probe served them), with why
    notMeasured: functionFieldsNotMeasured(f.plan),
  };
}

// The summary's type.
export type Summary = ReturnType<typeof buildSummary>;
