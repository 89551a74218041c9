import test from 'ava';
import {faultLine, lostText, markLost, type Fault} from '../../../src/commands/run-faults.js';

const died: Fault = {part: 'bpftrace tcpstates-tp.bt (pid 4242)', atMs: 12_345, why: 'the connections program ended unasked', missing: 'connections from then on (shown as lost)', measurement: 'connections'};

test('a fault is one line: when, which part, why, what is missing', (t) => {
  t.is(faultLine(died), 'fault at 12.3 s: bpftrace tcpstates-tp.bt (pid 4242): the connections program ended unasked; missing: connections from then on (shown as lost)');
  t.is(lostText(died), 'lost at 12.3 s: the connections program ended unasked');
});

test("a lost measurement's summary fields say lost, never its last totals; the others are untouched", (t) => {
  const summary = {kernel: {established: {client: 480, server: 480}, syscalls: {socket: 499}}, ports: {correlation: {matched: 499}}};
  const marked = markLost(summary, [died]);
  t.is(marked.kernel.established as unknown, 'lost at 12.3 s: the connections program ended unasked');
  t.deepEqual(marked.kernel.syscalls, {socket: 499});
  t.deepEqual(marked.ports, {correlation: {matched: 499}});
  // pure: the input is left as it was
  t.deepEqual(summary.kernel.established, {client: 480, server: 480});
  // a fault of no measurement (a worker, the disk) changes no field
  t.deepEqual(markLost(summary, [{...died, measurement: undefined}]), summary);
});
