// Which probe kinds really attach on this host, found by a trial attach of a tiny program for each.
import {access} from 'node:fs/promises';
import {READY_BLOCK, startBpftrace} from '../bpftrace/runner.js';
import {loadKallsyms} from './kallsyms.js';
import {neededFunctions} from '../probes/catalog.js';
import {functionProbeSpelling, type BpftraceVersion} from '../bpftrace/version.js';
import {run} from './exec.js';
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

// True when kmem:kmem_cache_alloc carries the cache `name` (Linux 6.18+).
export async function kmemHasName(bpftrace: string): Promise<boolean> {
  try {
    return /\bname\b/.test(await run(bpftrace, ['-lv', 'tracepoint:kmem:kmem_cache_alloc']));
  } catch {
    return false;
  }
}

// Trial-attach each kind (in parallel) and read the kernel facts the planner needs.
export async function detectCapabilities(bpftrace: string, version: BpftraceVersion): Promise<HostCapabilities> {
  const programs = trialPrograms(version);
  const [kfunc, kprobe, tracepoint, kmemName, btf, symbols] = await Promise.all([
    trial(bpftrace, programs.kfunc),
    trial(bpftrace, programs.kprobe),
    trial(bpftrace, programs.tracepoint),
    kmemHasName(bpftrace),
    access('/sys/kernel/btf/vmlinux').then(() => true, () => false),
    loadKallsyms(),
  ]);
  const present = new Set(symbols.names);
  // an unreadable kallsyms says nothing: leave the functions unknown (the attach itself will tell)
  const functions = present.size > 0 ? Object.fromEntries(neededFunctions().map((f) => [f, present.has(f)])) : undefined;
  return {kinds: {kfunc, kprobe, tracepoint}, kmemName, btf, functions};
}
