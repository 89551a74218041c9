// The run's sampler: a sample at once (before the workers and probes are up), none after stop().
import test from 'ava';
import {setTimeout as sleep} from 'node:timers/promises';
import {startSampler} from '../../../src/commands/run-sampler.js';
import type {RunView} from '../../../src/commands/run-view.js';
import type {LiveState} from '../../../src/correlate/live.js';
import type {Sample} from '../../../src/correlate/sample.js';
import {liveState} from '../../helpers/live.js';

// A view that keeps what it was given.
function keepingView(): RunView & {updates: LiveState[]} {
  const updates: LiveState[] = [];
  return {updates, headless: true, note: () => undefined, update: (s) => updates.push(s), summary: () => undefined, finished: async () => undefined, close: () => undefined};
}

test('the first sample is taken at once, with the MemAvailable read from /proc', async (t) => {
  const view = keepingView();
  const recorded: Sample[] = [];
  const sampler = startSampler({live: (mem) => liveState(0, undefined, {phase: 'starting', sample: {...liveState(0).sample, memAvailableBytes: mem}}), view, record: (s) => recorded.push(s), onLowMemory: () => undefined});
  for (let i = 0; i < 50 && recorded.length === 0; i++) await sleep(10);
  sampler.stop();
  t.is(recorded.length, 1);
  t.is(view.updates[0]!.phase, 'starting');
  t.true(recorded[0]!.memAvailableBytes > 0);
});

test('a tick under way when the sampler stops neither draws nor records', async (t) => {
  const view = keepingView();
  const recorded: Sample[] = [];
  const sampler = startSampler({live: () => liveState(0), view, record: (s) => recorded.push(s), onLowMemory: () => undefined});
  // the first tick is reading /proc/meminfo now
  sampler.stop();
  await sleep(300);
  t.is(recorded.length, 0);
  t.is(view.updates.length, 0);
});

test('MemAvailable under the guard calls onLowMemory once, however many samples see it', async (t) => {
  let calls = 0;
  const recorded: Sample[] = [];
  const low = (mem: number) => liveState(0, undefined, {sample: {...liveState(0).sample, memAvailableBytes: Math.min(mem, 1024)}});
  const sampler = startSampler({live: low, view: keepingView(), record: (s) => recorded.push(s), onLowMemory: () => calls++});
  for (let i = 0; i < 250 && recorded.length < 2; i++) await sleep(10);
  sampler.stop();
  t.is(recorded.length, 2);
  t.is(calls, 1);
});
