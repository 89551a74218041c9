// Pure validation of command-line values: each failure is one line naming the flag, the value and the fix.
import {UsageError} from './errors.js';
import type {ProbeKind} from './probes/catalog.js';

// Parsed flags as node:util parseArgs gives them (a flag given several times is a list).
export type FlagValues = Record<string, string | string[] | boolean | undefined>;

// The string value of a flag (the last one when it was given several times), or undefined.
export function flagString(values: FlagValues, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : Array.isArray(v) ? v.at(-1) : undefined;
}

// Every value of a flag that may be repeated or comma-separated (--pid 1 --pid 2,3), in order.
export function flagList(values: FlagValues, key: string): string[] {
  const v = values[key];
  const given = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
  return given.flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '');
}

// A positive integer within [min, max], or a UsageError naming the flag.
export function positiveInt(flag: string, value: string | undefined, fallback: number, min = 1, max = 10_000_000): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`Expected \`${flag}\` to be a positive integer, got \`${value}\``);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`Expected \`${flag}\` to be between ${min} and ${max}, got \`${value}\``);
  return n;
}

// A number of seconds within [min, max] (a decimal like 0.5 allowed), or a UsageError.
export function seconds(flag: string, value: string | undefined, fallback: number, max = 86_400, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || n > max || n < min) {
    throw new UsageError(`Expected \`${flag}\` to be a number of seconds from ${min} to ${max}, got \`${value}\``);
  }
  return n;
}

// "60000-60009" -> {low, high}, within 1..65535, low <= high.
export function portRange(flag: string, value: string | undefined): {low: number; high: number} | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)-(\d+)$/.exec(value.trim());
  const low = Number(m?.[1]);
  const high = Number(m?.[2]);
  if (!m || low < 1 || high > 65535 || low > high) {
    throw new UsageError(`Expected \`${flag}\` to be LOW-HIGH with 1 <= LOW <= HIGH <= 65535, got \`${value}\``);
  }
  return {low, high};
}

// One of the probe kinds, or a UsageError listing them.
export function probeKind(value: string | undefined): ProbeKind | undefined {
  if (value === undefined) return undefined;
  if (value === 'kfunc' || value === 'kprobe' || value === 'tracepoint') return value;
  throw new UsageError(`Expected \`--probes\` to be kfunc, kprobe or tracepoint, got \`${value}\``);
}

// What a string flag's value must be: the declaration every command's flags are checked against.
export type ValueKind =
  | {kind: 'int'; min: number; max: number}
  | {kind: 'seconds'; min: number; max: number}
  | {kind: 'range'}
  | {kind: 'choice'; choices: readonly string[]}
  | {kind: 'list'; choices: readonly string[]; alone: string}
  | {kind: 'text'; what: string; pattern: RegExp; maxLength: number};

// "a, b or c"
export function either(choices: readonly string[]): string {
  return choices.length < 2 ? choices.join('') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

// Check one value of a flag against its declaration; a UsageError naming the flag, the value and the fix.
export function checkValue(flag: string, kind: ValueKind, value: string): void {
  switch (kind.kind) {
    case 'int':
      positiveInt(flag, value, 0, kind.min, kind.max);
      return;
    case 'seconds':
      seconds(flag, value, 0, kind.max, kind.min);
      return;
    case 'range':
      portRange(flag, value);
      return;
    case 'choice':
      if (!kind.choices.includes(value)) throw new UsageError(`Expected \`${flag}\` to be ${either(kind.choices)}, got \`${value}\``);
      return;
    case 'list': {
      if (value === kind.alone) return;
      const bad = value.split(',').map((x) => x.trim()).find((x) => !kind.choices.includes(x));
      if (bad !== undefined) throw new UsageError(`Unknown value \`${bad}\` in \`${flag} ${value}\`: choose from ${kind.choices.join(', ')} (comma-separated), or ${kind.alone}`);
      return;
    }
    case 'text':
      if (value.length === 0 || value.length > kind.maxLength || !kind.pattern.test(value)) {
        throw new UsageError(`Expected \`${flag}\` to be ${kind.what}, got \`${value}\``);
      }
      return;
  }
}
