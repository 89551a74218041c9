// hello: the ramp, then a 12-byte message each way on every connection; the server never reads, so the
// client's message stays queued in the kernel: slab per connection before and after.
import {readAll} from '../measurements/index.js';
import type {Summary} from '../correlate/summary.js';
import {slabinfoDeltas} from '../correlate/slab.js';
import {rampClaims, rampSteps} from './ramp.js';
import type {Claim, Scenario} from './types.js';

// The message: 12 bytes.
export const HELLO = 'hello world\n';

// Socket buffers of the lab namespace (ss): bytes queued unread and charged for, at one moment.
type Buffers = {unreadBytes: number; chargedBytes: number} | null;
type Steps = {
  before: {tracepoint: number | null; slabinfo: number; buffers?: Buffers};
  after: {tracepoint: number | null; slabinfo: number; buffers?: Buffers};
  connections: number;
};

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

// Judge the claims (pure).
export function helloClaims(s: Summary, steps: Steps): Claim[] {
  const perConn = (bytes: number | null) => (bytes === null || steps.connections === 0 ? null : Math.round(bytes / steps.connections));
  const before = perConn(steps.before.tracepoint ?? steps.before.slabinfo);
  const after = perConn(steps.after.tracepoint ?? steps.after.slabinfo);
  return [
    ...rampClaims(s).slice(0, 1),
    {
      claim: 'a message each way adds buffer memory on top of the idle cost',
      held: before !== null && after !== null && after > before,
      evidence: {
        bytesPerConnectionBefore: before,
        bytesPerConnectionAfter: after,
        slabinfoPerConnectionBefore: perConn(steps.before.slabinfo),
        slabinfoPerConnectionAfter: perConn(steps.after.slabinfo),
        messageBytes: HELLO.length,
        // buffer memory is not slab: the messages sit unread in the sockets' receive queues (both ends never read)
        unreadBytesAfter: steps.after.buffers?.unreadBytes ?? null,
        bufferBytesPerConnectionBefore: perConn(steps.before.buffers?.chargedBytes ?? null),
        bufferBytesPerConnectionAfter: perConn(steps.after.buffers?.chargedBytes ?? null),
      },
    },
  ];
}

// The hello scenario.
export const hello: Scenario = {
  drive: async (ctx) => {
    const base = await ctx.memory();
    // no slab sample here (SCENARIO_DEFAULTS): the probe sees every connection and the messages' buffers
    const {completed} = await rampSteps(ctx);
    const established = ctx.generator.stats().established;
    if (!completed) return {before: {tracepoint: null, slabinfo: 0}, after: {tracepoint: null, slabinfo: 0}, connections: established};
    ctx.setPhase('holding');
    const measure = async () => {
      const [kernel, mem] = [await ctx.kernelAfterTicks(1), await ctx.memory()];
      const held = sum(readAll(kernel).slab.heldBytesByCache);
      const b = (await ctx.buffers?.()) ?? null;
      const buffers = b && {unreadBytes: b.unreadBytes, chargedBytes: b.rmemBytes + b.wmemQueuedBytes + b.forwardAllocBytes};
      return {tracepoint: held > 0 ? held : null, slabinfo: sum(slabinfoDeltas(base.caches, mem.caches)), buffers};
    };
    const before = await measure();
    await ctx.generator.hello(HELLO);
    ctx.note(`sent ${HELLO.length} bytes each way on ${established} connections`);
    const after = await measure();
    return {before, after, connections: established};
  },
  claims: (s, steps) => helloClaims(s, steps as Steps),
};
