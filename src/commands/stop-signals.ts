// Ctrl-C and SIGTERM during a run: the first asks for a graceful stop (summary, undo), a second exits at once.
import {runCleanups} from '../lab/cleanup.js';

// The stop request of a run.
export type StopSignals = {signalled: Promise<void>; reason: () => string | null; trigger: (why: string) => void; dispose: () => void};

// Listen for SIGINT, SIGTERM and SIGHUP until dispose().
export function onStopSignals(): StopSignals {
  let why: string | null = null;
  let resolve!: () => void;
  const signalled = new Promise<void>((r) => (resolve = r));
  const trigger = (reason: string) => {
    if (why !== null && reason.startsWith('SIG')) {
      // second signal: undo the lab now and leave
      void runCleanups().then(() => process.exit(130));
      return;
    }
    why ??= reason;
    resolve();
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, () => trigger(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return {signalled, reason: () => why, trigger, dispose: () => handlers.forEach(([s, h]) => process.off(s, h))};
}
