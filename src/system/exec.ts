// Run a short system command (ip, sysctl, mount) and get its output; failures carry stderr.
import {execFile} from 'node:child_process';

// Run file with args; resolves stdout, rejects with an Error naming the command and its stderr (or the timeout).
export function run(file: string, args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, {timeout: timeoutMs, encoding: 'utf8'}, (error, stdout, stderr) => {
      if (error?.killed) reject(new Error(`${file} ${args.join(' ')}: no answer in ${timeoutMs / 1000} s, killed`));
      else if (error) reject(new Error(`${file} ${args.join(' ')}: ${(stderr || error.message).trim()}`));
      else resolve(stdout);
    });
  });
}
