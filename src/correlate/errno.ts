// errno numbers and code names, and the limit each one means.
import type {EphemeralUse} from '../system/netns-parse.js';

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

// The limit an EADDRNOTAVAIL names when the range toward one destination is full of ports TIME-WAIT sockets hold:
// each holds its port for 60 s after the close (TCP_TIMEWAIT_LEN, include/net/tcp.h), not a connection.
export const TIME_WAIT_LIMIT = 'port range x TIME_WAIT (60 s)';

// What an EADDRNOTAVAIL from connect() points at, by the evidence: the ephemeral range when its ports toward one
// destination were all in use (by TIME-WAIT sockets, some or all: port range x TIME_WAIT), else a 4-tuple already in
// use (a local port bound explicitly and connected again to the same address and port); null without evidence (the
// namespace's sockets were not read).
export function attributeAddrNotAvail(use: EphemeralUse | null, rangeSize: number | null) {
  if (!use || rangeSize === null) return null;
  const tw = use.timeWait ?? 0;
  const inUse = `${use.maxPerDestination} of ${rangeSize} ephemeral ports in use toward ${use.destination ?? 'any destination'} at the end${tw > 0 ? `, ${tw} of them held by TIME-WAIT sockets alone` : ''}`;
  if (use.maxPerDestination >= rangeSize) return {limit: tw > 0 ? TIME_WAIT_LIMIT : 'ip_local_port_range', evidence: inUse};
  return {limit: '4-tuple in use', evidence: `${inUse}: the range was not exhausted, so the local address and port asked for (bound explicitly) already had a connection to that destination`};
}
