import test from 'ava';
import {PreconditionError, UsageError} from '../../../src/errors.js';
import {PER_WORKER, runOptions, socketsPerWorker} from '../../../src/commands/run-options.js';

test('a hard RLIMIT_NOFILE of 4096 gives 4000 sockets a worker process, and the default ramp 5 server ports', (t) => {
  t.is(socketsPerWorker(4096), 4000);
  t.is(socketsPerWorker(1_048_576), PER_WORKER);
  const o = runOptions({}, [], 4096);
  t.is(o.perWorker, 4000);
  t.is(o.connections, 20_000);
  t.is(o.ports.length, 5);
});

test('too few ports for the host limit name the limit and the fix', (t) => {
  const e = t.throws(() => runOptions({ports: '4'}, [], 4096), {instanceOf: UsageError});
  t.is(e.message, '`--ports 4` is too few for 20000 connections: one server process holds at most 4000 sockets (hard RLIMIT_NOFILE 4096 less 96 fds of its own); use --ports 5 or more');
});

test('a hard limit too low for the ramp is a precondition of the host (exit 1), with the numbers and the fix', (t) => {
  const e = t.throws(() => runOptions({}, [], 200), {instanceOf: PreconditionError});
  t.regex(e.message, /^20000 connections need 386 worker processes of at most 104 sockets each .* \(200\) and 1286 fds in tcp-trace to drive them: raise the hard limit/);
  t.throws(() => runOptions({}, [], 96), {instanceOf: PreconditionError});
  // the same host holds a small run
  t.is(runOptions({connections: '499'}, [], 200).ports.length, 5);
});

test('the million scenario on a generous host: 67 server ports of 15 000', (t) => {
  t.is(runOptions({}, ['million'], 1_048_576).ports.length, 67);
});
