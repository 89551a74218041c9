// README's flag lists and FIELDS are generated from the declarations (src/flags.ts, src/correlate/summary-fields.ts)
// and every flag's help says what it does, its default and its unit: both fail here when they drift.
import test from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {COMMANDS, commandHelp, parseCommandLine} from '../../../src/cli.js';
import {FLAGS} from '../../../src/flags.js';
import {readmeSections, regenerateReadme} from '../../../src/readme-sections.js';
import {RUN_SUMMARY_FIELDS, TRACE_SUMMARY_FIELDS} from '../../../src/correlate/summary-fields.js';
import {ROOT} from '../../helpers/paths.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

test('README.md holds the generated flag lists and FIELDS exactly as the declarations give them', (t) => {
  const {text, missing} = regenerateReadme(README);
  t.deepEqual(missing, [], `README.md lacks the markers of ${missing.join(', ')}: add <!-- NAME --> / <!-- /NAME --> lines, then run \`npx zx scripts/readme.mjs\``);
  if (text !== README) {
    const a = README.split('\n');
    const b = text.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    t.fail(`README.md differs from its declarations from line ${line + 1} (\`${a[line]}\` should be \`${b[line]}\`): run \`npx zx scripts/readme.mjs\``);
  }
  t.pass();
});

test('README keeps its two-command contract first', (t) => {
  t.true(README.startsWith('# tcp-trace\n\n```sh\nnpm run setup && tcp-trace run'));
});

test('regenerating notices a drifted flag row and an unknown marker', (t) => {
  const drifted = README.replace('| `--hold S` |', '| `--hold SECONDS` |');
  t.not(drifted, README);
  t.is(regenerateReadme(drifted).text, README);
  t.throws(() => regenerateReadme('<!-- flags:nothing -->\n<!-- /flags:nothing -->'), {message: /nothing generates/});
  t.deepEqual(regenerateReadme('').missing, Object.keys(readmeSections()));
});

test('every flag declares a one-line description, a default and a unit; names are unique within a command', (t) => {
  for (const f of FLAGS) {
    for (const key of ['description', 'default', 'unit'] as const) t.regex(f[key], /^[^\n]+$/, `--${f.name} ${key}`);
    if (f.type === 'string') t.truthy(f.metavar, `--${f.name} metavar`);
  }
  for (const c of COMMANDS) t.is(FLAGS.filter((f) => (f.commands as readonly string[]).includes(c.name)).length, Object.keys(c.flags).length, c.name);
});

test('`<command> --help` prints every flag with its description, default and unit, within 80 columns', (t) => {
  for (const c of COMMANDS) {
    const help = parseCommandLine([c.name, '--help']);
    t.true('help' in help);
    const text = (help as {help: string}).help;
    t.is(text, commandHelp(c));
    t.true(text.split('\n').every((l) => l.length <= 80), c.name);
    const flat = text.replace(/\s+/g, ' ');
    for (const f of Object.values(c.flags)) {
      t.regex(text, new RegExp(`^  --${f.name}( |$)`, 'm'));
      t.true(flat.includes(`${f.description}. Default: ${f.default}. Unit: ${f.unit}.`), `${c.name} --${f.name}`);
    }
  }
});

test("run's help gives each scenario's own default where it differs (from the scenarios' table)", (t) => {
  const help = commandHelp(COMMANDS.find((c) => c.name === 'run')!).replace(/\s+/g, ' ');
  t.true(help.includes('Default: 20 000 (four-tuple: 3, not to be changed;'));
  t.true(help.includes('million: 1 000 000; bind-first: 20, not to be changed: its size is the --port-range; accept-overflow: 19, not to be changed: backlog + 1 into the queue and two that wait; one-port: 180; time-wait: 50, not to be changed: its size is the --port-range; port-search: 1 000, not to be changed: its size is the --port-range). Unit: connections.'));
  t.true(help.includes('Default: 3 (four-tuple, port-exhaustion, fd-limit, bind-first, accept-overflow, one-port, time-wait, port-search: 1; hello: 2). Unit: seconds.'));
});

test('every FIELDS row names its fields and says what they mean', (t) => {
  for (const d of [...RUN_SUMMARY_FIELDS, ...TRACE_SUMMARY_FIELDS]) {
    t.true(d.fields.length > 0 && !d.fields[0]!.startsWith('.'), d.fields.join(' '));
    t.regex(d.meaning, /\S/);
  }
});
