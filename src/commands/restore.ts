// `tcp-trace restore`: undo what killed runs left behind, from their journals under /run/tcp-trace.
import {listJournals, undoLeftover} from '../lab/journal.js';
import {requireRoot} from '../system/preflight.js';

// Undo every dead run's journal; exit 1 when something could not be undone.
export async function run(): Promise<number> {
  await requireRoot();
  const journals = await listJournals();
  let failures = 0;
  let undone = 0;
  for (const j of journals) {
    if (j.ownerAlive) {
      process.stdout.write(`run ${j.ownerPid} is still running: left alone (stop it with Ctrl-C or kill -TERM ${j.ownerPid})\n`);
      continue;
    }
    const failed = await undoLeftover(j);
    for (const f of failed) process.stderr.write(`tcp-trace: could not undo ${f}\n`);
    failures += failed.length;
    undone += j.entries.length - failed.length;
    process.stdout.write(`run ${j.ownerPid}: undid ${j.entries.length - failed.length} of ${j.entries.length} change(s)\n`);
  }
  if (journals.length === 0) process.stdout.write('nothing to restore: no journal under /run/tcp-trace\n');
  else process.stdout.write(`restored ${undone} change(s)\n`);
  return failures > 0 ? 1 : 0;
}
