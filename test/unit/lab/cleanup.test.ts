import test from 'ava';
import {registerCleanup, runCleanups} from '../../../src/lab/cleanup.js';

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

test.serial('a crash while a command undoes its lab waits for that undo before exiting', async (t) => {
  const done: string[] = [];
  const close = registerCleanup(async () => {
    await later(100);
    done.push('lab');
  });
  // the command's finally started it (so it left the stack) ...
  const closing = close();
  // ... and an error elsewhere runs the cleanups: they must not resolve before the lab is undone
  await runCleanups();
  t.deepEqual(done, ['lab']);
  await closing;
  t.deepEqual(done, ['lab'], 'once, not twice');
});

test.serial('two crashes at once run every cleanup once, and both wait for all of them', async (t) => {
  const done: string[] = [];
  registerCleanup(async () => {
    await later(50);
    done.push('netns');
  });
  registerCleanup(async () => {
    await later(50);
    done.push('bpftrace');
  });
  await Promise.all([runCleanups().then(() => t.is(done.length, 2)), runCleanups().then(() => t.is(done.length, 2))]);
  t.deepEqual(done, ['bpftrace', 'netns']);
});
