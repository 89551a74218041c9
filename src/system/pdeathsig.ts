// Kernel-owned child lifetimes: a child started through `setpriv --pdeathsig KILL` gets SIGKILL from the
// kernel (PR_SET_PDEATHSIG) the moment tcp-trace dies, by any signal, SIGKILL included. The setting survives
// the exec chain (setpriv -> prlimit -> ip netns exec -> node: none of them forks), so the pid spawned is the
// pid of the program that runs.
import {execFileSync} from 'node:child_process';

let supported: boolean | null = null;

// True when this host's setpriv knows --pdeathsig (util-linux 2.33 and later).
export function pdeathsigSupported(): boolean {
  if (supported === null) {
    try {
      supported = execFileSync('setpriv', ['--help'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).includes('--pdeathsig');
    } catch {
      supported = false;
    }
  }
  return supported;
}

// argv prefixed so that its process dies with tcp-trace (unchanged where setpriv cannot do it).
export function diesWithParent(argv: string[]): string[] {
  return pdeathsigSupported() ? ['setpriv', '--pdeathsig', 'KILL', '--', ...argv] : argv;
}
