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
  // with a payload: what the server answered (the echo server prefixes its own port)
  reply?: string;
};

// A batch of connection attempts, compact (no object per connection): their rows of connections.csv, the
// established ones' 4-tuples as numbers, and the failed ones counted by errno.
export type ConnBatch = {
  // the attempts in the batch, and their rows of connections.csv (one line each, in order)
  count: number;
  csv: string;
  // the addresses the tuples name, by index
  addresses: string[];
  // established connections, 4 numbers each: local address index, local port, remote address index, remote port
  tuples: number[];
  failed: Record<string, number>;
  // what the server answered, by the attempt's row in the batch (payload ramps only)
  replies?: Record<number, string>;
};

// A server address a client connects to.
export type Target = {host: string; port: number};

// One ramp: count connections to targets[(offset + i) % targets.length], i = 0..count-1.
export type RampSpec = {
  targets: Target[];
  count: number;
  offset: number;
  concurrency: number;
  ratePerSec: number;
  // bind(localAddress, localPort) before connect (libuv sets SO_REUSEADDR first); port 0 or none: the kernel
  // picks the port at bind time, before it knows the destination
  localAddress?: string;
  localPort?: number;
  // bind (localAddresses[(offset + i) % length], 0) before connect i (several client addresses, each its own 4-tuples)
  localAddresses?: string[];
  // a connect not complete after this long is closed and recorded as ETIMEDOUT (none: the kernel's own timeout)
  connectTimeoutMs?: number;
  // sent on connect; the connection settles when the first reply arrives
  payload?: string;
  // churn: once connected, send one byte and close first (the active close: TIME_WAIT is this end's); the
  // attempt settles when the socket has closed (the server's FIN in), and nothing is held
  churn?: boolean;
};

// Parent -> client worker.
export type ClientCommand =
  | ({type: 'ramp'} & RampSpec)
  | {type: 'hello'; message: string}
  | {type: 'pause'}
  | {type: 'resume'}
  // close every held connection with a reset (SO_LINGER 0): the local ports are free at once, no TIME_WAIT
  | {type: 'reset'}
  | {type: 'close'};

// Client worker -> parent.
export type ClientReport =
  | {type: 'ready'; openFds: number; rssBytes: number}
  | ({type: 'conns'; rssBytes: number} & ConnBatch)
  // openFdsAtStart: fds the worker had open when this ramp began (node's own plus held sockets)
  | {type: 'done'; established: number; failed: number; openFdsAtStart: number; rssBytes: number}
  // answer to pause: no connect is in flight any more
  | {type: 'paused'}
  | {type: 'helloSent'; count: number}
  | {type: 'reset'; count: number}
  | {type: 'closed'};

// Parent -> server worker. `listener` comes with a listening socket's handle (another process made it): the
// worker accepts on it too.
export type ServerCommand = {type: 'hello'; message: string} | {type: 'listener'; port: number} | {type: 'close'};

// Server worker -> parent.
export type ServerReport =
  | {type: 'listening'; ports: number[]; rssBytes: number}
  // with a listening socket's handle: handed to the parent (handOver), which shares it or holds it
  | {type: 'listener'; port: number}
  | {type: 'accepted'; total: number; open: number; bytesIn: number; rssBytes: number}
  | {type: 'helloSent'; count: number}
  | {type: 'error'; message: string}
  | {type: 'closed'};

// How a server worker serves its accepted sockets: idle, never read (pauseOnConnect); echo, each chunk answered
// with "<local port>:<chunk>"; drain, read and dropped, and closed once the peer has closed (never first: the
// client's close is the active one, and TIME_WAIT is the client's).
export type ServerMode = 'idle' | 'echo' | 'drain';

// How a server worker is told what to do at start (argv[2], JSON); `mode` as ServerMode says.
// handOver: each listening socket's handle is sent to the parent once listening; with accept false the worker
// then closes its own copy, so nothing accepts until the parent hands it back (a server that stops calling accept()).
// maxSockets (idle servers: their sockets never close): on a shared listening socket, stop accepting (close this process's copy of it) once this many are
// held, so that the others take the rest: the kernel wakes the processes unevenly, and one past its RLIMIT_NOFILE
// would meet EMFILE (libuv then accepts and closes connections to drain the queue).
export type ServerConfig = {host: string; ports: number[]; backlog: number; mode: ServerMode; handOver?: boolean; accept?: boolean; maxSockets?: number};
// How a client worker is told what to do at start.
export type ClientConfig = {worker: number};
