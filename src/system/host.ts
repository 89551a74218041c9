// Everything the tool learns about the host before it runs: root, bpftrace, what attaches, limits, the plan.
import {detectCapabilities} from './capabilities.js';
import {readLimits, type Limits} from './limits.js';
import {requireBpftrace, requireRoot} from './preflight.js';
import {planProbes, type HostCapabilities, type PlanEntry} from '../probes/plan.js';
import type {ProbeKind} from '../probes/catalog.js';
import type {BpftraceVersion} from '../bpftrace/version.js';
import {readFile} from 'node:fs/promises';

// The host as the tool sees it.
export type Host = {
  kernel: string;
  bpftrace: {path: string; version: BpftraceVersion};
  tracefs: 'present' | 'mounted' | 'shared';
  capabilities: HostCapabilities;
  limits: Limits;
  plan: PlanEntry[];
};

// Check preconditions, trial-attach (under `--probes KIND` only KIND), snapshot limits and plan the probes; changes
// nothing on the host (tracefs, where it was missing, is the lab's to mount first: `tracefs` says how the lab found it).
export async function inspectHost(tracefs: Host['tracefs'], forced?: ProbeKind): Promise<Host> {
  await requireRoot();
  const bpftrace = await requireBpftrace();
  const [capabilities, limits, kernel] = await Promise.all([
    detectCapabilities(bpftrace.path, bpftrace.version, forced),
    readLimits(),
    readFile('/proc/sys/kernel/osrelease', 'utf8').then((s) => s.trim()),
  ]);
  return {kernel, bpftrace, tracefs, capabilities, limits, plan: planProbes(capabilities, forced)};
}
