// Bad input, exhaustively: every flag of every command, generated from the declarations in src/flags.ts, with a
// non-number, zero, a negative, a huge number, nothing, and a value of the wrong type. A value the declaration
// refuses is refused before anything runs, in one line naming the flag, the value and the fix; one it accepts passes.
import test from 'ava';
import fc from 'fast-check';
import {existsSync} from 'node:fs';
import {COMMANDS, parseCommandLine, type FlagSpec} from '../../../src/cli.js';
import {UsageError} from '../../../src/errors.js';
import type {ValueKind} from '../../../src/options.js';
import {startCli} from '../../helpers/cli.js';

type Case = {command: string; flag: string; value: string; cls: string};

// Every string flag of every command, with its declaration.
const FLAGS = COMMANDS.flatMap((c) =>
  Object.entries(c.flags).flatMap(([flag, f]) => (f.type === 'string' ? [{command: c.name, flag, spec: f as FlagSpec & {type: 'string'}}] : [])),
);

// The oracle: what the declaration says of a value, written from its meaning, not from the code that checks it.
function accepted(v: ValueKind, value: string): boolean {
  const t = value.trim();
  switch (v.kind) {
    case 'int':
      return /^\d+$/.test(t) && Number(t) >= v.min && Number(t) <= v.max;
    case 'seconds':
      return /^\d+(\.\d+)?$/.test(t) && Number(t) >= v.min && Number(t) <= v.max;
    case 'range': {
      const m = /^(\d+)-(\d+)$/.exec(t);
      return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= Number(m[2]) && Number(m[2]) <= 65_535;
    }
    case 'choice':
      return v.choices.includes(value);
    case 'list':
      return value === v.alone || value.split(',').every((x) => v.choices.includes(x.trim()));
    case 'text':
      return value.length > 0 && value.length <= v.maxLength && v.pattern.test(value);
  }
}

// The six classes of bad input, each as an arbitrary of values.
const CLASSES: Record<string, fc.Arbitrary<string>> = {
  'non-number': fc.oneof(fc.constantFrom('abc', 'ten', '1.2.3', '0x10', '1e3', 'NaN', 'Infinity', '5 6', '½', '12k', 'a\nb'), fc.string({minLength: 1, maxLength: 12}).filter((s) => /\D/.test(s))),
  zero: fc.constantFrom('0', '00', '0.0', '-0'),
  negative: fc.oneof(fc.integer({min: -2_000_000_000, max: -1}).map(String), fc.constantFrom('-0.5', '-1-5')),
  huge: fc.oneof(fc.bigInt({min: 10n ** 7n, max: 10n ** 40n}).map(String), fc.constantFrom('1'.repeat(5000), 'x'.repeat(5000))),
  empty: fc.constantFrom('', ' ', '\t'),
  'wrong type': fc.constantFrom('1.5', 'true', '[]', '{}', '5s', '1:30', '60000', '3', '1,2', 'null'),
};

const cases: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom(...FLAGS), fc.constantFrom(...Object.keys(CLASSES)))
  .chain(([f, cls]) => CLASSES[cls]!.map((value) => ({command: f.command, flag: f.flag, value, cls})));

const specOf = (c: Case) => FLAGS.find((f) => f.command === c.command && f.flag === c.flag)!.spec;
const shown = (value: string) => value.replace(/[\u0000-\u001f\u007f]/g, (ch) => JSON.stringify(ch).slice(1, -1));

test('every flag of every command: a value its declaration refuses is one line naming the flag, the value and the fix', (t) => {
  let refused = 0;
  fc.assert(
    fc.property(cases, (c) => {
      const argv = [c.command, `--${c.flag}=${c.value}`];
      const spec = specOf(c);
      if (spec.multiple ? c.value.split(',').every((item) => accepted(spec.value, item)) : accepted(spec.value, c.value)) {
        parseCommandLine(argv);
        return;
      }
      refused++;
      let error: unknown = null;
      try {
        parseCommandLine(argv);
      } catch (e) {
        error = e;
      }
      if (!(error instanceof UsageError)) throw new Error(`${argv.join(' ')} was not refused`);
      const m = error.message;
      if (m.includes('\n')) throw new Error(`more than one line: ${m}`);
      if (!m.includes(`--${c.flag}`)) throw new Error(`the flag is not named: ${m}`);
      if (!m.includes(`\`${shown(c.value)}\``) && !m.includes(`${shown(c.value)}\``)) throw new Error(`the value is not named: ${m}`);
      if (!/Expected|choose from|write|e\.g\./.test(m)) throw new Error(`no fix: ${m}`);
    }),
    {numRuns: 3000},
  );
  t.true(refused > 1000, `${refused} refused`);
});

test('every flag, every class: the generator reaches each (command, flag, class) and the declarations cover every string flag', (t) => {
  const seen = new Set(fc.sample(cases, 20_000).map((c) => `${c.command} --${c.flag} ${c.cls}`));
  t.is(seen.size, FLAGS.length * Object.keys(CLASSES).length);
  // the flags that take a value: run 15, probes 1, trace 9 (--port, --lport, --rport ...), report 2
  t.is(FLAGS.length, 27);
});

test('a switch given a value, a value missing, a value that reads as a flag: one line each, naming it', (t) => {
  for (const c of COMMANDS) {
    for (const [flag, f] of Object.entries(c.flags)) {
      if (flag === 'help') continue;
      const attempts = f.type === 'boolean' ? [[`--${flag}=yes`]] : [[`--${flag}`], [`--${flag}`, '-5']];
      for (const rest of attempts) {
        const e = t.throws(() => parseCommandLine([c.name, ...rest]), {instanceOf: UsageError}, `${c.name} ${rest.join(' ')}`);
        t.false(e!.message.includes('\n'));
        t.true(e!.message.includes(`--${flag}`), e!.message);
        t.regex(e!.message, f.type === 'boolean' ? /takes no value, got `--[\w-]+=yes`: write --[\w-]+ alone/ : /needs a value, got (none: e\.g\. --[\w-]+ \S+|`-5`, which reads as a flag)/);
      }
    }
  }
});

test('through the real CLI: exit 2, one line on stderr, nothing on stdout, nothing made on the host', async (t) => {
  const sample = fc.sample(cases.filter((c) => !c.value.split(',').every((item) => accepted(specOf(c).value, item))), {numRuns: 24, seed: 17});
  for (let i = 0; i < sample.length; i += 8) {
    await Promise.all(
      sample.slice(i, i + 8).map(async (c) => {
        const {child, done} = startCli([c.command, `--${c.flag}=${c.value}`]);
        const r = await done;
        t.is(r.code, 2, `${c.command} --${c.flag}=${c.value}: ${r.stderr}`);
        t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
        t.true(r.stderr.includes(`--${c.flag}`));
        t.is(r.stdout, '');
        // the command never started: no journal and no namespace of this process
        t.false(existsSync(`/run/tcp-trace/journal-${child.pid}.ndjson`));
        t.false(existsSync(`/run/netns/tcptrace-${child.pid}`));
      }),
    );
  }
});
