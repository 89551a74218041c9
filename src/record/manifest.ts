// The manifest of a run: everything needed to say where and how its numbers were measured.
import {readFile} from 'node:fs/promises';
import os from 'node:os';
import type {Host} from '../system/host.js';
import {planToJson, type PlanEntry} from '../probes/plan.js';
import {toolVersion} from '../tool-version.js';

// The facts of the machine the manifest records.
export type MachineFacts = {toolVersion: string; distribution: string; cores: number; memoryBytes: number; argv?: string[]};

// Read the tool's version, the distribution and the machine size.
export async function machineFacts(): Promise<MachineFacts> {
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const distribution = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? 'unknown';
  // the command's own arguments, for the report's "reproduce" section
  return {toolVersion: toolVersion(), distribution, cores: os.cpus().length, memoryBytes: os.totalmem(), argv: process.argv.slice(2)};
}

// The manifest object (pure).
export function buildManifest(input: {
  facts: MachineFacts;
  host: Host;
  plan: PlanEntry[];
  scenario: string;
  parameters: Record<string, unknown>;
  lab: {netns: string; netnsInum: number; portRange: {low: number; high: number; size: number}};
  startedAt: Date;
}) {
  return {
    tool: {name: 'tcp-trace', version: input.facts.toolVersion},
    // the exact command line (as typed after `tcp-trace`)
    commandLine: input.facts.argv ? ['tcp-trace', ...input.facts.argv] : null,
    startedAt: input.startedAt.toISOString(),
    kernel: input.host.kernel,
    distribution: input.facts.distribution,
    bpftrace: {path: input.host.bpftrace.path, version: input.host.bpftrace.version.text},
    probeKinds: input.host.capabilities.kinds,
    probePlan: planToJson(input.plan),
    scenario: input.scenario,
    parameters: input.parameters,
    limitsBefore: input.host.limits,
    lab: input.lab,
    machine: {cores: input.facts.cores, memoryBytes: input.facts.memoryBytes},
  };
}
