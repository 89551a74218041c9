import test from 'ava';
import {runCli} from '../../helpers/cli.js';
import {readFileSync} from 'node:fs';

// Each bad input: exit 2 and exactly one line on stderr naming the value.
const cases: Array<[string, string[], RegExp]> = [
  ['--connections abc', ['run', '--connections', 'abc'], /`--connections` to be a positive integer, got `abc`/],
  ['--connections 0', ['run', '--connections', '0'], /`--connections` to be between 1 and .*got `0`/],
  ['--connections -5', ['run', '--connections=-5'], /`--connections` to be a positive integer, got `-5`/],
  ['an unknown flag', ['run', '--bogus'], /Unknown option '--bogus'/],
  ['an unknown command', ['launch'], /Unknown command `launch`/],
  ['an unknown scenario', ['run', 'moon'], /Unknown scenario `moon`/],
  ['too few ports', ['run', '--connections', '100000', '--ports', '2'], /`--ports 2` is too few .* use --ports 7 or more/],
  ['a reversed port range', ['run', '--port-range', '70000-1'], /`--port-range` to be LOW-HIGH .* got `70000-1`/],
  ['a slab sample where the probe must run to the end', ['run', 'hello', '--slab-sample', '500'], /`--slab-sample 500` does not apply to hello .*: leave it out/],
  ['an unknown probe kind', ['run', '--probes', 'uprobe'], /`--probes` to be kfunc, kprobe or tracepoint, got `uprobe`/],
  ['a --comm longer than the kernel keeps', ['trace', '--comm', 'a-very-long-command-name'], /`--comm` to be a command name of 1 to 15 characters .* got `a-very-long-command-name`/],
  ['a report of nothing', ['report'], /`tcp-trace report` takes one run directory \(or two to compare\), got 0/],
  ['a negative hold', ['run', '--hold=-1'], /`--hold` to be a number of seconds from 0 to 86400, got `-1`/],
  ['a flag whose value looks like a flag', ['run', '--hold', '-1'], /`--hold` needs a value, got `-1`, which reads as a flag \(for one starting with "-", write --hold=-1\)/],
];

for (const [title, args, message] of cases) {
  test(`bad input: ${title} -> one line, exit 2`, async (t) => {
    const r = await runCli(args);
    t.is(r.code, 2);
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split('\n').length, 1);
    t.is(r.stdout, '');
  });
}

test('--help lists every command with an example, exit 0', async (t) => {
  const r = await runCli(['--help']);
  t.is(r.code, 0);
  for (const c of ['run', 'doctor', 'probes', 'trace', 'report', 'restore']) t.regex(r.stdout, new RegExp(`^  ${c}( |$)`, 'm'));
  t.regex(r.stdout, /e\.g\. sudo tcp-trace run/);
  t.true(r.stdout.split('\n').every((line) => line.length <= 80));
});

test('--version prints the package version, exit 0', async (t) => {
  const {version} = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {version: string};
  for (const flag of ['--version', '-V']) {
    const r = await runCli([flag]);
    t.is(r.code, 0, r.stderr);
    t.is(r.stdout, `tcp-trace ${version}\n`);
  }
});
