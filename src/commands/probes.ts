// `tcp-trace probes`: the probe plan for this host, one line per measurement, or --json; --emit [measurement]
// prints each planned program as it will run (bcc's --ebpf): rendered for this bpftrace and kernel.
import {openLab} from '../lab/lab.js';
import {requireRoot} from '../system/preflight.js';
import {inspectHost} from '../system/host.js';
import {formatPlan, planToJson} from '../probes/plan.js';
import {flagString, probeKind, type FlagValues} from '../options.js';
import {MEASUREMENTS} from '../probes/catalog.js';
import {composeGroup, processGroups} from '../probes/session.js';
import {UsageError} from '../errors.js';

// Print the plan; exit 0.
export async function run({values, positionals = []}: {values: FlagValues; positionals?: string[]}): Promise<number> {
  const forced = probeKind(flagString(values, 'probes'));
  const [only, extra] = positionals;
  if (extra !== undefined) throw new UsageError(`\`tcp-trace probes\` takes at most one measurement, got \`${extra}\` too`);
  if (only !== undefined && !values.emit) throw new UsageError(`A measurement (\`${only}\`) goes with --emit: \`tcp-trace probes --emit ${only}\``);
  if (only !== undefined && !(MEASUREMENTS as string[]).includes(only)) {
    throw new UsageError(`Unknown measurement \`${only}\`: choose one of ${MEASUREMENTS.join(', ')}`);
  }
  await requireRoot();
  const lab = await openLab();
  try {
    const host = await inspectHost(lab.tracefs, forced);
    if (values.emit) {
      const facts = {version: host.bpftrace.version, kmemNameDataOffset: host.capabilities.kmemNameDataOffset, structOffsets: host.capabilities.structOffsets};
      // one program per bpftrace process, as a run starts them (its measurements composed together)
      const groups = processGroups(host.plan);
      for (const [i, group] of groups.entries()) {
        if (only !== undefined && !group.some((e) => e.measurement === only)) continue;
        const served = group.map((e) => `${e.measurement} (${e.variant!.file}, ${e.kind})`).join(', ');
        const head = `// process ${i + 1} of ${groups.length}: ${served} for bpftrace ${host.bpftrace.version.text}`;
        const body = (await composeGroup(group, facts)).text;
        process.stdout.write(`${head}\n// arguments: NETNS_INUM PID COMM PORT LPORT RPORT (0, 0, "", 0, 0, 0 = every namespace, process and port)\n${body}\n`);
      }
      for (const p of host.plan.filter((e) => !e.variant && (only === undefined || e.measurement === only))) process.stdout.write(`// ${p.measurement}: none: ${p.why}\n`);
      return 0;
    }
    if (values.json) process.stdout.write(`${JSON.stringify(planToJson(host.plan), null, 2)}\n`);
    else process.stdout.write(`${['measurement     kind       why', ...formatPlan(host.plan)].join('\n')}\n`);
    return 0;
  } finally {
    await lab.close();
  }
}
