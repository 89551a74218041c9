// The limits snapshot: every ceiling a TCP connection count can hit, read from /proc.
import {readFile} from 'node:fs/promises';
import {parseMeminfo, parseNofile, parsePortRange} from './proc-parse.js';

// Limits in force, with units in the names.
export type Limits = {
  ipLocalPortRange: {low: number; high: number; size: number};
  fileMax: number;
  nrOpen: number;
  filesOpenHost: number;
  nofile: {soft: number; hard: number};
  memAvailableBytes: number;
  slabBytes: number;
  tcpEhashEntries: number;
};

const readText = (path: string) => readFile(path, 'utf8').catch(() => '');
const readInt = async (path: string) => Number.parseInt((await readText(path)).trim(), 10);

// Read the host's limits (network sysctls as seen from this process's namespace).
export async function readLimits(): Promise<Limits> {
  const [range, fileMax, nrOpen, fileNr, limits, meminfo, ehash] = await Promise.all([
    readText('/proc/sys/net/ipv4/ip_local_port_range'),
    readInt('/proc/sys/fs/file-max'),
    readInt('/proc/sys/fs/nr_open'),
    readText('/proc/sys/fs/file-nr'),
    readText('/proc/self/limits'),
    readText('/proc/meminfo'),
    readInt('/proc/sys/net/ipv4/tcp_ehash_entries'),
  ]);
  const mem = parseMeminfo(meminfo);
  return {
    ipLocalPortRange: parsePortRange(range) ?? {low: 32768, high: 60999, size: 28232},
    fileMax: fileMax,
    nrOpen: nrOpen,
    filesOpenHost: Number(fileNr.trim().split(/\s+/)[0] ?? 0),
    nofile: parseNofile(limits) ?? {soft: 1024, hard: 1024},
    memAvailableBytes: mem.MemAvailable ?? 0,
    slabBytes: mem.Slab ?? 0,
    // negative: this namespace shares the host's table (tcp_child_ehash_entries unset)
    tcpEhashEntries: Math.abs(ehash),
  };
}
