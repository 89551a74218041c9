// The dashboard for real: `tcp-trace run` in tmux; panels fill with the numbers the summary records;
// q quits with exit 0, the terminal is restored and nothing is left behind.
import test from 'ava';
import {readFileSync, readdirSync, existsSync} from 'node:fs';
import type {ExecutionContext} from 'ava';
import {tempDir} from '../helpers/temp.js';
import {join} from 'node:path';
import {BIN} from '../helpers/paths.js';
import {TmuxSession, tmuxMissing} from '../helpers/tmux.js';
import {journals, kernelSkipReason, labNamespaces, toolProcesses} from '../helpers/kernel.js';

const skip = kernelSkipReason ?? tmuxMissing;
const tuiTest = skip ? test.skip : test.serial;

// Run the dashboard at width x height for n connections; returns the session, the run folder and the exit file.
function startDashboard(t: ExecutionContext, name: string, width: number, height: number, n: number) {
  const dir = tempDir(t, 'tui');
  const exitFile = join(dir, 'exit');
  const command = `${process.execPath} ${BIN} run --connections ${n} --rate 500 --hold 2 --out ${dir}/runs; echo $? > ${exitFile}; sleep 60`;
  return {session: TmuxSession.start(name, width, height, command), dir, exitFile};
}

const summaryOf = (dir: string) => {
  const runs = join(dir, 'runs');
  const [run] = readdirSync(runs);
  return JSON.parse(readFileSync(join(runs, run!, 'summary.json'), 'utf8'));
};

async function waitExit(exitFile: string): Promise<string> {
  for (let i = 0; i < 80 && !existsSync(exitFile); i++) await new Promise((r) => setTimeout(r, 250));
  return existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : 'no exit';
}

tuiTest('120x40: every panel, counts equal to the summary, q quits and restores the terminal', async (t) => {
  const n = 300;
  const {session, dir, exitFile} = startDashboard(t, 'tcptrace-tui-large', 120, 40, n);
  try {
    const done = await session.waitFor((s) => s.includes('| done |'), 60_000);
    for (const title of ['Connections', 'Slab per connection', 'Port allocation', 'socket()', 'Receive lookups', 'Limits', 'Probe plan & events']) {
      t.true(done.includes(title), `panel ${title} missing:\n${done}`);
    }
    t.false(done.includes('waiting for data'), done);
    // counts with a space between thousands ("20 000"), bytes exact below 100 000 B ("7 575 B")
    const label = /Connections ([\d ]+)\/([\d ]+), kernel ([\d ]+), ([\d ]+) B\/conn/.exec(done);
    t.truthy(label, done);
    const num = (i: number) => Number(label![i]!.replace(/ /g, ''));
    const summary = summaryOf(dir);
    t.is(num(1), summary.connections.established);
    t.is(num(1), n);
    t.is(num(3), summary.kernel.established.client);
    t.true(num(4) > 1000, 'bytes per connection: a few thousand');
    // no cell run into its neighbour: the limits panel's numbers stand apart, the closest limit is named whole
    t.regex(done, /fs\.file-max {2,}[\d .]+M? {2,}[\d .]+[kMGTPE]? {2,}<?\d+%/);
    t.regex(done, /closest: (local ports|RLIMIT_NOFILE|fs\.file-max|MemAvailable) at <?\d+%/);
    t.regex(done, /connections\s+tracepoint\s+sock:inet_sock_set_state/);
    t.regex(done, new RegExp(`${n}/${n} established`));

    session.send('q');
    t.is(await waitExit(exitFile), '0');
    const after = session.capture();
    // the alternate screen is gone: the summary text is on the normal screen
    t.regex(after, new RegExp(`scenario ramp: ${n}/${n} connections established`));
    t.false(after.includes('Probe plan & events'));
    t.deepEqual(labNamespaces(), []);
    t.deepEqual(toolProcesses(), []);
    t.deepEqual(journals(), []);
  } finally {
    session.kill();
  }
});

tuiTest('80x24: two pages (Tab), the same counts, q quits', async (t) => {
  const n = 200;
  const {session, dir, exitFile} = startDashboard(t, 'tcptrace-tui-small', 80, 24, n);
  try {
    const page1 = await session.waitFor((s) => s.includes('| done |'), 60_000);
    for (const title of ['Connections', 'Slab per connection', 'Port allocation']) t.true(page1.includes(title), page1);
    t.true(page1.split('\n').every((line) => line.length <= 80));
    session.send('Tab');
    const page2 = await session.waitFor((s) => s.includes('Receive lookups'), 5000);
    for (const title of ['socket()', 'Receive lookups', 'Limits', 'Probe plan & events']) t.true(page2.includes(title), page2);
    t.regex(page2, new RegExp(`socket\\(\\) ${summaryOf(dir).kernel.syscalls.socket},`));
    session.send('q');
    t.is(await waitExit(exitFile), '0');
    t.deepEqual(labNamespaces(), []);
  } finally {
    session.kill();
  }
});

tuiTest('q during the ramp stops it: the summary records what was made, exit 0, nothing left', async (t) => {
  const {session, dir, exitFile} = startDashboard(t, 'tcptrace-tui-stop', 120, 40, 5000);
  try {
    await session.waitFor((s) => /\| ramping \| [1-9][\d ]*\/5 000/.test(s), 60_000);
    session.send('q');
    t.is(await waitExit(exitFile), '0');
    const summary = summaryOf(dir);
    t.is(summary.stoppedBy, 'SIGINT');
    t.true(summary.connections.established > 0 && summary.connections.established < 5000, String(summary.connections.established));
    t.is(summary.kernel.established.client, summary.connections.established);
    t.deepEqual(labNamespaces(), []);
    t.deepEqual(toolProcesses(), []);
  } finally {
    session.kill();
  }
});

tuiTest('p pauses the ramp and resumes it, s writes a snapshot into the run directory, ? shows the keys', async (t) => {
  const {session, dir, exitFile} = startDashboard(t, 'tcptrace-tui-keys', 120, 40, 5000);
  const established = (s: string) => Number(/\| (?:ramping|holding) \| ([\d ]+)\/5 000 established/.exec(s)?.[1]?.replace(/ /g, '') ?? NaN);
  try {
    await session.waitFor((s) => /\| ramping \| [1-9][\d ]*\/5 000/.test(s), 60_000, 'ramping');
    session.send('p');
    const paused = await session.waitFor((s) => s.includes('| paused'), 5000, 'paused');
    // while paused the count stands still (3 s: the status line redraws every second)
    await new Promise((r) => setTimeout(r, 1500));
    const a = established(session.capture());
    await new Promise((r) => setTimeout(r, 3000));
    const b = established(session.capture());
    t.true(a > 0 && a < 5000, paused);
    t.is(b, a);
    session.send('p');
    await session.waitFor((s) => s.includes('| resumed') && established(s) > b, 10_000, 'resumed and counting');
    session.send('s');
    // the status line may cut the file's name at 120 columns
    await session.waitFor((s) => /\| snapshot: snapshot-\d/.test(s), 5000, 'snapshot');
    const runs = join(dir, 'runs');
    const [run] = readdirSync(runs);
    const snapshots = readdirSync(join(runs, run!)).filter((f) => /^snapshot-\d+\.json$/.test(f));
    t.is(snapshots.length, 1);
    t.truthy(JSON.parse(readFileSync(join(runs, run!, snapshots[0]!), 'utf8')));
    session.send('?');
    await session.waitFor((s) => s.includes('pause / resume the ramp') && s.includes('snapshot this view'), 5000, 'help');
    session.send('Escape');
    session.send('q');
    t.is(await waitExit(exitFile), '0');
    t.is(summaryOf(dir).stoppedBy, 'SIGINT');
    t.deepEqual(labNamespaces(), []);
    t.deepEqual(toolProcesses(), []);
  } finally {
    session.kill();
  }
});
