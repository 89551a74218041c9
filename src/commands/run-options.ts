// Pure validation of `tcp-trace run` flags into the experiment's parameters, from the scenario's defaults.
import {PreconditionError, UsageError} from '../errors.js';
import {flagString, portRange, positiveInt, probeKind, seconds, type FlagValues} from '../options.js';
import {clientWorkerCount, minPorts} from '../load/shares.js';
import type {ServerMode} from '../load/protocol.js';
import {MEASUREMENTS, type Measurement, type ProbeKind} from '../probes/catalog.js';
import {SCENARIO_DEFAULTS, SCENARIO_NAMES, TIME_WAIT_REUSES, type ScenarioName} from '../scenarios/defaults.js';

// A validated run.
export type RunOptions = {
  scenario: ScenarioName;
  connections: number;
  ports: number[];
  holdS: number;
  ratePerSec: number;
  concurrency: number;
  portRange?: {low: number; high: number};
  probes?: ProbeKind;
  headless: boolean;
  perWorker: number;
  measure: Measurement[];
  // the slab probe measures the first N connections, then stops (0: all of them); /proc/slabinfo covers the run
  slabSample: number;
  nofile?: number;
  serverMode: ServerMode;
  out: string;
  refreshMs: number;
  metricsPort: number | null;
  // the server address: 127.0.0.1, or ::1 (ipv6)
  host: string;
  // the servers' listen() backlog (4096 unless the scenario sets it)
  backlog?: number;
  // local addresses the connections bind (ip, 0) to before connect, in turn (none: ports chosen at connect)
  clientAddresses?: string[];
  // server processes accepting on the one server port's listening socket (1: one process a port)
  sharedServers: number;
};

// The scenarios whose connection count is their lab range's size.
const RANGE_SIZED: readonly ScenarioName[] = ['port-exhaustion', 'bind-first', 'time-wait', 'port-search'];

// Connections the generator makes in all for a scenario of n (port-exhaustion: 2 x range + 1; bind-first:
// 2 x range connect-time, then range + 2 bound first).
export function generatorConnections(scenario: ScenarioName, n: number): number {
  if (scenario === 'port-exhaustion') return 2 * n + 1;
  if (scenario === 'bind-first') return 3 * n + 2;
  if (scenario === 'time-wait') return n + 1 + TIME_WAIT_REUSES;
  if (scenario === 'port-search') return n + 1;
  return n;
}

// The client addresses 127.0.0.2, 127.0.0.3, ... (n of them): loopback's /8 is local to the namespace.
export function clientAddressList(n: number): string[] {
  return Array.from({length: n}, (_, i) => `127.0.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}`);
}

// Sockets one worker process holds at most: below the 20 000 hard fd limit seen on these hosts.
export const PER_WORKER = 15_000;
// fds a worker process holds besides its sockets: node's own (stdio, IPC, epoll, eventfd, the thread pool's),
// the listening sockets of its ports, and a /proc file read now and then, with room to spare
export const WORKER_OWN_FDS = 96;
// fds tcp-trace holds besides its workers' (bpftrace's pipes, the run directory, node's own), and for each worker
export const TOOL_OWN_FDS = 128;
export const FDS_PER_WORKER = 3;
// client worker processes a run may start at most (each one is a node process: tens of MB)
export const MAX_CLIENT_WORKERS = 200;

// Sockets one worker process can hold under the hard RLIMIT_NOFILE the workers inherit (node lifts its soft
// limit to the hard one): PER_WORKER, or fewer on a host whose hard limit is lower (4096 in many VMs and containers).
export function socketsPerWorker(nofileHard: number): number {
  return Math.max(1, Math.min(PER_WORKER, nofileHard - WORKER_OWN_FDS));
}
// Connections the slab probe measures by default before it stops: its kmem tracepoints fire ~55 times a
// connection and cost a third of the establish rate (bench/RESULTS.md); a sample keeps the rest untraced.
export const SLAB_SAMPLE = 5_000;
// Defaults of run's flags where no scenario sets its own (src/flags.ts shows them in --help and README).
export const BASE_PORT = 12_000;
export const RATE_PER_SEC = 10_000;
export const CONCURRENCY = 256;
export const REFRESH_S = 1;
export const OUT_DIR = 'tcp-trace-runs';

// "connections,slab" -> those measurements; every one when absent; `none` for the generator alone.
export function measurements(value: string | undefined): Measurement[] {
  if (value === undefined) return [...MEASUREMENTS];
  if (value === 'none') return [];
  const list = value.split(',').map((s) => s.trim());
  const bad = list.find((m) => !(MEASUREMENTS as string[]).includes(m));
  if (bad !== undefined) throw new UsageError(`Unknown measurement \`${bad}\` in \`--measure\`: choose from ${MEASUREMENTS.join(', ')}, or none`);
  return list as Measurement[];
}

// How many connections a scenario makes, given its flags.
function connectionCount(scenario: ScenarioName, flag: string | undefined, nofile: number | undefined, range: {low: number; high: number} | undefined): number {
  const d = SCENARIO_DEFAULTS[scenario];
  if ((scenario === 'four-tuple' || scenario === 'port-exhaustion' || d.fixedConnections) && flag !== undefined) {
    const fix = scenario === 'port-exhaustion' ? 'its size is the --port-range' : scenario === 'four-tuple' ? 'it always makes three' : d.fixedConnections;
    throw new UsageError(`\`--connections\` does not apply to ${scenario} (${fix}): leave it out`);
  }
  if (RANGE_SIZED.includes(scenario)) return range!.high - range!.low + 1;
  const fallback = typeof d.connections === 'function' ? d.connections(nofile ?? 256) : d.connections;
  return positiveInt('--connections', flag, fallback, 1, 2_000_000);
}

// How many connections the slab probe measures; a scenario that keeps it to the end (default 0) refuses a sample.
function slabSample(scenario: ScenarioName, flag: string | undefined, fallback: number): number {
  const n = positiveInt('--slab-sample', flag, fallback, 0, 10_000_000);
  if (fallback === 0 && n > 0) {
    throw new UsageError(`\`--slab-sample ${n}\` does not apply to ${scenario} (it measures the slab after the ramp, so the slab probe runs to the end): leave it out`);
  }
  return n;
}

// Validate flags; every error names the flag, the value and the fix.
// nofileHard: the hard RLIMIT_NOFILE tcp-trace has (and its workers inherit); the generator is sized from it.
export function runOptions(values: FlagValues, positionals: string[], nofileHard = PER_WORKER + WORKER_OWN_FDS): RunOptions {
  const name = positionals[0] ?? 'ramp';
  if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`Unknown scenario \`${name}\`: choose one of ${SCENARIO_NAMES.join(', ')}`);
  }
  if (positionals.length > 1) throw new UsageError(`\`tcp-trace run\` takes one scenario, got \`${positionals.join(' ')}\``);
  const scenario = name as ScenarioName;
  const d = SCENARIO_DEFAULTS[scenario];
  const str = (k: string) => flagString(values, k);
  const range = portRange('--port-range', str('port-range')) ?? d.portRange;
  if (RANGE_SIZED.includes(scenario) && range!.high - range!.low + 1 > 1000) {
    throw new UsageError(`\`--port-range ${range!.low}-${range!.high}\` is too wide for ${scenario} (it connects one by one): use at most 1000 ports`);
  }
  // __inet_hash_connect() searches an even count of ports (remaining &= ~1): an odd range leaves one unused
  if (scenario === 'port-search' && ((range!.high - range!.low + 1) % 20 !== 0 || range!.high - range!.low + 1 < 20)) {
    throw new UsageError(`\`--port-range ${range!.low}-${range!.high}\` does not suit port-search (read by tenths, in halves of each parity): give it a multiple of 20 ports, e.g. 40000-40999`);
  }
  if (str('client-addresses') !== undefined && scenario !== 'million' && scenario !== 'one-port') {
    throw new UsageError(`\`--client-addresses\` does not apply to ${scenario}: only million and one-port bind their connections to several client addresses`);
  }
  const addressCount = positiveInt('--client-addresses', str('client-addresses'), d.clientAddresses ?? 0, 1, 250);
  const nofile = str('nofile') !== undefined || d.nofile ? positiveInt('--nofile', str('nofile'), d.nofile ?? 256, 32, 1_048_576) : undefined;
  const connections = connectionCount(scenario, str('connections'), nofile, range);
  // bind(ip, 0) gives each client address a port of the range for any destination: addresses x range bound sockets at most
  const rangeSize = range ? range.high - range.low + 1 : 0;
  if (addressCount > 0 && rangeSize > 0 && connections > addressCount * rangeSize) {
    const perAddress = Math.ceil(connections / addressCount);
    throw new UsageError(
      `\`--connections ${connections}\` is more than ${addressCount} client addresses x the ${rangeSize} ports of --port-range ${range!.low}-${range!.high} can bind: ` +
        `give --port-range a range of ${perAddress} ports or more (e.g. ${Math.max(1024, 61_000 - perAddress)}-60999) or more --client-addresses`,
    );
  }
  // --nofile sets the client workers' RLIMIT_NOFILE only: the experiment is to hit it
  const perWorker = socketsPerWorker(nofileHard);
  const limitWhy = perWorker < PER_WORKER ? ` (hard RLIMIT_NOFILE ${nofileHard} less ${WORKER_OWN_FDS} fds of its own)` : '';
  // tcp-trace itself holds a few fds for each worker (its stderr pipe and IPC channel) under the same limit
  const clients = clientWorkerCount(generatorConnections(scenario, connections), perWorker);
  const needed = minPorts(connections, perWorker);
  // one server port, connections bound to several client addresses: server processes share its listening socket
  const portFlag = str('ports') === undefined ? d.portCount : Number(str('ports'));
  const sharedServers = addressCount > 0 && portFlag === 1 ? Math.max(d.sharedServers ?? 1, needed) : 1;
  const processes = clients + (sharedServers > 1 ? sharedServers : Math.min(needed, 1000));
  const ownFds = TOOL_OWN_FDS + FDS_PER_WORKER * processes;
  if (nofileHard <= WORKER_OWN_FDS || clients > MAX_CLIENT_WORKERS || needed > 1000 || ownFds > nofileHard) {
    throw new PreconditionError(
      `${connections} connections need ${processes} worker processes of at most ${perWorker} sockets each under this host's hard RLIMIT_NOFILE (${nofileHard})` +
        `${ownFds > nofileHard ? ` and ${ownFds} fds in tcp-trace to drive them` : `, over the ${MAX_CLIENT_WORKERS} client processes or 1000 server ports allowed`}: ` +
        'raise the hard limit (`ulimit -Hn`, `prlimit --nofile`, LimitNOFILE=) or ask for fewer --connections',
    );
  }
  const portCount = positiveInt('--ports', str('ports'), d.portCount ?? Math.max(4, needed), d.portCount ?? 1, 1000);
  if (portCount < needed && sharedServers === 1) {
    throw new UsageError(`\`--ports ${portCount}\` is too few for ${connections} connections: one server process holds at most ${perWorker} sockets${limitWhy}; use --ports ${needed} or more`);
  }
  const basePort = positiveInt('--base-port', str('base-port'), BASE_PORT, 1, 65_535);
  if (basePort + portCount - 1 > 65_535) {
    throw new UsageError(`\`--base-port ${basePort}\` with --ports ${portCount} goes past port 65535: use a lower --base-port`);
  }
  return {
    scenario,
    connections,
    ports: Array.from({length: portCount}, (_, i) => basePort + i),
    holdS: seconds('--hold', str('hold'), d.holdS),
    ratePerSec: positiveInt('--rate', str('rate'), d.ratePerSec ?? RATE_PER_SEC, 1, 1_000_000),
    concurrency: positiveInt('--concurrency', str('concurrency'), d.concurrency ?? CONCURRENCY, 1, 10_000),
    portRange: range,
    probes: probeKind(str('probes')),
    headless: values.headless === true,
    perWorker,
    measure: measurements(str('measure')),
    slabSample: slabSample(scenario, str('slab-sample'), d.slabSample ?? SLAB_SAMPLE),
    nofile,
    serverMode: d.serverMode,
    out: str('out') ?? OUT_DIR,
    refreshMs: Math.round(seconds('--refresh', str('refresh'), REFRESH_S, 60, 0.1) * 1000),
    metricsPort: str('metrics-port') === undefined ? null : positiveInt('--metrics-port', str('metrics-port'), 0, 1, 65_535),
    host: d.host ?? '127.0.0.1',
    backlog: d.backlog,
    clientAddresses: addressCount > 0 ? clientAddressList(addressCount) : undefined,
    sharedServers,
  };
}
