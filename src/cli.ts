// The commands, their flags, descriptions and examples; parses argv into a command and its options.
import {checkValue, type FlagValues, type ValueKind} from './options.js';
import {MEASUREMENTS} from './probes/catalog.js';
import {parseArgs, type ParseArgsConfig} from 'node:util';
import {UsageError} from './errors.js';

// A flag as declared: a switch, or a string whose value has a kind (checked before any command runs).
export type FlagSpec = {type: 'boolean'} | {type: 'string'; multiple?: true; value: ValueKind};

// One command as the user sees it.
export type CommandSpec = {
  name: string;
  summary: string;
  example: string;
  flags: Record<string, FlagSpec>;
  positionals?: string;
};

const bool = {type: 'boolean'} as const;
const int = (min: number, max: number): FlagSpec => ({type: 'string', value: {kind: 'int', min, max}});
const secs = (min: number, max: number): FlagSpec => ({type: 'string', value: {kind: 'seconds', min, max}});
const choice = (...choices: string[]): FlagSpec => ({type: 'string', value: {kind: 'choice', choices}});
const port = int(1, 65_535);
const probes = choice('kfunc', 'kprobe', 'tracepoint');
const path: FlagSpec = {type: 'string', value: {kind: 'text', what: 'a directory path', pattern: /\S/, maxLength: 4096}};

// Every command, in help order; the ranges are the ones the commands use (run-options.ts, trace.ts).
export const COMMANDS: CommandSpec[] = [
  {
    name: 'run',
    summary: 'Run an experiment (ramp, four-tuple, port-exhaustion, fd-limit, hello, million) in a private network namespace',
    example: 'sudo tcp-trace run port-exhaustion --headless',
    positionals: '[scenario]',
    flags: {
      connections: int(1, 2_000_000), ports: int(1, 1000), hold: secs(0, 86_400), rate: int(1, 1_000_000), concurrency: int(1, 10_000),
      'port-range': {type: 'string', value: {kind: 'range'}}, 'base-port': port, nofile: int(32, 1_048_576), probes,
      measure: {type: 'string', value: {kind: 'list', choices: MEASUREMENTS, alone: 'none'}}, 'slab-sample': int(0, 10_000_000), out: path,
      refresh: secs(0.1, 60), 'metrics-port': port, headless: bool, help: bool,
    },
  },
  {
    name: 'doctor',
    summary: 'What this kernel lets us probe, its limits, and how many connections it can hold',
    example: 'sudo tcp-trace doctor --json',
    flags: {json: bool, help: bool},
  },
  {
    name: 'probes',
    summary: 'The probe plan: which variant (kfunc, kprobe, tracepoint) serves each measurement here, and why; --emit prints the programs exactly as they will run',
    example: 'sudo tcp-trace probes --emit portAllocation',
    positionals: '[measurement]',
    flags: {json: bool, probes, emit: bool, help: bool},
  },
  {
    name: 'trace',
    summary: "No load generator: the same probes on other programs' connections in the host's namespace (or --netns)",
    example: 'sudo tcp-trace trace --port 8080 --comm nginx --duration 30',
    flags: {
      port, lport: port, rport: port, pid: {type: 'string', multiple: true, value: {kind: 'int', min: 1, max: 4_194_304}},
      comm: {type: 'string', value: {kind: 'text', what: 'a command name of 1 to 15 characters (the kernel keeps 15)', pattern: /^[^\n]+$/, maxLength: 15}},
      duration: secs(0, 86_400),
      netns: {type: 'string', value: {kind: 'text', what: 'the name of a namespace under /run/netns (letters, digits, ., _, -)', pattern: /^(?!\.\.?$)[\w.-]+$/, maxLength: 255}},
      probes, 'metrics-port': port, headless: bool, help: bool,
    },
  },
  {
    name: 'report',
    summary: 'Markdown (or HTML) and SVG charts from a recorded run, or two runs side by side; no root needed',
    example: 'tcp-trace report tcp-trace-runs/2026-11-21T10-00-05-ramp',
    positionals: 'DIR [DIR2]',
    flags: {format: choice('md', 'html'), out: path, help: bool},
  },
  {
    name: 'restore',
    summary: 'Undo what a killed run left behind (namespaces, mounts, sysctls, processes), from its journal',
    example: 'sudo tcp-trace restore',
    flags: {help: bool},
  },
];

// The node:util parseArgs options of a command.
function parseArgsOptions(c: CommandSpec): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(c.flags).map(([name, f]) => [name, f.type === 'boolean' ? {type: 'boolean'} : {type: 'string', ...(f.multiple ? {multiple: true} : {})}]),
  ) as NonNullable<ParseArgsConfig['options']>;
}

// Check every given value against its flag's declaration (a repeated or comma-separated list flag: each item).
export function checkFlags(c: CommandSpec, values: FlagValues): void {
  for (const [name, given] of Object.entries(values)) {
    const f = c.flags[name];
    if (!f || f.type !== 'string' || typeof given === 'boolean' || given === undefined) continue;
    for (const v of [given].flat()) {
      if (!f.multiple) checkValue(`--${name}`, f.value, v);
      // a list (--pid 1,2 --pid 3): each item, and the message names the whole value it came in
      else for (const item of v.split(',')) {
        try {
          checkValue(`--${name}`, f.value, item);
        } catch (error) {
          throw item === v ? error : new UsageError(`${(error as Error).message} in \`--${name} ${v}\``);
        }
      }
    }
  }
}

// A flag that would take the next token as its value wrongly: a switch given `=value`, a value missing at the
// end, or a next token that is a flag itself. One line naming the flag, what came, and the fix.
function checkTokens(c: CommandSpec, args: string[]): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return;
    const m = /^--([^=]+)(=(.*))?$/s.exec(a);
    const f = m ? c.flags[m[1]!] : undefined;
    if (!m || !f) continue;
    if (f.type === 'boolean' && m[2] !== undefined) {
      throw new UsageError(`\`--${m[1]}\` is a switch and takes no value, got \`${a}\`: write --${m[1]} alone`);
    }
    if (f.type === 'string' && m[2] === undefined) {
      const next = args[i + 1];
      if (next === undefined) throw new UsageError(`\`--${m[1]}\` needs a value, got none: e.g. ${exampleOf(m[1]!, f)}`);
      if (next.startsWith('-')) {
        throw new UsageError(`\`--${m[1]}\` needs a value, got \`${next}\`, which reads as a flag (for one starting with "-", write --${m[1]}=${next})`);
      }
      i++;
    }
  }
}

// A valid example of a flag, for messages.
function exampleOf(name: string, f: FlagSpec & {type: 'string'}): string {
  const v = f.value;
  const value = v.kind === 'int' ? String(Math.max(v.min, 1)) : v.kind === 'seconds' ? String(Math.max(v.min, 1)) : v.kind === 'range' ? '60000-60999' : v.kind === 'choice' || v.kind === 'list' ? v.choices[0] : name === 'comm' ? 'nginx' : name === 'netns' ? 'blue' : 'DIR';
  return `--${name} ${value}`;
}

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
  const flags = Object.entries(c.flags).map(([name, o]) => `  --${name}${o.type === 'string' ? ' VALUE' : ''}`);
  return [`tcp-trace ${c.name} ${c.positionals ?? ''}`.trim(), c.summary, `Example: ${c.example}`, '', 'Options:', ...flags].join('\n');
}

// Parse argv (without node and the script); throws UsageError with one line on anything unknown.
export function parseCommandLine(argv: string[]): Parsed | {help: string} {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return {help: usage()};
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`Unknown command \`${name}\`: choose one of ${COMMANDS.map((c) => c.name).join(', ')}`);
  try {
    if (rest.includes('--help') || rest.includes('-h')) return {help: commandHelp(command)};
    checkTokens(command, rest);
    const {values, positionals} = parseArgs({args: rest, options: parseArgsOptions(command), allowPositionals: Boolean(command.positionals), strict: true});
    if (values.help) return {help: commandHelp(command)};
    if (!command.positionals && positionals.length > 0) throw new UsageError(`\`tcp-trace ${name}\` takes no argument, got \`${positionals[0]}\``);
    checkFlags(command, values as FlagValues);
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
