// Which probe kinds really attach on this host, found by a trial attach of a tiny program for each.
import {access, readFile} from 'node:fs/promises';
import {READY_BLOCK, startBpftrace} from '../bpftrace/runner.js';
import {loadKallsyms} from './kallsyms.js';
import {neededFunctions} from '../probes/catalog.js';
import {functionProbeSpelling, structsThroughClang, type BpftraceVersion} from '../bpftrace/version.js';
import {run} from './exec.js';
import {parseBtf} from './btf.js';
import {structOffsetsOf, type StructOffsets} from '../probes/render.js';
import {TRACEFS} from './tracefs.js';
import type {HostCapabilities} from '../probes/plan.js';
import type {ProbeKind} from '../probes/catalog.js';

// The trial programs: each hooks a function or tracepoint every TCP host has.
export function trialPrograms(version: BpftraceVersion): Record<ProbeKind, string> {
  const spell = functionProbeSpelling(version);
  return {
    kfunc: `${READY_BLOCK} ${spell.entry}:tcp_v4_rcv { @n = count(); }`,
    kprobe: `${READY_BLOCK} kprobe:tcp_v4_rcv { @n = count(); }`,
    tracepoint: `${READY_BLOCK} tracepoint:sock:inet_sock_set_state { @n = count(); }`,
  };
}

async function trial(bpftrace: string, program: string): Promise<{attaches: boolean; why: string}> {
  try {
    const handle = await startBpftrace({bpftrace, program, attachTimeoutMs: Number(process.env.TCP_TRACE_ATTACH_TIMEOUT_MS) || 30_000});
    await handle.stop(2000);
    return {attaches: true, why: 'trial attach succeeded'};
  } catch (error) {
    return {attaches: false, why: (error as Error).message};
  }
}

// True when a tracepoint's format (tracefs events/SYSTEM/EVENT/format) declares a field of that name.
export function formatHasField(format: string, field: string): boolean {
  return new RegExp(`^\\s*field:[^;\\n]*\\b${field}(\\[\\d*\\])?;`, 'm').test(format);
}

// Where a tracepoint's first `__data_loc` string starts in its record, in bytes: the end of its last fixed field
// (the kernel's trace_event_get_offsets puts dynamic data right after the fields; 61 for kmem_cache_alloc on 6.18).
// Null when the format declares no __data_loc field.
export function formatDataOffset(format: string): number | null {
  if (!/field:__data_loc /.test(format)) return null;
  let end = 0;
  for (const m of format.matchAll(/^\s*field:[^;\n]*;\s*offset:(\d+);\s*size:(\d+);/gm)) end = Math.max(end, Number(m[1]) + Number(m[2]));
  return end > 0 ? end : null;
}

// The data offset of kmem:kmem_cache_alloc's `name` (see formatDataOffset), or null where tracefs has no format.
export async function kmemNameDataOffset(): Promise<number | null> {
  try {
    return formatDataOffset(await readFile(`${TRACEFS}/events/kmem/kmem_cache_alloc/format`, 'utf8'));
  } catch {
    return null;
  }
}

// The kernel struct offsets the probes read, from /sys/kernel/btf/vmlinux; null where it is missing or unreadable
// (bpftrace then reads the structs as written).
export async function kernelStructOffsets(path = '/sys/kernel/btf/vmlinux'): Promise<StructOffsets | null> {
  try {
    return structOffsetsOf(parseBtf(await readFile(path)));
  } catch {
    return null;
  }
}

// True when kmem:kmem_cache_alloc carries the cache `name` (Linux 6.18+): read from its tracefs format (what
// `bpftrace -lv` reads, without starting a bpftrace), or from bpftrace where tracefs has no such file.
export async function kmemHasName(bpftrace: string): Promise<boolean> {
  try {
    return formatHasField(await readFile(`${TRACEFS}/events/kmem/kmem_cache_alloc/format`, 'utf8'), 'name');
  } catch {
    try {
      return /\bname\b/.test(await run(bpftrace, ['-lv', 'tracepoint:kmem:kmem_cache_alloc']));
    } catch {
      return false;
    }
  }
}

// Why bpftrace cannot attach any kprobe here, or null when it may (only a trial attach tells): bpftrace needs the
// kprobe PMU or tracefs's kprobe_events, and a kernel built without kprobes has neither.
export async function kprobesMissing(): Promise<string | null> {
  const exists = (path: string) => access(path).then(() => true, () => false);
  const [pmu, events] = await Promise.all([exists('/sys/bus/event_source/devices/kprobe'), exists(`${TRACEFS}/kprobe_events`)]);
  return pmu || events ? null : `no kprobe PMU (/sys/bus/event_source/devices/kprobe) and no ${TRACEFS}/kprobe_events: this kernel has no kprobes`;
}

// What a kind the planner may not use is recorded as, instead of a trial: attaches null, neither yes nor no.
function notTried(forced: ProbeKind): {attaches: null; why: string} {
  return {attaches: null, why: `not tried: --probes ${forced} was asked for`};
}

// Trial-attach each kind (in parallel) and read the kernel facts the planner needs. Each trial is a bpftrace
// process (~0.2-0.3 s of CPU before the run's first sample; 5-7 s in a one-vCPU TCG guest): none for kprobes
// where the kernel has none, and under `--probes KIND` (forced) none but KIND's, the only kind the plan may use.
// The BTF struct offsets are read only for a bpftrace that would parse the structs with clang (structsThroughClang).
export async function detectCapabilities(bpftrace: string, version: BpftraceVersion, forced?: ProbeKind): Promise<HostCapabilities> {
  const programs = trialPrograms(version);
  const tryKind = (kind: ProbeKind, attempt: () => Promise<{attaches: boolean | null; why: string}>) =>
    forced && forced !== kind ? Promise.resolve(notTried(forced)) : attempt();
  const [kfunc, kprobe, tracepoint, kmemName, btf, symbols, kmemDataOffset, structOffsets] = await Promise.all([
    tryKind('kfunc', () => trial(bpftrace, programs.kfunc)),
    tryKind('kprobe', () => kprobesMissing().then((why) => (why ? {attaches: false, why} : trial(bpftrace, programs.kprobe)))),
    tryKind('tracepoint', () => trial(bpftrace, programs.tracepoint)),
    kmemHasName(bpftrace),
    access('/sys/kernel/btf/vmlinux').then(() => true, () => false),
    loadKallsyms(),
    kmemNameDataOffset(),
    structsThroughClang(version) ? kernelStructOffsets() : Promise.resolve(null),
  ]);
  const present = new Set(symbols.names);
  // an unreadable kallsyms says nothing: leave the functions unknown (the attach itself will tell)
  const functions = present.size > 0 ? Object.fromEntries(neededFunctions().map((f) => [f, present.has(f)])) : undefined;
  return {kinds: {kfunc, kprobe, tracepoint}, kmemName, btf, functions, kmemNameDataOffset: kmemDataOffset, structOffsets};
}
