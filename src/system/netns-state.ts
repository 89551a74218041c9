// What a network namespace says about itself, read from inside it (`ip netns exec NS`: /proc/sys/net and
// /proc/net show the reader's namespace), or from the tool's own namespace when none is named.
import {readFile} from 'node:fs/promises';
import {run} from './exec.js';
import {ehashTable, ephemeralPorts, ephemeralUse, parseProcNetTcp, parseSnmpPairs, parseTcp6Inuse, parseSsMemory, parseTcpSockstat, type EhashTable, type EphemeralPorts, type EphemeralUse, type QueuedBytes, type SocketBuffers, type TcpSockstat} from './netns-parse.js';

const FILES = {
  range: '/proc/sys/net/ipv4/ip_local_port_range',
  reserved: '/proc/sys/net/ipv4/ip_local_reserved_ports',
  ehash: '/proc/sys/net/ipv4/tcp_ehash_entries',
  childEhash: '/proc/sys/net/ipv4/tcp_child_ehash_entries',
  sockstat: '/proc/net/sockstat',
  sockstat6: '/proc/net/sockstat6',
  netstat: '/proc/net/netstat',
  snmp: '/proc/net/snmp',
} as const;
type Texts = Record<keyof typeof FILES | 'ss', string>;
// TCP sockets with their memory, no header, numeric
const SS = ['ss', '-tanmH'];

// The namespace at one moment: its limits, its TCP sockets and buffer memory, its TCP counters.
export type NetnsSnapshot = {
  atMs: number;
  ephemeralPorts: EphemeralPorts | null;
  ehash: EhashTable | null;
  // sockstat's TCP line: inuse and tw are the namespace's; mem (pages) and orphan count every namespace; inuse6:
  // sockstat6's TCP6 inuse (the IPv6 sockets, which TCP's inuse leaves out; null where unread)
  sockstat: (TcpSockstat & {inuse6: number | null}) | null;
  // the namespace's own sockets' buffers (ss -tanm); null when ss failed
  buffers: SocketBuffers | null;
  // ephemeral ports in use toward the busiest destination (null: no range or no ss)
  ephemeralUse: EphemeralUse | null;
  // "TcpExt.ListenOverflows", "Tcp.InSegs", ...
  counters: Record<string, number>;
};

const MARK = '@@tcp-trace@@';

async function readTexts(netns: string | null): Promise<Texts> {
  const keys = Object.keys(FILES) as Array<keyof typeof FILES>;
  if (netns === null) {
    const [ss, ...texts] = await Promise.all([run(SS[0]!, SS.slice(1)).catch(() => ''), ...keys.map((k) => readFile(FILES[k], 'utf8').catch(() => ''))]);
    return {...(Object.fromEntries(keys.map((k, i) => [k, texts[i]!])) as Texts), ss: ss!};
  }
  // one process in the namespace prints every file after a marker line
  const script = [...keys.map((k) => `echo '${MARK}${k}'; cat ${FILES[k]} 2>/dev/null`), `echo '${MARK}ss'; ${SS.join(' ')}`].join('; ');
  const out = await run('ip', ['netns', 'exec', netns, 'sh', '-c', script]);
  const texts = Object.fromEntries([...keys, 'ss'].map((k) => [k, ''])) as Texts;
  let current: keyof Texts | null = null;
  for (const line of out.split('\n')) {
    if (line.startsWith(MARK)) current = line.slice(MARK.length) as keyof Texts;
    else if (current) texts[current] += `${line}\n`;
  }
  return texts;
}

const withInuse6 = (s: TcpSockstat | null, inuse6: number | null) => (s ? {...s, inuse6} : null);

// Snapshot the named namespace (null: the tool's own).
export async function netnsSnapshot(netns: string | null): Promise<NetnsSnapshot> {
  const t = await readTexts(netns);
  const range = ephemeralPorts(t.range, t.reserved);
  return {
    atMs: Date.now(),
    ephemeralPorts: range,
    ehash: ehashTable(t.ehash, t.childEhash),
    sockstat: withInuse6(parseTcpSockstat(t.sockstat), parseTcp6Inuse(t.sockstat6)),
    buffers: t.ss.trim() === '' && t.sockstat === '' ? null : parseSsMemory(t.ss),
    ephemeralUse: range && t.ss.trim() !== '' ? ephemeralUse(t.ss, range) : null,
    counters: {...parseSnmpPairs(t.snmp), ...parseSnmpPairs(t.netstat)},
  };
}

// The page size in bytes (sockstat's `mem` is in pages); 4096 where getconf cannot say.
export async function pageBytes(): Promise<number> {
  const n = Number((await run('getconf', ['PAGESIZE']).catch(() => '')).trim());
  return Number.isInteger(n) && n > 0 ? n : 4096;
}

// The named namespace's TCP counters alone ("TcpExt.ListenOverflows": n, "Tcp.InSegs": n, ...), read by a `cat`
// inside it: no ss, so no socket is made there (a scenario counting the namespace's socket() calls stays exact).
export async function netnsCounters(netns: string): Promise<Record<string, number>> {
  return parseSnmpPairs(await run('ip', ['netns', 'exec', netns, 'cat', FILES.snmp, FILES.netstat]));
}

// Bytes queued on the named namespace's TCP sockets (null: the tool's own), read from /proc/net/tcp{,6} by a `cat`
// inside it: no socket is made there, so a trace or run counting the namespace's socket() calls stays exact.
export async function netnsQueues(netns: string | null): Promise<QueuedBytes> {
  const files = ['/proc/net/tcp', '/proc/net/tcp6'];
  const text = netns === null
    ? (await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')))).join('')
    : await run('ip', ['netns', 'exec', netns, 'cat', ...files]);
  return parseProcNetTcp(text);
}

// Sockets past which the queues are not read any more: /proc/net/tcp is about 150 bytes a socket (30 MB at 200 000).
export const QUEUES_MAX_SOCKETS = 200_000;

// Read the queues now and every `everyMs` until stop(); latest() is the last reading (null before the first, after
// a failed read, or once the namespace held more than QUEUES_MAX_SOCKETS sockets, when reading stops).
export function pollQueues(netns: string | null, everyMs = 5000): {latest: () => QueuedBytes | null; stop: () => void} {
  let latest: QueuedBytes | null = null;
  let busy = false;
  let stopped = false;
  const read = async () => {
    if (busy || stopped) return;
    busy = true;
    latest = await netnsQueues(netns).catch(() => null);
    busy = false;
    if (latest && latest.sockets > QUEUES_MAX_SOCKETS) stop();
  };
  const timer = setInterval(() => void read(), everyMs);
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  void read();
  return {latest: () => (stopped && latest && latest.sockets > QUEUES_MAX_SOCKETS ? null : latest), stop};
}
