// Server worker: listens on its share of the server ports and holds every accepted socket (idle or echoing).
// Idle: the accepted libuv handle is held as it is, never read, so what a peer sends stays in the kernel's
// queue; echo: the handle is wrapped in a net.Socket that answers each chunk with "<local port>:<chunk>".
// A listening socket can be handed over to the parent (handOver): to be shared with other server workers, which
// accept on it too (one port, several processes), or held by the parent while no one accepts (accept false).
import net from 'node:net';
import {rss} from './rss.js';
import {closeAll, errnoName, listenHandle, socketOf, writeAll, type Held, type TcpHandle} from './uv-tcp.js';
import type {ServerCommand, ServerConfig, ServerReport} from './protocol.js';

const config = JSON.parse(process.argv[2] ?? '{}') as ServerConfig;
const send = (m: ServerReport) => process.send?.(m);
// idle handles in an array (they are never closed by the peer's doing: nothing reads them); echo sockets in a set
const idle: Held[] = [];
const echoing = new Set<net.Socket>();
let total = 0;
let bytesIn = 0;
let reported = '';
let acceptError = '';

const listeners: TcpHandle[] = [];
// each accepted connection (or the accept's errno) on a listener of port
const onConnection = (port: number) => (status: number, handle?: TcpHandle) => {
  if (status !== 0 || !handle) {
    // EMFILE and the like: the peer's connect stays in the backlog; say it once
    if (!acceptError) send({type: 'error', message: (acceptError = `port ${port}: accept: ${errnoName(status)}`)});
    return;
  }
  total++;
  // full: the other processes sharing the socket accept the rest (handles closed inside their callback stop libuv's accept loop)
  if (config.maxSockets !== undefined && open() + 1 >= config.maxSockets && listeners.length > 0) {
    closeAll(listeners.splice(0));
  }
  if (config.mode === 'idle') idle.push(handle);
  else if (config.mode === 'drain') {
    // read and drop; at the peer's FIN the socket ends its side too (allowHalfOpen false) and closes
    const socket = socketOf(handle, true);
    echoing.add(socket);
    socket.on('close', () => echoing.delete(socket));
    socket.on('data', (chunk) => (bytesIn += chunk.length));
  } else {
    const socket = socketOf(handle, true);
    echoing.add(socket);
    socket.on('close', () => echoing.delete(socket));
    socket.on('data', (chunk) => {
      bytesIn += chunk.length;
      socket.write(`${port}:${chunk.toString()}`);
    });
  }
};

// Hand each listener to the parent; resolves once every handle is written to the IPC channel. Without accept
// the worker's own copies are closed then: no connection is attempted before 'listening', so none was accepted.
async function handOver(): Promise<void> {
  await Promise.all(
    listeners.map((handle, i) => new Promise<void>((resolve) => process.send?.({type: 'listener', port: config.ports[i]!} satisfies ServerReport, handle as never, () => resolve()))),
  );
  if (config.accept === false) closeAll(listeners.splice(0));
}

try {
  for (const port of config.ports) listeners.push(listenHandle(config.host, port, config.backlog, onConnection(port)));
} catch (error) {
  send({type: 'error', message: (error as Error).message});
  process.exit(1);
}

const open = () => idle.length + echoing.size;
// reported every 20 ms when something changed (the ramp's end waits for the last accepts); the resident set is
// read every 100 ms at most (0: not read this time)
let rssReadAt = -Infinity;
const report = () => {
  const now = `${total},${open()},${bytesIn}`;
  if (now !== reported) {
    reported = now;
    const readRss = performance.now() - rssReadAt >= 100;
    if (readRss) rssReadAt = performance.now();
    send({type: 'accepted', total, open: open(), bytesIn, rssBytes: readRss ? rss() : 0});
  }
};
const ticker = setInterval(report, 20);

void (config.handOver ? handOver() : Promise.resolve()).then(() => send({type: 'listening', ports: config.ports, rssBytes: rss()}));
process.on('message', (m: ServerCommand, handle?: unknown) => {
  if (m.type === 'listener' && handle) {
    // a listening socket another process made: accept on it too (listen() again keeps it, with this backlog)
    const listener = handle as TcpHandle;
    listener.onconnection = onConnection(m.port);
    const err = listener.listen(config.backlog);
    if (err) send({type: 'error', message: `port ${m.port}: listen on the shared socket: ${errnoName(err)}`});
    listeners.push(listener);
  } else if (m.type === 'hello') {
    writeAll(idle, m.message);
    for (const s of echoing) s.write(m.message);
    send({type: 'helloSent', count: open()});
  } else if (m.type === 'close') {
    clearInterval(ticker);
    reported = '';
    rssReadAt = -Infinity;
    report();
    closeAll(idle);
    closeAll(echoing);
    closeAll(listeners);
    send({type: 'closed'});
    process.disconnect?.();
  }
});

// the parent is gone (crash, SIGKILL): nothing to serve any more
process.on('disconnect', () => process.exit(0));
