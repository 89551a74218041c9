#!/usr/bin/env node
// The tcp-trace bin: parse the command line, run the command, map errors to one line and an exit code.
import {parseCommandLine} from './cli.js';
import {exitCodeOf, warnLine} from './errors.js';
import {runCleanups} from './lab/cleanup.js';

const commands = {
  run: () => import('./commands/run.js'),
  doctor: () => import('./commands/doctor.js'),
  probes: () => import('./commands/probes.js'),
  restore: () => import('./commands/restore.js'),
  report: () => import('./commands/report.js'),
  trace: () => import('./commands/trace.js'),
} as const;

async function main(): Promise<number> {
  const parsed = parseCommandLine(process.argv.slice(2));
  if ('help' in parsed) {
    process.stdout.write(`${parsed.help}\n`);
    return 0;
  }
  // what killed runs left is undone by the next command that needs root, saying so in one line (run and trace
  // say it among their notes: openLab)
  if ((parsed.command.name === 'doctor' || parsed.command.name === 'probes') && process.getuid?.() === 0) {
    const {undoLeftovers} = await import('./lab/journal.js');
    for (const line of await undoLeftovers()) warnLine(`tcp-trace: ${line}`);
  }
  const module = await commands[parsed.command.name as keyof typeof commands]();
  return module.run({values: parsed.values, positionals: parsed.positionals});
}

// The first error decides the exit code; later ones (a write to a closed stdout during the cleanup, say)
// are reported and wait for the same cleanup instead of exiting under it.
let failed: unknown = null;
const fail = async (error: unknown) => {
  warnLine(`tcp-trace: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.TCP_TRACE_DEBUG && error instanceof Error) warnLine(`${error.stack}`);
  failed ??= error;
  await runCleanups();
  process.exit(exitCodeOf(failed));
};

// never silent: a crash anywhere still undoes the lab before exiting
process.on('uncaughtException', (error) => void fail(error));
process.on('unhandledRejection', (error) => void fail(error));
// stdout or stderr gone (the reader of a pipe left: EPIPE; the terminal closed: EIO): the first such error
// ends the command like any crash; the next ones, which every later write would raise, are dropped, or
// the message about the error would raise another, forever
let stdioGone = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (stdioGone) return;
    stdioGone = true;
    void fail(error);
  });
}

main().then(
  async (code) => {
    await runCleanups();
    process.exit(code);
  },
  fail,
);
