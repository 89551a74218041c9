// The commands, their flags, descriptions and examples; parses argv into a command and its options.
import type {FlagValues} from './options.js';
import {parseArgs, type ParseArgsConfig} from 'node:util';
import {UsageError} from './errors.js';

// One command as the user sees it.
export type CommandSpec = {
  name: string;
  summary: string;
  example: string;
  options: NonNullable<ParseArgsConfig['options']>;
  positionals?: string;
};

const bool = {type: 'boolean'} as const;
const str = {type: 'string'} as const;

// Every command, in help order.
export const COMMANDS: CommandSpec[] = [
  {
    name: 'run',
    summary: 'Run an experiment (ramp, four-tuple, port-exhaustion, fd-limit, hello, million) in a private network namespace',
    example: 'sudo tcp-trace run port-exhaustion --headless',
    positionals: '[scenario]',
    options: {
      connections: str, ports: str, hold: str, rate: str, concurrency: str, 'port-range': str, 'base-port': str, nofile: str,
      probes: str, measure: str, 'slab-sample': str, out: str, refresh: str, 'metrics-port': str, headless: bool, help: bool,
    },
  },
  {
    name: 'doctor',
    summary: 'What this kernel lets us probe, its limits, and how many connections it can hold',
    example: 'sudo tcp-trace doctor --json',
    options: {json: bool, help: bool},
  },
  {
    name: 'probes',
    summary: 'The probe plan: which variant (kfunc, kprobe, tracepoint) serves each measurement here, and why; --emit prints the programs exactly as they will run',
    example: 'sudo tcp-trace probes --emit portAllocation',
    positionals: '[measurement]',
    options: {json: bool, probes: str, emit: bool, help: bool},
  },
  {
    name: 'trace',
    summary: "No load generator: the same probes on other programs' connections in the host's namespace (or --netns)",
    example: 'sudo tcp-trace trace --port 8080 --comm nginx --duration 30',
    options: {port: str, pid: {type: 'string', multiple: true}, comm: str, duration: str, netns: str, probes: str, 'metrics-port': str, headless: bool, help: bool},
  },
  {
    name: 'report',
    summary: 'Markdown (or HTML) and SVG charts from a recorded run, or two runs side by side; no root needed',
    example: 'tcp-trace report tcp-trace-runs/2026-11-21T10-00-05-ramp',
    positionals: 'DIR [DIR2]',
    options: {format: str, out: str, help: bool},
  },
  {
    name: 'restore',
    summary: 'Undo what a killed run left behind (namespaces, mounts, sysctls, processes), from its journal',
    example: 'sudo tcp-trace restore',
    options: {help: bool},
  },
];

// A parsed command line.
export type Parsed = {command: CommandSpec; values: FlagValues; positionals: string[]};

// Words of text in lines of at most width columns, each starting with indent.
export function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > width && line.trim() !== '') {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += `${word} `;
  }
  if (line.trim() !== '') lines.push(line.trimEnd());
  return lines;
}

// The usage text (80 columns): every command with its summary and example.
export function usage(): string {
  const lines = ['Usage: tcp-trace <command> [options]', '', 'Commands:'];
  for (const c of COMMANDS) {
    lines.push(`  ${c.name} ${c.positionals ?? ''}`.trimEnd(), ...wrap(c.summary, 80, '      '), `      e.g. ${c.example}`);
  }
  lines.push('', 'Fields and units: see README.md (FIELDS).');
  return lines.join('\n');
}

// The help of one command: summary, example, flags.
export function commandHelp(c: CommandSpec): string {
  const flags = Object.entries(c.options).map(([name, o]) => `  --${name}${o.type === 'string' ? ' VALUE' : ''}`);
  return [`tcp-trace ${c.name} ${c.positionals ?? ''}`.trim(), c.summary, `Example: ${c.example}`, '', 'Options:', ...flags].join('\n');
}

// Parse argv (without node and the script); throws UsageError with one line on anything unknown.
export function parseCommandLine(argv: string[]): Parsed | {help: string} {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return {help: usage()};
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`Unknown command \`${name}\`: choose one of ${COMMANDS.map((c) => c.name).join(', ')}`);
  try {
    const {values, positionals} = parseArgs({args: rest, options: command.options, allowPositionals: Boolean(command.positionals), strict: true});
    if (values.help) return {help: commandHelp(command)};
    if (!command.positionals && positionals.length > 0) throw new UsageError(`\`tcp-trace ${name}\` takes no argument, got \`${positionals[0]}\``);
    return {command, values: values as Parsed['values'], positionals};
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const first = (error as Error).message.split('\n')[0]!;
    const ambiguous = /Option '(--[\w-]+)' argument is ambiguous/.exec(first);
    if (ambiguous) throw new UsageError(`\`${ambiguous[1]}\` needs a value (for one starting with "-", write ${ambiguous[1]}=VALUE)`);
    const message = first.replace(/\. To specify.*$/, '');
    throw new UsageError(`${message}: see \`tcp-trace ${name} --help\``);
  }
}
