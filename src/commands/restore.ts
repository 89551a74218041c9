// `tcp-trace restore`: undo what killed runs left behind, from their journals under /run/tcp-trace. Every
// tcp-trace run does this by itself on the way in; restore is for doing it without a run, and for old journals.
import {listJournals, undoLeftover, JOURNAL_DIR} from '../lab/journal.js';
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
    const r = await undoLeftover(j);
    for (const f of r.failures) process.stderr.write(`tcp-trace: could not undo ${f}\n`);
    failures += r.failures.length;
    undone += r.entries - r.failures.length;
    const what = r.undone.length > 0 ? `: ${r.undone.join(', ')}` : '';
    process.stdout.write(`run ${j.ownerPid}: undid ${r.entries - r.failures.length} of ${r.entries} change(s)${what}\n`);
  }
  if (journals.length === 0) process.stdout.write(`nothing to restore: no journal under ${JOURNAL_DIR}\n`);
  else process.stdout.write(`restored ${undone} change(s)\n`);
  return failures > 0 ? 1 : 0;
}
