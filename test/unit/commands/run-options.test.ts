import test from 'ava';
import {runOptions} from '../../../src/commands/run-options.js';

test('ramp defaults: 20 000 connections on 4 ports from 12000', (t) => {
  const o = runOptions({}, []);
  t.like(o, {scenario: 'ramp', connections: 20_000, holdS: 3, serverMode: 'idle'});
  t.deepEqual(o.ports, [12000, 12001, 12002, 12003]);
});

test('million: enough ports for 15 000 sockets per server process', (t) => {
  t.is(runOptions({}, ['million']).ports.length, 67);
});

test('port-exhaustion: the connection count is the range size; --connections is refused', (t) => {
  t.like(runOptions({}, ['port-exhaustion']), {connections: 10, portRange: {low: 60000, high: 60009}});
  t.like(runOptions({'port-range': '61000-61019'}, ['port-exhaustion']), {connections: 20});
  t.throws(() => runOptions({connections: '5'}, ['port-exhaustion']), {message: /`--connections` does not apply to port-exhaustion/});
});

test('fd-limit: RLIMIT_NOFILE 256 and 16 connections more than that', (t) => {
  t.like(runOptions({}, ['fd-limit']), {nofile: 256, connections: 272});
  t.like(runOptions({nofile: '100'}, ['fd-limit']), {nofile: 100, connections: 116});
});

test('four-tuple: three connections, echo server', (t) => {
  t.like(runOptions({}, ['four-tuple']), {connections: 3, serverMode: 'echo', concurrency: 1});
});

test('--measure picks measurements; an unknown one is refused', (t) => {
  t.deepEqual(runOptions({measure: 'slab,connections'}, []).measure, ['slab', 'connections']);
  t.deepEqual(runOptions({measure: 'none'}, []).measure, []);
  t.throws(() => runOptions({measure: 'magic'}, []), {message: /Unknown measurement `magic`/});
});

test('--slab-sample: 5000 by default; hello keeps the slab probe to the end and refuses a sample', (t) => {
  t.is(runOptions({}, []).slabSample, 5000);
  t.is(runOptions({'slab-sample': '0'}, []).slabSample, 0);
  t.is(runOptions({}, ['hello']).slabSample, 0);
  t.is(runOptions({'slab-sample': '0'}, ['hello']).slabSample, 0);
  t.throws(() => runOptions({'slab-sample': '500'}, ['hello']), {message: /^`--slab-sample 500` does not apply to hello \(.*\): leave it out$/});
});

test('the limit scenarios: bind-first sized by its range, accept-overflow fixed, ipv6 on ::1, one-port and million sharing one port', (t) => {
  t.like(runOptions({}, ['bind-first']), {connections: 20, ports: [12000, 12001], portRange: {low: 60000, high: 60019}, concurrency: 1});
  t.like(runOptions({}, ['accept-overflow']), {connections: 19, backlog: 16, ports: [12000]});
  t.throws(() => runOptions({connections: '30'}, ['accept-overflow']), {message: /--connections.*does not apply to accept-overflow/});
  t.like(runOptions({}, ['ipv6']), {host: '::1', connections: 20000});
  t.like(runOptions({}, ['one-port']), {connections: 180, ports: [12000], sharedServers: 2, clientAddresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']});
  // the article's setup: 20 client addresses, one server port, as many server processes as the fd limit needs
  const m = runOptions({'client-addresses': '20', ports: '1'}, ['million'], 20_000);
  t.is(m.ports.length, 1);
  t.is(m.clientAddresses!.length, 20);
  t.is(m.clientAddresses!.at(-1), '127.0.0.21');
  t.is(m.sharedServers, Math.ceil(1_000_000 / 15_000));
  t.throws(() => runOptions({'client-addresses': '4'}, ['ramp']), {message: /--client-addresses.*does not apply to ramp/});
  // bind(ip, 0) holds a port of the range per address for every destination: 4 x 50 bound sockets at most
  t.like(runOptions({connections: '200'}, ['one-port']), {connections: 200});
  t.throws(() => runOptions({connections: '201'}, ['one-port']), {
    message: '`--connections 201` is more than 4 client addresses x the 50 ports of --port-range 60000-60049 can bind: give --port-range a range of 51 ports or more (e.g. 60949-60999) or more --client-addresses',
  });
  t.like(runOptions({connections: '100000', 'port-range': '32768-60999'}, ['one-port'], 20_000), {connections: 100_000, sharedServers: 7});
});

test('port-search: sized by its range (1000 by default), which must be a multiple of 20 (tenths, halves of each parity)', (t) => {
  t.like(runOptions({}, ['port-search']), {connections: 1000, ports: [12000], portRange: {low: 40000, high: 40999}, concurrency: 1});
  t.like(runOptions({'port-range': '50000-50199'}, ['port-search']), {connections: 200});
  t.throws(() => runOptions({'port-range': '50000-50100'}, ['port-search']), {message: /^`--port-range 50000-50100` does not suit port-search \(.*\): give it a multiple of 20 ports, e\.g\. 40000-40999$/});
  t.throws(() => runOptions({connections: '10'}, ['port-search']), {message: /--connections.*does not apply to port-search/});
});
