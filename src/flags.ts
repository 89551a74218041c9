// Every flag of every command, declared once: the parser, `--help`, the value checks and README's flag lists
// (scripts/readme.mjs) all read this table. Adding a flag is one entry here (and the code that uses its value).
import type {ValueKind} from './options.js';
import {MEASUREMENTS} from './probes/catalog.js';
import {SCENARIO_DEFAULTS, SCENARIO_NAMES, type ScenarioDefaults} from './scenarios/defaults.js';
import {BASE_PORT, CONCURRENCY, OUT_DIR, PER_WORKER, RATE_PER_SEC, REFRESH_S, SLAB_SAMPLE, WORKER_OWN_FDS} from './commands/run-options.js';

// The commands, in help order.
export const COMMAND_NAMES = ['run', 'doctor', 'probes', 'trace', 'report', 'restore'] as const;
// A command's name.
export type CommandName = (typeof COMMAND_NAMES)[number];

// A flag as the parser sees it: a switch, or a string whose value has a kind (checked before any command runs).
export type FlagSpec = {type: 'boolean'} | {type: 'string'; multiple?: true; value: ValueKind};

// One flag: what it is called, what it takes, what it means, its default and unit, and the commands that have it.
export type FlagDeclaration = FlagSpec & {
  name: string;
  commands: readonly CommandName[];
  // the value's placeholder in help (N, S, DIR ...); switches have none
  metavar?: string;
  // what the number or name counts (seconds, connections, port ...); `switch` for a flag without a value
  unit: string;
  // the value used without the flag, in words (text computed from the scenarios' table where it differs by scenario)
  default: string;
  // one line: what the flag does
  description: string;
};

// "20 000": digits grouped by three with a space, as the README writes numbers.
export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

// A default that differs by scenario, from SCENARIO_DEFAULTS: ramp's value, then the scenarios that differ,
// those with the same value together.
function perScenario(of: (d: ScenarioDefaults, name: string) => string): string {
  const base = of(SCENARIO_DEFAULTS.ramp, 'ramp');
  const byValue = new Map<string, string[]>();
  for (const n of SCENARIO_NAMES) {
    const v = of(SCENARIO_DEFAULTS[n], n);
    if (v !== base) byValue.set(v, [...(byValue.get(v) ?? []), n]);
  }
  const others = [...byValue].map(([v, names]) => `${names.join(', ')}: ${v}`);
  return others.length > 0 ? `${base} (${others.join('; ')})` : base;
}

const int = (min: number, max: number): FlagSpec => ({type: 'string', value: {kind: 'int', min, max}});
const secs = (min: number, max: number): FlagSpec => ({type: 'string', value: {kind: 'seconds', min, max}});
const choice = (...choices: string[]): FlagSpec => ({type: 'string', value: {kind: 'choice', choices}});
const bool = {type: 'boolean'} as const;
const port = int(1, 65_535);
const path: FlagSpec = {type: 'string', value: {kind: 'text', what: 'a directory path', pattern: /\S/, maxLength: 4096}};
const off = {unit: 'switch', default: 'off'} as const;

// Every flag, in help order within each command; the ranges are the ones the commands use (run-options.ts, trace.ts).
export const FLAGS: readonly FlagDeclaration[] = [
  // run
  {
    name: 'connections', commands: ['run'], ...int(1, 2_000_000), metavar: 'N', unit: 'connections',
    default: perScenario((d, n) =>
      n === 'four-tuple' ? `${d.connections}, not to be changed` : n === 'port-exhaustion' ? "the --port-range's size, not to be changed" : typeof d.connections === 'function' ? `--nofile + ${d.connections(0)}` :
        d.fixedConnections && typeof d.connections === 'number' ? `${grouped(d.connections)}, not to be changed: ${d.fixedConnections}` : grouped(d.connections)),
    description: 'connections to establish (the ramp stops there, or at the first limit or the memory guard)',
  },
  {
    name: 'ports', commands: ['run'], ...int(1, 1000), metavar: 'K', unit: 'server ports',
    default: perScenario((d) => (d.portCount !== undefined ? String(d.portCount) : `4, or more so that no server process holds over ${grouped(PER_WORKER)} sockets or its hard RLIMIT_NOFILE less ${WORKER_OWN_FDS}`)),
    description: 'server ports, from --base-port on, each served by its own worker process',
  },
  {name: 'hold', commands: ['run'], ...secs(0, 86_400), metavar: 'S', unit: 'seconds', default: perScenario((d) => String(d.holdS)), description: 'how long the connections stay open once the ramp is done'},
  {name: 'rate', commands: ['run'], ...int(1, 1_000_000), metavar: 'R', unit: 'connects/s', default: perScenario((d) => grouped(d.ratePerSec ?? RATE_PER_SEC)), description: 'connects per second, all client processes together'},
  {name: 'concurrency', commands: ['run'], ...int(1, 10_000), metavar: 'C', unit: 'connects', default: perScenario((d) => String(d.concurrency ?? CONCURRENCY)), description: 'connects in flight at once per client process'},
  {
    name: 'port-range', commands: ['run'], type: 'string', value: {kind: 'range'}, metavar: 'LOW-HIGH', unit: 'ports',
    default: perScenario((d) => (d.portRange ? `${d.portRange.low}-${d.portRange.high}` : "the new namespace's own")),
    description: "the lab namespace's ip_local_port_range: the local ports connect() may choose from",
  },
  {name: 'base-port', commands: ['run'], ...port, metavar: 'P', unit: 'port', default: grouped(BASE_PORT), description: 'the first server port'},
  {name: 'client-addresses', commands: ['run'], ...int(1, 250), metavar: 'N', unit: 'addresses', default: perScenario((d) => (d.clientAddresses ? String(d.clientAddresses) : '1 (127.0.0.1, the kernel chooses)')), description: 'bind each connection (ip, 0) to 127.0.0.2, .3, ... in turn before connect (million, one-port)'},
  {name: 'nofile', commands: ['run'], ...int(32, 1_048_576), metavar: 'N', unit: 'fds', default: perScenario((d) => (d.nofile ? String(d.nofile) : "tcp-trace's hard limit, inherited")), description: "the client workers' RLIMIT_NOFILE"},
  {
    name: 'measure', commands: ['run'], type: 'string', value: {kind: 'list', choices: MEASUREMENTS, alone: 'none'}, metavar: 'LIST', unit: 'measurements',
    default: `all (${MEASUREMENTS.join(', ')})`, description: 'only these measurements, comma-separated; none for the load generator alone',
  },
  {
    name: 'slab-sample', commands: ['run'], ...int(0, 10_000_000), metavar: 'N', unit: 'connections',
    default: perScenario((d) => (d.slabSample === 0 ? '0, to the end: the messages come after the ramp' : grouped(d.slabSample ?? SLAB_SAMPLE))),
    description: 'the slab probe measures the first N connections, then stops (0: all of them); /proc/slabinfo covers the whole run',
  },
  {name: 'out', commands: ['run'], ...path, metavar: 'DIR', unit: 'directory', default: OUT_DIR, description: "where the run's directory `<time>-<scenario>/` is made"},
  {name: 'refresh', commands: ['run'], ...secs(0.1, 60), metavar: 'S', unit: 'seconds', default: String(REFRESH_S), description: 'how often the dashboard redraws'},
  // doctor, probes
  {name: 'json', commands: ['doctor', 'probes'], ...bool, ...off, description: 'print JSON instead of text'},
  {name: 'emit', commands: ['probes'], ...bool, ...off, description: 'print each planned program (or only [measurement]\'s) exactly as a run starts it, to read or run with bpftrace -e'},
  // trace
  {name: 'port', commands: ['trace'], ...port, metavar: 'P', unit: 'port', default: 'any', description: "only connections with this port at either end (as tcpdump's port)"},
  {name: 'lport', commands: ['trace'], ...port, metavar: 'P', unit: 'port', default: 'any', description: 'only connections with this local port'},
  {name: 'rport', commands: ['trace'], ...port, metavar: 'P', unit: 'port', default: 'any', description: 'only connections with this remote port'},
  {name: 'pid', commands: ['trace'], type: 'string', multiple: true, value: {kind: 'int', min: 1, max: 4_194_304}, metavar: 'P', unit: 'pid', default: 'every process', description: 'only the syscalls of these processes (repeat the flag or separate with commas)'},
  {
    name: 'comm', commands: ['trace'], type: 'string', value: {kind: 'text', what: 'a command name of 1 to 15 characters (the kernel keeps 15)', pattern: /^[^\n]+$/, maxLength: 15},
    metavar: 'NAME', unit: 'command name', default: 'every command', description: 'only the syscalls of processes with this name',
  },
  {name: 'duration', commands: ['trace'], ...secs(0, 86_400), metavar: 'S', unit: 'seconds', default: '0 (until Ctrl-C)', description: 'stop tracing after this long'},
  {
    name: 'netns', commands: ['trace'], type: 'string', value: {kind: 'text', what: 'the name of a namespace under /run/netns (letters, digits, ., _, -)', pattern: /^(?!\.\.?$)[\w.-]+$/, maxLength: 255},
    metavar: 'NAME', unit: 'namespace name', default: "the host's namespace", description: 'trace the network namespace /run/netns/NAME (as `ip netns list` shows it)',
  },
  // run, probes, trace
  {name: 'probes', commands: ['run', 'probes', 'trace'], ...choice('kfunc', 'kprobe', 'tracepoint'), metavar: 'KIND', unit: 'probe kind', default: 'the best kind that works here, per measurement', description: 'force one probe kind for every measurement'},
  {
    name: 'metrics-port', commands: ['run', 'trace'], ...port, metavar: 'P', unit: 'port', default: 'off',
    description: 'serve /metrics on 127.0.0.1:P while it lasts (OpenMetrics when the scraper asks for it, Prometheus text 0.0.4 otherwise)',
  },
  {name: 'headless', commands: ['run', 'trace'], ...bool, ...off, description: 'JSON lines instead of the dashboard (also when stdout is not a terminal)'},
  // report
  {name: 'format', commands: ['report'], ...choice('md', 'html'), metavar: 'md|html', unit: 'format', default: 'md', description: 'report.md alone, or report.html beside it'},
  {name: 'out', commands: ['report'], ...path, metavar: 'DIR', unit: 'directory', default: 'the (first) run directory', description: 'where the report and its charts/ are written'},
  // every command
  {name: 'help', commands: COMMAND_NAMES, ...bool, ...off, description: "this help: the command's flags with their defaults and units"},
];

// The flags of one command, in declaration order.
export function flagsOf(command: string): FlagDeclaration[] {
  return FLAGS.filter((f) => (f.commands as readonly string[]).includes(command));
}

// The value placeholder of a flag in help and README (`--hold S`); empty for a switch.
export function metavarOf(f: FlagDeclaration): string {
  return f.type === 'boolean' ? '' : (f.metavar ?? 'VALUE');
}
