// `tcp-trace probes`: the probe plan for this host, one line per measurement, or --json.
import {Journal} from '../lab/journal.js';
import {registerCleanup} from '../lab/cleanup.js';
import {requireRoot} from '../system/preflight.js';
import {inspectHost} from '../system/host.js';
import {formatPlan, planToJson} from '../probes/plan.js';
import {flagString, probeKind, type FlagValues} from '../options.js';

// Print the plan; exit 0.
export async function run({values}: {values: FlagValues}): Promise<number> {
  const forced = probeKind(flagString(values, 'probes'));
  await requireRoot();
  const journal = await new Journal().open();
  const undo = registerCleanup(async () => void (await journal.undoAll()));
  try {
    const host = await inspectHost(journal, forced);
    if (values.json) process.stdout.write(`${JSON.stringify(planToJson(host.plan), null, 2)}\n`);
    else process.stdout.write(`${['measurement     kind       why', ...formatPlan(host.plan)].join('\n')}\n`);
    return 0;
  } finally {
    await undo();
  }
}
