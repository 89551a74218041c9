// The lab of one run: its journal, its namespace, and the undo of both on every exit path.
import {Journal, listJournals} from './journal.js';
import {createNetns, labNetnsName, type Netns} from './netns.js';
import {registerCleanup} from './cleanup.js';
import {warnLine} from '../errors.js';

// An open lab.
export type Lab = {journal: Journal; netns: Netns | null; leftovers: number; close: () => Promise<void>};

// Open the journal and register its undo; the namespace comes with makeNetns.
export async function openLab(): Promise<Lab> {
  const leftovers = (await listJournals()).filter((j) => !j.ownerAlive).length;
  const journal = await new Journal().open();
  const lab: Lab = {journal, netns: null, leftovers, close: async () => undefined};
  lab.close = registerCleanup(async () => {
    const failures = await journal.undoAll();
    for (const f of failures) warnLine(`tcp-trace: could not undo ${f}: run \`sudo tcp-trace restore\``);
  });
  return lab;
}

// Make the lab's private namespace with its own port range.
export async function makeNetns(lab: Lab, portRange?: {low: number; high: number}): Promise<Netns> {
  lab.netns = await createNetns(lab.journal, labNetnsName(), portRange);
  return lab.netns;
}
