// `tcp-trace doctor`: what this kernel lets us probe, its limits, and the predicted ceiling of connections.
import type {FlagValues} from '../options.js';
import {openLab} from '../lab/lab.js';
import {requireRoot} from '../system/preflight.js';
import {inspectHost, type Host} from '../system/host.js';
import {DEFAULT_SLAB_BYTES_PER_CONNECTION, predictCeilings} from '../system/ceiling.js';
import {formatPlan, planToJson} from '../probes/plan.js';
import {MEMORY_GUARD_BYTES} from './run-sampler.js';
import {OLDEST_SUPPORTED, versionDefects, versionSupport} from '../bpftrace/version.js';

// The doctor's report as data (printed as JSON with --json).
export function doctorReport(host: Host) {
  const ceilings = predictCeilings({
    limits: host.limits,
    destinations: 1,
    slabBytesPerConnection: DEFAULT_SLAB_BYTES_PER_CONNECTION,
    socketsPerConnection: 2,
    memoryReserveBytes: MEMORY_GUARD_BYTES,
  });
  return {
    kernel: host.kernel,
    root: true,
    // support: supported / broken (a defect the tool cannot work around) / unsupported (older than 0.17)
    bpftrace: {
      path: host.bpftrace.path,
      version: host.bpftrace.version.text,
      support: versionSupport(host.bpftrace.version),
      knownDefects: versionDefects(host.bpftrace.version),
    },
    btf: host.capabilities.btf,
    tracefs: host.tracefs,
    probeKinds: host.capabilities.kinds,
    kmemCacheName: host.capabilities.kmemName,
    limits: host.limits,
    ceiling: {binding: ceilings[0], all: ceilings, assumptions: `one destination (server ip:port) per client ip, ${DEFAULT_SLAB_BYTES_PER_CONNECTION} B of slab per loopback connection (two sockets), 2 GiB kept free`},
    probePlan: planToJson(host.plan),
  };
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-US') : 'unlimited');

// Print the report; exit 0.
export async function run({values}: {values: FlagValues}): Promise<number> {
  await requireRoot();
  const lab = await openLab();
  try {
    const host = await inspectHost(lab.tracefs);
    const r = doctorReport(host);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return 0;
    }
    const l = host.limits;
    const lines = [
      `kernel          ${r.kernel}`,
      `bpftrace        ${r.bpftrace.version} at ${r.bpftrace.path}: ${r.bpftrace.support.status}${r.bpftrace.support.fix ? ` (${r.bpftrace.support.why}; fix: ${r.bpftrace.support.fix})` : ` (tested: ${OLDEST_SUPPORTED} and newer)`}`,
      ...r.bpftrace.knownDefects.map((d) => `  known in ${d.versions}: ${d.what}; ${d.fix}${d.seen === 'reported' ? ' [reported, not measured here]' : ''}`),
      `BTF             ${r.btf ? 'yes (/sys/kernel/btf/vmlinux)' : 'no'}`,
      ...(['kfunc', 'kprobe', 'tracepoint'] as const).map((k) => `${k.padEnd(15)} ${r.probeKinds[k].attaches ? 'attaches' : `no: ${r.probeKinds[k].why}`}`),
      `kmem name      ${r.kmemCacheName ? ' yes (slab by cache from tracepoints)' : ' no (kernel < 6.18)'}`,
      '',
      `ip_local_port_range  ${l.ipLocalPortRange.low}-${l.ipLocalPortRange.high} (${fmt(l.ipLocalPortRange.size)} ports per destination)`,
      `fs.file-max          ${fmt(l.fileMax)} (${fmt(l.filesOpenHost)} open now)`,
      `fs.nr_open           ${fmt(l.nrOpen)}`,
      `RLIMIT_NOFILE        soft ${fmt(l.nofile.soft)}, hard ${fmt(l.nofile.hard)}`,
      `MemAvailable         ${fmt(Math.round(l.memAvailableBytes / 2 ** 20))} MiB`,
      `tcp_ehash_entries    ${fmt(l.tcpEhashEntries)}`,
      '',
      `predicted ceiling: ${fmt(r.ceiling.binding!.connections)} connections, bound by ${r.ceiling.binding!.limit} (${r.ceiling.binding!.errno})`,
      ...r.ceiling.all.map((c) => `  ${c.limit.padEnd(20)} ${fmt(c.connections).padStart(13)}  ${c.detail}`),
      '',
      'probe plan:',
      ...formatPlan(host.plan).map((s) => `  ${s}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await lab.close();
  }
}
