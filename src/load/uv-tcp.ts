// libuv TCP handles without net.Socket: what the load workers hold per connection (a uv_tcp_t and its small
// JS wrapper, no streams, no timers, no closures). node:net's own binding, the one net.Socket is built on.
import net from 'node:net';
import {getSystemErrorName} from 'node:util';

// The binding's handle: a connected, listening or accepted TCP socket.
export type TcpHandle = {
  bind(address: string, port: number): number;
  bind6(address: string, port: number, flags: number): number;
  listen(backlog: number): number;
  connect(req: ConnectRequest, address: string, port: number): number;
  connect6(req: ConnectRequest, address: string, port: number): number;
  getsockname(out: {address?: string; port?: number}): number;
  close(callback?: () => void): void;
  // close with SO_LINGER 0: an RST, no TIME_WAIT
  reset(callback?: () => void): number;
  onconnection: ((status: number, handle?: TcpHandle) => void) | null;
};

// A connect request: oncomplete(status, handle, req) runs once, status 0 or a negative errno.
export type ConnectRequest = {
  oncomplete: (status: number, handle: TcpHandle, req: ConnectRequest) => void;
  [field: string]: unknown;
};

type Binding = {
  TCP: new (type: number) => TcpHandle;
  TCPConnectWrap: new () => ConnectRequest;
  constants: {SOCKET: number; SERVER: number};
};

// process.binding('tcp_wrap') is on node's allow-list of bindings; no deprecation warning is printed for it.
const binding = (process as unknown as {binding(name: string): Binding}).binding('tcp_wrap');

// A new, not yet opened client handle (the fd is made by connect or bind).
export function clientHandle(): TcpHandle {
  return new binding.TCP(binding.constants.SOCKET);
}

// A new connect request whose oncomplete is shared by every connection of a worker.
export function connectRequest(oncomplete: ConnectRequest['oncomplete']): ConnectRequest {
  const req = new binding.TCPConnectWrap();
  req.oncomplete = oncomplete;
  return req;
}

// Start a connect; returns 0, or a negative errno that happened at once (EMFILE, EADDRNOTAVAIL, ...).
// v6: whether host is an IPv6 address (a ramp knows it once per target; net.isIPv6 is a regex per call).
export function startConnect(handle: TcpHandle, req: ConnectRequest, host: string, port: number, v6 = net.isIPv6(host)): number {
  return v6 ? handle.connect6(req, host, port) : handle.connect(req, host, port);
}

// bind() a handle to a local address (libuv sets SO_REUSEADDR first); 0 or a negative errno.
export function bindHandle(handle: TcpHandle, host: string, port: number): number {
  return net.isIPv6(host) ? handle.bind6(host, port, 0) : handle.bind(host, port);
}

// A listening handle on host:port; onConnection gets each accepted handle (or a negative errno).
export function listenHandle(host: string, port: number, backlog: number, onConnection: (status: number, handle?: TcpHandle) => void): TcpHandle {
  const handle = new binding.TCP(binding.constants.SERVER);
  const err = bindHandle(handle, host, port) || handle.listen(backlog);
  if (err) {
    handle.close();
    throw Object.assign(new Error(`listen ${host}:${port}: ${errnoName(err)}`), {code: errnoName(err)});
  }
  handle.onconnection = onConnection;
  return handle;
}

// The local address and port of a handle ('' and 0 when it has none).
export function localName(handle: TcpHandle): {address: string; port: number} {
  const out: {address?: string; port?: number} = {};
  handle.getsockname(out);
  return {address: out.address ?? '', port: out.port ?? 0};
}

// The code name of a negative libuv errno (-99 -> EADDRNOTAVAIL).
export function errnoName(status: number): string {
  try {
    return getSystemErrorName(status);
  } catch {
    return `E${-status}`;
  }
}

// A net.Socket around a held handle, for the few scenarios that read or write; manualStart: it does not read.
export function socketOf(handle: TcpHandle, read: boolean): net.Socket {
  const socket = new net.Socket({handle: handle as never, readable: true, writable: true, manualStart: !read} as net.SocketConstructorOpts);
  socket.on('error', () => undefined);
  return socket;
}

// What a worker holds of a connection: the bare handle, or a socket once something was sent on it.
export type Held = TcpHandle | net.Socket;

// Write message on every held connection (hello), wrapping bare handles in non-reading sockets in place.
export function writeAll(held: Held[], message: string): void {
  for (const [i, h] of held.entries()) {
    const socket = h instanceof net.Socket ? h : socketOf(h, false);
    held[i] = socket;
    socket.write(message);
  }
}

// Close every held connection, handle or socket.
export function closeAll(held: Iterable<Held>): void {
  for (const h of held) {
    if (h instanceof net.Socket) h.destroy();
    else h.close();
  }
}

// Close every held connection with a reset (SO_LINGER 0): the peer gets an RST and no end keeps TIME_WAIT.
export function resetAll(held: Iterable<Held>): void {
  for (const h of held) {
    if (h instanceof net.Socket) h.resetAndDestroy();
    else h.reset();
  }
}
