// `tcp-trace trace` on a terminal: the run's dashboard fed by the kernel's counts alone (no generator).
import test from 'ava';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {BIN} from '../helpers/paths.js';
import {TmuxSession, tmuxMissing} from '../helpers/tmux.js';
import {tempDir} from '../helpers/temp.js';
import {python} from '../helpers/python-peers.js';
import {journals, kernelSkipReason, toolProcesses} from '../helpers/kernel.js';

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
    const screen = await session.waitFor((s) => /Connections 23\/23, kernel 23/.test(s), 10_000);
    for (const title of ['Connections', 'Port allocation', 'socket()', 'Probe plan & events']) t.true(screen.includes(title), screen);
    t.regex(screen, /\| tracing \| 23\/23 established/);
    // python3's own socket() calls: 1 listening + 23 clients
    t.regex(screen, /socket\(\) 24,/);
    session.send('q');
    for (let i = 0; i < 80 && !existsSync(exitFile); i++) await new Promise((r) => setTimeout(r, 250));
    t.is(existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : 'no exit', '0');
    const after = session.capture();
    t.regex(after, /"type":"summary","mode":"trace"/);
    t.regex(after, /"established":\{"client":23,"server":23\}/);
    t.deepEqual(toolProcesses(), []);
    t.deepEqual(journals(), []);
  } finally {
    session.kill();
  }
});
