// The cleanup stack: what must be undone on every exit path (normal end, signal, crash), newest first.

import {warnLine} from '../errors.js';

type Cleanup = () => Promise<void> | void;
const stack: Array<() => Promise<void>> = [];

// Cleanups a command started itself (lab.close() in a finally) and that are not done yet.
const inFlight = new Set<Promise<void>>();

// Register fn to run once on exit; returns a function that runs it now and unregisters it.
export function registerCleanup(fn: Cleanup): () => Promise<void> {
  let started: Promise<void> | null = null;
  const once = (): Promise<void> => (started ??= (async () => await fn())());
  stack.push(once);
  return async () => {
    const i = stack.indexOf(once);
    if (i >= 0) stack.splice(i, 1);
    const p = once();
    inFlight.add(p);
    try {
      await p;
    } finally {
      inFlight.delete(p);
    }
  };
}

// Run every registered cleanup, newest first, then wait for those already under way; errors are written to
// stderr, never swallowed. A second call while one runs (a crash during the cleanup of another) waits for
// the same run, so that nobody exits while a namespace or a bpftrace process is still being undone.
let running: Promise<void> | null = null;
export function runCleanups(): Promise<void> {
  running ??= (async () => {
    while (stack.length > 0) {
      const fn = stack.pop()!;
      try {
        await fn();
      } catch (error) {
        warnLine(`tcp-trace: cleanup failed: ${(error as Error).message}`);
      }
    }
    for (const r of await Promise.allSettled([...inFlight])) {
      if (r.status === 'rejected') warnLine(`tcp-trace: cleanup failed: ${(r.reason as Error).message}`);
    }
  })().finally(() => {
    running = null;
  });
  return running;
}
