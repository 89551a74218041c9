// Kernel tests run as root with bpftrace installed; elsewhere they are skipped with the reason said.
import {execFileSync} from 'node:child_process';
import {readdirSync, existsSync, readFileSync} from 'node:fs';

function why(): string | null {
  if (process.getuid?.() !== 0) return 'kernel tests need root: run `sudo npm test`';
  const found = ['/usr/bin/bpftrace', '/usr/sbin/bpftrace', '/usr/local/bin/bpftrace'].some((p) => existsSync(p));
  if (!found) return 'bpftrace is not installed: run `sudo npm run setup`';
  return null;
}

// Null when kernel tests can run here, else why not.
export const kernelSkipReason = why();

// Namespaces the lab made (tcptrace-*) that still exist.
export function labNamespaces(): string[] {
  const out = execFileSync('ip', ['netns', 'list'], {encoding: 'utf8'});
  return out.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith('tcptrace-'));
}

// Pids of processes whose command is bpftrace or a load worker of this tool.
export function toolProcesses(): Array<{pid: number; cmd: string}> {
  const out: Array<{pid: number; cmd: string}> = [];
  for (const d of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (/(^|\/)bpftrace\s/.test(cmd) || /(server|client)-worker\.js/.test(cmd)) out.push({pid: Number(d), cmd});
    } catch {
      // gone
    }
  }
  return out;
}

// Journals left under /run/tcp-trace.
export function journals(): string[] {
  try {
    return readdirSync('/run/tcp-trace').filter((n) => n.startsWith('journal-'));
  } catch {
    return [];
  }
}
