// The experiment's sampler (run and trace): one live state at once, then one a second, drawn and recorded, until stopped.
import {memorySnapshot} from '../system/memory.js';
import type {LiveState} from '../correlate/live.js';
import type {Sample} from '../correlate/sample.js';
import type {RunView} from './run-view.js';

// MemAvailable under this stops the ramp, whatever the scenario.
export const MEMORY_GUARD_BYTES = 2 * 2 ** 30;

// The guard in force: MEMORY_GUARD_BYTES, or TCP_TRACE_MEMORY_GUARD_BYTES (the tests' way to make it bind).
export function memoryGuardBytes(env = process.env): number {
  const n = Number(env.TCP_TRACE_MEMORY_GUARD_BYTES);
  return Number.isFinite(n) && n > 0 ? n : MEMORY_GUARD_BYTES;
}

// What the sampler needs: how to build the live state, where it goes, and what to do when memory runs low.
export type SamplerOptions = {
  live: (memAvailableBytes: number) => LiveState | Promise<LiveState>;
  view: RunView;
  // the samples file (run); nothing for trace, whose samples are the view's JSON lines
  record?: (sample: Sample) => void;
  // absent: no guard (trace makes no connection to stop)
  onLowMemory?: (memAvailableBytes: number) => void;
};

// Start sampling; stop() ends it, and a tick under way then neither draws nor records (the final sample is the caller's).
export function startSampler(o: SamplerOptions): {stop: () => void} {
  let stopped = false;
  let guarded = false;
  const tick = async () => {
    const mem = await memorySnapshot();
    if (stopped) return;
    const state = await o.live(mem.meminfo.MemAvailable ?? 0);
    // a tick under way when the sampler stops neither draws nor records
    if (stopped) return;
    o.view.update(state);
    o.record?.(state.sample);
    if (state.sample.memAvailableBytes < memoryGuardBytes() && !guarded && o.onLowMemory) {
      guarded = true;
      o.onLowMemory(state.sample.memAvailableBytes);
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), 1000);
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
