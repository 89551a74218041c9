// Run the real tcp-trace CLI as a child process and collect what it printed.
import {spawn, type ChildProcess} from 'node:child_process';
import {BIN} from './paths.js';

// The outcome of one CLI run.
export type CliResult = {code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string};

// Start the CLI; `done` resolves when it exits.
// (as user, with env added to this process's environment).
export function startCli(args: string[], opts: {user?: string; env?: Record<string, string>} = {}): {child: ChildProcess; done: Promise<CliResult>} {
  const argv = opts.user ? ['setpriv', `--reuid=${opts.user}`, '--regid=nogroup', '--clear-groups', '--', process.execPath, BIN, ...args] : [process.execPath, BIN, ...args];
  const child = spawn(argv[0]!, argv.slice(1), {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, ...opts.env}});
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({code, signal, stdout, stderr})));
  return {child, done};
}

// Run the CLI to its end.
export function runCli(args: string[], opts: {user?: string; env?: Record<string, string>} = {}): Promise<CliResult> {
  return startCli(args, opts).done;
}

// The JSON lines of a headless run, parsed.
export function jsonLines(stdout: string): Array<Record<string, any>> {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}
