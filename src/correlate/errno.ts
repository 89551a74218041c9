// errno numbers and code names, and the limit each one means.

const NAMES: Record<number, string> = {
  11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 23: 'ENFILE', 24: 'EMFILE', 98: 'EADDRINUSE',
  99: 'EADDRNOTAVAIL', 104: 'ECONNRESET', 105: 'ENOBUFS', 110: 'ETIMEDOUT', 111: 'ECONNREFUSED', 115: 'EINPROGRESS',
  4: 'EINTR', 512: 'ERESTARTSYS', 513: 'ERESTARTNOINTR', 514: 'ERESTARTNOHAND', 515: 'ENOIOCTLCMD', 516: 'ERESTART_RESTARTBLOCK',
};

// True for the kernel-internal codes 512-516 (include/linux/errno.h): a syscall interrupted by a signal that the
// kernel restarts or turns into EINTR on the way out; a program never sees them, so they are not failures.
export function isRestartCode(n: number): boolean {
  return n >= 512 && n <= 516;
}

// The code name of errno n ("EADDRNOTAVAIL" for 99); "E<n>" when not listed.
export function errnoName(n: number): string {
  return NAMES[n] ?? `E${n}`;
}

// The limit an errno from socket/connect/accept/bind names, or null when it names none.
export function limitOfErrno(code: string): string | null {
  switch (code) {
    case 'EADDRNOTAVAIL': return 'ip_local_port_range';
    case 'EMFILE': return 'RLIMIT_NOFILE';
    case 'ENFILE': return 'fs.file-max';
    case 'ENOMEM':
    case 'ENOBUFS': return 'memory';
    default: return null;
  }
}

// What an EADDRNOTAVAIL from connect() points at, by the evidence: the ephemeral range when its ports toward one
// destination were all in use, else a 4-tuple already in use (a local port bound explicitly and connected again to
// the same address and port); null without evidence (the namespace's sockets were not read).
export function attributeAddrNotAvail(use: {maxPerDestination: number; destination: string | null} | null, rangeSize: number | null) {
  if (!use || rangeSize === null) return null;
  const inUse = `${use.maxPerDestination} of ${rangeSize} ephemeral ports in use toward ${use.destination ?? 'any destination'} at the end`;
  return use.maxPerDestination >= rangeSize
    ? {limit: 'ip_local_port_range', evidence: inUse}
    : {limit: '4-tuple in use', evidence: `${inUse}: the range was not exhausted, so the local address and port asked for (bound explicitly) already had a connection to that destination`};
}
