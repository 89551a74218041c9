// The lab of one run: its journal, its namespace, and the undo of both on every exit path.
import {Journal, undoLeftovers} from './journal.js';
import {createNetns, labNetnsName, type Netns} from './netns.js';
import {registerCleanup} from './cleanup.js';
import {warnLine} from '../errors.js';
import {ensureTracefs} from '../system/tracefs.js';

// An open lab; leftovers: one line for each killed run whose leftovers were undone on the way in; tracefs: whether
// the host had it mounted, the lab mounted it, or it shares another tcp-trace command's mount.
export type Lab = {journal: Journal; netns: Netns | null; leftovers: string[]; tracefs: 'present' | 'mounted' | 'shared'; close: () => Promise<void>};

// Undo what killed runs left (saying so), open the journal and register its undo, and mount tracefs where the host
// has not (journaled: bpftrace reads tracepoint formats there, and so does the host inspection); the namespace
// comes with makeNetns. Every change to the host is the lab's: the inspection before it only reads.
export async function openLab(): Promise<Lab> {
  const leftovers = await undoLeftovers();
  const journal = await new Journal().open();
  const lab: Lab = {journal, netns: null, leftovers, tracefs: 'present', close: async () => undefined};
  lab.close = registerCleanup(async () => {
    // the watchdog deletes the namespace's name; the journal then finds it gone (or deletes it, if the watchdog could not)
    await lab.netns?.release();
    const failures = await journal.undoAll();
    for (const f of failures) warnLine(`tcp-trace: could not undo ${f}: run \`sudo tcp-trace restore\``);
  });
  lab.tracefs = await ensureTracefs(journal);
  return lab;
}

// Make the lab's private namespace with its own port range.
export async function makeNetns(lab: Lab, portRange?: {low: number; high: number}): Promise<Netns> {
  lab.netns = await createNetns(lab.journal, labNetnsName(), portRange);
  return lab.netns;
}
