// The cleanup stack: what must be undone on every exit path (normal end, signal, crash), newest first.

type Cleanup = () => Promise<void> | void;
const stack: Cleanup[] = [];

// Register fn to run once on exit; returns a function that runs it now and unregisters it.
export function registerCleanup(fn: Cleanup): () => Promise<void> {
  let done = false;
  const once: Cleanup = async () => {
    if (done) return;
    done = true;
    await fn();
  };
  stack.push(once);
  return async () => {
    const i = stack.indexOf(once);
    if (i >= 0) stack.splice(i, 1);
    await once();
  };
}

// Run every registered cleanup, newest first; errors are written to stderr, never swallowed. A second call
// while one is under way (a crash during the cleanup of another) waits for the same run, so that nobody
// exits while a namespace or a bpftrace process is still being undone.
let running: Promise<void> | null = null;
export function runCleanups(): Promise<void> {
  running ??= (async () => {
    while (stack.length > 0) {
      const fn = stack.pop()!;
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`tcp-trace: cleanup failed: ${(error as Error).message}\n`);
      }
    }
  })().finally(() => {
    running = null;
  });
  return running;
}
