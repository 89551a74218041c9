// Pure maths of the predicted ceiling: how many connections a host can hold, and which limit binds first.
import type {Limits} from './limits.js';

// One candidate ceiling in connections, with the limit's name and how it was derived.
export type Ceiling = {limit: string; connections: number; errno: string; detail: string};

// What the prediction needs beyond the limits.
export type CeilingInput = {
  limits: Pick<Limits, 'ipLocalPortRange' | 'fileMax' | 'nrOpen' | 'nofile' | 'memAvailableBytes'>;
  // distinct (server ip, server port, client ip) destinations the client spreads over
  destinations: number;
  // kernel memory of one connection, both ends (measured, or the documented default)
  slabBytesPerConnection: number;
  // sockets per connection on this host: 2 on loopback (client and server end)
  socketsPerConnection: number;
  // memory kept free, never given to connections
  memoryReserveBytes: number;
};

// Default kernel memory of one loopback connection (two sockets) measured on Linux 6.18: 8.4 KB.
export const DEFAULT_SLAB_BYTES_PER_CONNECTION = 8600;

// Every ceiling, lowest first; the first is the one that binds.
export function predictCeilings(input: CeilingInput): Ceiling[] {
  const {limits, destinations, slabBytesPerConnection, socketsPerConnection} = input;
  const perProcessFds = Math.min(limits.nofile.hard, limits.nrOpen);
  const memory = Math.max(0, limits.memAvailableBytes - input.memoryReserveBytes);
  const ceilings: Ceiling[] = [
    {
      limit: 'ip_local_port_range',
      connections: limits.ipLocalPortRange.size * Math.max(1, destinations),
      errno: 'EADDRNOTAVAIL',
      detail: `${limits.ipLocalPortRange.size} ports per destination x ${destinations} destination(s)`,
    },
    {
      limit: 'fs.file-max',
      connections: Math.floor(limits.fileMax / socketsPerConnection),
      errno: 'ENFILE',
      detail: `${limits.fileMax} files on the host / ${socketsPerConnection} sockets per connection`,
    },
    {
      limit: 'memory',
      connections: slabBytesPerConnection > 0 ? Math.floor(memory / slabBytesPerConnection) : Number.POSITIVE_INFINITY,
      errno: 'ENOMEM',
      detail: `${Math.round(memory / 2 ** 20)} MiB available above the reserve / ${slabBytesPerConnection} B of slab per connection`,
    },
    {
      limit: 'RLIMIT_NOFILE',
      connections: perProcessFds,
      errno: 'EMFILE',
      detail: `per process: ${perProcessFds} fds (hard RLIMIT_NOFILE ${limits.nofile.hard}, fs.nr_open ${limits.nrOpen}); more processes lift it`,
    },
  ];
  // the per-process limit binds a single process only: a host can add processes, so it is listed last
  const hostWide = ceilings.slice(0, 3).sort((a, b) => a.connections - b.connections);
  return [...hostWide, ceilings[3]!];
}
