// Messages between the generator (parent) and its worker processes, over the IPC channel.

// One connection attempt as the client saw it; errno is the code name (EADDRNOTAVAIL) on failure.
export type ConnRecord = {
  worker: number;
  laddr: string;
  lport: number;
  raddr: string;
  rport: number;
  connectNs: number;
  errno: string | null;
  atMs: number;
};

// A server address a client connects to.
export type Target = {host: string; port: number};

// Parent -> client worker.
export type ClientCommand =
  | {type: 'ramp'; targets: Target[]; count: number; offset: number; concurrency: number; ratePerSec: number}
  | {type: 'pause'}
  | {type: 'resume'}
  | {type: 'close'};

// Client worker -> parent.
export type ClientReport =
  | {type: 'ready'}
  | {type: 'conns'; records: ConnRecord[]}
  | {type: 'done'; established: number; failed: number}
  // answer to pause: no connect is in flight any more
  | {type: 'paused'}
  | {type: 'closed'};

// Parent -> server worker.
export type ServerCommand = {type: 'close'};

// Server worker -> parent.
export type ServerReport =
  | {type: 'listening'; ports: number[]}
  | {type: 'accepted'; total: number; open: number}
  | {type: 'error'; message: string}
  | {type: 'closed'};

// How a worker is told what to do at start (argv[2], JSON).
export type ServerConfig = {host: string; ports: number[]; backlog: number};
export type ClientConfig = {worker: number};
