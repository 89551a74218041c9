// Run a short system command (ip, sysctl, mount) and get its output; failures carry stderr.
import {execFile} from 'node:child_process';

// A command that failed: the message names it; `reason` is what went wrong alone (its stderr, or the timeout).
export class ExecError extends Error {
  constructor(command: string, readonly reason: string) {
    super(`${command}: ${reason}`);
  }
}

// Run file with args; resolves stdout, rejects with an ExecError naming the command and its stderr (or the timeout).
export function run(file: string, args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, {timeout: timeoutMs, encoding: 'utf8'}, (error, stdout, stderr) => {
      const command = `${file} ${args.join(' ')}`;
      if (error?.killed) reject(new ExecError(command, `no answer in ${timeoutMs / 1000} s, killed`));
      else if (error) reject(new ExecError(command, (stderr || error.message).trim()));
      else resolve(stdout);
    });
  });
}
