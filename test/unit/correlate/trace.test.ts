import test from 'ava';
import {traceLive, traceSampleLine} from '../../../src/correlate/trace.js';
import {connectionsView} from '../../../src/dashboard/view-models.js';
import {foldLines, liveState} from '../../helpers/live.js';

const fold = foldLines;

test('trace live state: the dashboard counts are the kernel\'s, for the traced port only', (t) => {
  const kernel = fold([
    '{"type": "map", "data": {"@client_estab": {"8080": 23, "9090": 4}}}',
    '{"type": "map", "data": {"@server_estab": {"8080": 23, "9090": 4}}}',
    '{"type": "map", "data": {"@socket_ok": 24}}',
    '{"type": "map", "data": {"@accept_ok": 23}}',
    '{"type": "map", "data": {"@connect_ok": {"0": 23}}}',
    '{"type": "map", "data": {"@connect_errno": {"111": 2}}}',
  ]);
  const base = liveState(0);
  const live = traceLive({
    tMs: 2000, kernel, port: 8080, plan: base.plan, failedProbes: [], limits: base.limits, portRange: base.portRange, memAvailableBytes: 1,
  });
  t.is(live.phase, 'tracing');
  t.is(live.generator.established, 23);
  t.is(live.generator.accepted, 23);
  t.is(live.generator.attempted, 25);
  t.deepEqual(live.generator.failed, {ECONNREFUSED: 2});
  t.deepEqual(live.ports, [8080]);
  t.regex(connectionsView([live.sample], live).label ?? '', /^Connections 23\/23, kernel 23,/);
  // no port: every connection the probes saw
  const all = traceLive({tMs: 0, kernel, port: null, plan: base.plan, failedProbes: [], limits: base.limits, portRange: base.portRange, memAvailableBytes: 1});
  t.is(all.generator.established, 27);
});

test('trace sample: the run\'s sample shape, its counts the kernel\'s (connect() calls attempted, failures by errno summed)', (t) => {
  const kernel = foldLines([
    '{"type": "map", "data": {"@client_estab": {"8080": 23}}}',
    '{"type": "map", "data": {"@server_estab": {"8080": 22}}}',
    '{"type": "map", "data": {"@socket_ok": 24}}',
    '{"type": "map", "data": {"@accept_ok": 22}}',
    '{"type": "map", "data": {"@connect_ok": {"0": 23}}}',
    '{"type": "map", "data": {"@connect_errno": {"111": 2}}}',
  ]);
  const base = liveState(0);
  const {sample} = traceLive({tMs: 1500, kernel, port: null, plan: base.plan, failedProbes: [], limits: base.limits, portRange: base.portRange, memAvailableBytes: 7});
  t.deepEqual(Object.keys(sample).sort(), Object.keys({...base.sample, phase: 'x'}).sort());
  t.is(sample.phase, 'tracing');
  t.deepEqual(sample.connections, {attempted: 25, established: 23, failed: 2, accepted: 22});
  t.deepEqual(sample.kernel.established, {client: 23, server: 22});
  t.is(sample.kernel.sockets, 24);
  t.is(sample.memAvailableBytes, 7);
});

test('trace sample line: a field the summary withholds (incomplete) is null in the sample too; the rest stays, the summary under trace', (t) => {
  const kernel = foldLines([
    '{"type": "map", "data": {"@client_estab": {"8080": 5}}}',
    '{"type": "map", "data": {"@server_estab": {"8080": 5}}}',
    '{"type": "map", "data": {"@socket_ok": 6}}',
    '{"type": "map", "data": {"@accept_ok": 5}}',
  ]);
  const base = liveState(0);
  const live = traceLive({tMs: 1, kernel, port: null, plan: base.plan, failedProbes: [], limits: base.limits, portRange: base.portRange, memAvailableBytes: 7});
  const incomplete = {'kernel.syscalls': 'socketCreation: 3 runs skipped', 'slab.heldBytesByCache': 'slab: 2 runs skipped'};
  const line = traceSampleLine({...live, trace: {incomplete, kernel: {syscalls: null}}}) as Record<string, any>;
  t.deepEqual(line.connections, {attempted: null, established: 5, failed: null, accepted: null});
  t.deepEqual(line.kernel, {established: {client: 5, server: 5}, sockets: null, connectErrors: null, rxTcpSegments: 0});
  t.is(line.slab.heldBytes, null);
  t.is(line.slab.bytesPerConnection, null);
  t.is(line.memAvailableBytes, 7);
  t.deepEqual(line.trace.incomplete, incomplete);
  // the live state itself (the dashboard's) is left as it was
  t.is(live.sample.kernel.sockets, 6);
  // nothing withheld: the sample as it is
  t.deepEqual(traceSampleLine({...live, trace: {incomplete: {}}}), {...live.sample, trace: {incomplete: {}}});
});
