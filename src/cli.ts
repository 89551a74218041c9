// The commands, their summaries and examples (their flags: src/flags.ts); parses argv into a command and its options.
import {checkValue, type FlagValues} from './options.js';
import {parseArgs, type ParseArgsConfig} from 'node:util';
import {toolVersion} from './tool-version.js';
import {SCENARIO_NAMES} from './scenarios/defaults.js';
import {UsageError} from './errors.js';
import {COMMAND_NAMES, flagsOf, metavarOf, type CommandName, type FlagDeclaration, type FlagSpec} from './flags.js';

export type {FlagSpec} from './flags.js';

// One command as the user sees it; its flags come from the one table of flags (src/flags.ts).
export type CommandSpec = {
  name: CommandName;
  summary: string;
  example: string;
  flags: Record<string, FlagDeclaration>;
  positionals?: string;
};

// Every command, in help order, without its flags.
const COMMAND_TEXTS: Record<CommandName, Omit<CommandSpec, 'name' | 'flags'>> = {
  run: {
    summary: `Run an experiment (${SCENARIO_NAMES.join(', ')}) in a private network namespace`,
    example: 'sudo tcp-trace run port-exhaustion --headless',
    positionals: '[scenario]',
  },
  doctor: {summary: 'What this kernel lets us probe, its limits, and how many connections it can hold', example: 'sudo tcp-trace doctor --json'},
  probes: {
    summary: 'The probe plan: which variant (kfunc, kprobe, tracepoint) serves each measurement here, and why; --emit prints the programs exactly as they will run',
    example: 'sudo tcp-trace probes --emit portAllocation',
    positionals: '[measurement]',
  },
  trace: {
    summary: "No load generator: the same probes on other programs' connections in the host's namespace (or --netns)",
    example: 'sudo tcp-trace trace --port 8080 --comm nginx --duration 30',
  },
  report: {
    summary: 'Markdown (or HTML) and SVG charts from a recorded run, or two runs side by side; no root needed',
    example: 'tcp-trace report tcp-trace-runs/2026-11-21T10-00-05-ramp',
    positionals: 'DIR [DIR2]',
  },
  restore: {summary: 'Undo what a killed run left behind (namespaces, mounts, sysctls, processes), from its journal', example: 'sudo tcp-trace restore'},
};

// Every command with its flags, in help order.
export const COMMANDS: CommandSpec[] = COMMAND_NAMES.map((name) => ({
  name,
  ...COMMAND_TEXTS[name],
  flags: Object.fromEntries(flagsOf(name).map((f) => [f.name, f])),
}));

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

// Words of text in lines of at most width columns, each starting with indent (a number grouped by spaces,
// `20 000`, stays on one line).
export function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(/ (?!\d{3}(?!\d))/)) {
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
  lines.push('', 'Fields and units: see README.md (FIELDS). The version: tcp-trace --version.');
  return lines.join('\n');
}

// The help of one command (80 columns): summary, example, and every flag with what it does, its default and unit.
export function commandHelp(c: CommandSpec): string {
  const flags = Object.values(c.flags).flatMap((f) => [
    `  --${f.name} ${metavarOf(f)}`.trimEnd(),
    ...wrap(`${f.description}. Default: ${f.default}. Unit: ${f.unit}.`, 80, '      '),
  ]);
  return [`tcp-trace ${c.name} ${c.positionals ?? ''}`.trim(), ...wrap(c.summary, 80, ''), `Example: ${c.example}`, '', 'Options:', ...flags].join('\n');
}

// Parse argv (without node and the script); throws UsageError with one line on anything unknown.
export function parseCommandLine(argv: string[]): Parsed | {help: string} {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return {help: usage()};
  if (name === '--version' || name === '-V' || name === 'version') return {help: `tcp-trace ${toolVersion()}`};
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
