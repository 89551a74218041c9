// Each scenario's defaults: what `tcp-trace run <scenario>` does without flags.
import type {ServerMode} from '../load/protocol.js';

// The scenarios, in help order; ramp is the default.
export const SCENARIO_NAMES = ['ramp', 'four-tuple', 'port-exhaustion', 'fd-limit', 'hello', 'million', 'bind-first', 'accept-overflow', 'ipv6', 'one-port', 'time-wait', 'port-search'] as const;
// A scenario's name.
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

// Connects of the time-wait scenario after its pause, each reusing a TIME_WAIT socket (tcp_tw_reuse 2).
export const TIME_WAIT_REUSES = 10;

// Defaults a scenario sets; flags override them.
export type ScenarioDefaults = {
  connections: number | ((nofile: number) => number);
  portCount?: number;
  portRange?: {low: number; high: number};
  holdS: number;
  concurrency?: number;
  // connects per second, all clients together (10 000 unless set)
  ratePerSec?: number;
  serverMode: ServerMode;
  nofile?: number;
  // connections the slab probe measures before it stops (SLAB_SAMPLE unless set; 0: the whole run)
  slabSample?: number;
  // the server address ('127.0.0.1' unless set; '::1': IPv6)
  host?: string;
  // the servers' listen() backlog (4096 unless set)
  backlog?: number;
  // client addresses 127.0.0.2, .3, ... each connection binds (ip, 0) to before connect (none: the kernel picks at connect)
  clientAddresses?: number;
  // server processes sharing the one server port's listening socket (at least; more when the connections need them)
  sharedServers?: number;
  // the number of connections is fixed by the scenario (the range, the backlog): --connections does not apply
  fixedConnections?: string;
  summary: string;
};

// The table of defaults (DESIGN §5).
export const SCENARIO_DEFAULTS: Record<ScenarioName, ScenarioDefaults> = {
  ramp: {connections: 20_000, holdS: 3, serverMode: 'idle', summary: 'N connections to a few server ports: slab per connection by cache, ports used'},
  'four-tuple': {connections: 3, portCount: 2, holdS: 1, concurrency: 1, serverMode: 'echo', summary: 'one local port (bind + SO_REUSEADDR) connected to two server ports at once'},
  'port-exhaustion': {
    connections: 21, portCount: 2, portRange: {low: 60_000, high: 60_009}, holdS: 1, concurrency: 1, serverMode: 'idle',
    summary: 'range-size connections to one server port, EADDRNOTAVAIL, then range-size more to a second port',
  },
  'fd-limit': {connections: (nofile) => nofile + 16, portCount: 1, holdS: 1, concurrency: 1, serverMode: 'idle', nofile: 256, summary: 'a client worker with a low RLIMIT_NOFILE gets EMFILE at the predicted count'},
  // the slab probe must see the messages' buffers, after the ramp: it runs to the end
  hello: {connections: 20_000, holdS: 2, serverMode: 'idle', slabSample: 0, summary: 'the ramp, then a 12-byte message each way on every connection: buffer memory on top of the idle cost'},
  // ~15 000 connections a server port from one address: connect() takes the odd half of the range first,
  // and a default range (28 232 ports) leaves ~14 000 there, so the last ports cost a full scan each
  million: {
    connections: 1_000_000, portRange: {low: 1024, high: 65_535}, holdS: 3, ratePerSec: 1_000_000, serverMode: 'idle',
    summary: 'as many connections as memory allows (1 000 000 asked), over many server ports, local ports 1024-65535',
  },
  // connections: the range's size; 2 x range connect-time, then range + 2 bind-first (see bind-first.ts)
  'bind-first': {
    connections: 20, portCount: 2, portRange: {low: 60_000, high: 60_019}, holdS: 1, concurrency: 1, serverMode: 'idle', fixedConnections: 'its size is the --port-range',
    summary: 'ports chosen at connect() serve each server port; bound first (ip, 0) they run out for every destination at once: EADDRINUSE at bind',
  },
  // backlog + 1 complete into the queue, 2 more wait on SYN retransmissions until the server accepts again
  'accept-overflow': {
    connections: 19, portCount: 1, holdS: 1, concurrency: 1, serverMode: 'idle', backlog: 16, fixedConnections: 'backlog + 1 into the queue and two that wait',
    summary: 'a server that stops calling accept() (backlog 16): 17 complete into the queue, later SYNs are dropped and retransmitted after 1 s, 3 s ...',
  },
  ipv6: {connections: 20_000, holdS: 3, serverMode: 'idle', host: '::1', summary: 'the ramp over IPv6 (::1): both ends counted, the IPv6 caches (TCPv6) and receive path'},
  'one-port': {
    connections: 180, portCount: 1, portRange: {low: 60_000, high: 60_049}, holdS: 1, serverMode: 'idle', clientAddresses: 4, sharedServers: 2,
    summary: 'one server ip:port past the range size: 4 client addresses (127.0.0.2-5) each with its own ports, server processes sharing the listening socket',
  },
  // connections: the range's size; range + 1 churned with tcp_tw_reuse 0, then TIME_WAIT_REUSES with 2 (see time-wait.ts)
  'time-wait': {
    connections: 50, portCount: 1, portRange: {low: 60_000, high: 60_049}, holdS: 1, concurrency: 1, serverMode: 'drain', fixedConnections: 'its size is the --port-range',
    summary: 'churn (connect, send a byte, client closes first) to one server ip:port: range-size connections, then EADDRNOTAVAIL with none open (port range x TIME_WAIT); tcp_tw_reuse 2 reuses them after 1 s',
  },
  // connections: the range's size (even, its ends of different parity); range + 1 connects, read by tenths (see port-search.ts)
  'port-search': {
    connections: 1000, portCount: 1, portRange: {low: 40_000, high: 40_999}, holdS: 1, concurrency: 1, serverMode: 'idle', fixedConnections: 'its size is the --port-range',
    summary: "one destination's ports filled one by one, then one more: the first half of the low end's parity, the second the other; connect() latency and ports tried (function probes) by tenth of the range",
  },
};
