// `tcp-trace trace` on a terminal: the run's dashboard fed by the kernel's counts alone (no generator).
import test from 'ava';
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {BIN} from '../helpers/paths.js';
import {TmuxSession, tmuxMissing} from '../helpers/tmux.js';
import {tempDir} from '../helpers/temp.js';
import {python} from '../helpers/python-peers.js';
import {journals, kernelSkipReason, labNamespaces, toolProcesses, tracefsMounted} from '../helpers/kernel.js';

const skip = kernelSkipReason ?? tmuxMissing;
const tuiTest = skip ? test.skip : test.serial;

tuiTest('trace on a terminal: panels show the traced port\'s 23 connections, q stops, the summary follows', async (t) => {
  const port = 23_490;
  const dir = tempDir(t, 'tui-trace');
  const exitFile = join(dir, 'exit');
  const command = `${process.execPath} ${BIN} trace --port ${port} --comm python3; echo $? > ${exitFile}; sleep 60`;
  // stdout is the terminal (the dashboard needs a TTY); the summary line stays on the restored screen
  const session = TmuxSession.start('tcptrace-tui-trace', 120, 40, command);
  try {
    await session.waitFor((s) => s.includes('| tracing |'), 60_000);
    const made = await python([port], 23);
    t.is(made.length, 23);
    // each probe program prints on its own 1 s tick: wait until the connection and socket counts are both in
    const screen = await session.waitFor((s) => /Connections 23\/23, kernel 23/.test(s) && /socket\(\) 24,/.test(s), 10_000);
    for (const title of ['Connections', 'Port allocation', 'socket()', 'Probe plan & events']) t.true(screen.includes(title), screen);
    t.regex(screen, /Connections 23\/23, kernel 23/);
    t.regex(screen, /\| tracing \| 23\/23 established/);
    // python3's own socket() calls: 1 listening + 23 clients
    t.regex(screen, /socket\(\) 24,/);
    session.send('q');
    for (let i = 0; i < 80 && !existsSync(exitFile); i++) await new Promise((r) => setTimeout(r, 250));
    t.is(existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : 'no exit', '0');
    // the summary line is longer than the screen (namespace, 4-tuples): read it from the pane's history too, joined
    const after = execFileSync('tmux', ['capture-pane', '-p', '-J', '-S', '-', '-t', 'tcptrace-tui-trace'], {encoding: 'utf8'});
    t.regex(after, /"type":"summary","mode":"trace"/);
    t.regex(after, /"established":\{"client":23,"server":23\}/);
    t.deepEqual(toolProcesses(), []);
    t.deepEqual(journals(), []);
  } finally {
    session.kill();
  }
});

// The terminal goes away under the dashboard (tmux killed, ssh dropped): SIGHUP, then every write fails
// with EIO. The undo must still finish: no bpftrace, worker, namespace, tracefs mount it made or journal left.
for (const [what, args] of [
  ['trace', ['trace', '--port', '23495']],
  ['run', ['run', '--connections', '2000', '--rate', '200', '--port-range', '50000-59999']],
] as const) {
  tuiTest(`${what}: the terminal killed under the dashboard leaves nothing behind`, async (t) => {
    const tracefs = tracefsMounted;
    const tracefsBefore = tracefs();
    const dir = tempDir(t, 'tui-hup');
    const command = `cd ${dir} && ${process.execPath} ${BIN} ${args.join(' ')}; sleep 60`;
    const session = TmuxSession.start(`tcptrace-tui-hup-${what}`, 120, 40, command);
    try {
      await session.waitFor((s) => /\| (tracing|ramping) \|/.test(s), 60_000);
      t.true(toolProcesses().length > 0);
    } finally {
      session.kill();
    }
    for (let i = 0; i < 80 && (toolProcesses().length > 0 || journals().length > 0); i++) await new Promise((r) => setTimeout(r, 250));
    t.deepEqual(toolProcesses(), []);
    t.deepEqual(journals(), []);
    t.deepEqual(labNamespaces(), []);
    // a tracefs mount the tool made is gone; one the host had stays
    t.is(tracefs(), tracefsBefore);
  });
}
