// Client worker: opens its share of the connections at a bounded rate and concurrency, holds them, reports each.
import {readdirSync, readFileSync} from 'node:fs';
import net from 'node:net';
import {rss} from './rss.js';
import {bindHandle, clientHandle, closeAll, resetAll, connectRequest, errnoName, localName, socketOf, startConnect, writeAll, type ConnectRequest, type Held, type TcpHandle} from './uv-tcp.js';
import type {ClientCommand, ClientConfig, ClientReport, RampSpec} from './protocol.js';
import {RecordBatch} from './record-batch.js';

const config = JSON.parse(process.argv[2] ?? '{}') as ClientConfig;
const send = (m: ClientReport) => process.send?.(m);
const held: Held[] = [];
const startedAt = performance.now();
let paused = false;
// connects under way; a pause answers 'paused' once this is zero
let inFlight = 0;
let pauseWaiting = false;

// Attempts not yet sent: an established bare handle's local name is read when the batch is sent, off the connect path.
const pending = new RecordBatch(config.worker);

const flush = () => {
  if (pending.size > 0) send({type: 'conns', ...pending.take(), rssBytes: rss()});
};
const flusher = setInterval(flush, 50);
const settlePause = () => {
  if (pauseWaiting && inFlight === 0) {
    pauseWaiting = false;
    flush();
    send({type: 'paused'});
  }
};

// The soft RLIMIT_NOFILE of this process.
const nofileSoft = () => Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? Infinity);

// Open fds numbered below the soft limit (the directory's own fd not counted): EMFILE comes when no number
// below the limit is free, so an inherited fd numbered above it (a shell's pipe at 251, say) takes no slot.
const openFds = () => {
  const limit = nofileSoft();
  const fds = readdirSync('/proc/self/fd').map(Number);
  return fds.filter((fd) => fd < limit).length - 1;
};

// What a connect request carries to the shared oncomplete: the connection's index in the ramp (its target
// follows from it) and when it started; with a connect timeout, its timer and whether it fired.
type Pending = {index: number; t0: number; timer?: NodeJS.Timeout; timedOut?: boolean};

function ramp(spec: RampSpec) {
  const openFdsAtStart = openFds();
  let started = 0;
  let established = 0;
  let failed = 0;
  let finished = false;
  // token bucket: at most ratePerSec connects per second, refilled every 10 ms
  let tokens = Math.min(spec.ratePerSec / 100, spec.concurrency) || 1;
  const refill = setInterval(() => {
    tokens = Math.min(Math.max(1, spec.ratePerSec / 10), tokens + spec.ratePerSec / 100);
    next();
  }, 10);

  const finish = () => {
    if (finished) return;
    finished = true;
    clearInterval(refill);
    flush();
    send({type: 'done', established, failed, openFdsAtStart, rssBytes: rss()});
  };

  // each target with its address family, decided once for the ramp (net.isIPv6 is a regex)
  const targets = spec.targets.map((t) => ({...t, v6: net.isIPv6(t.host)}));
  const targetOf = (index: number) => targets[(spec.offset + index) % targets.length]!;

  // one attempt into the pending batch; a bare established handle's name is read when the batch goes
  const record = (p: Pending, handle: TcpHandle | null, errno: string | null, connectMs: number, reply?: string, nameNow = false) => {
    const target = targetOf(p.index);
    let laddr = '';
    let lport = 0;
    if (handle && errno === null && nameNow) {
      ({address: laddr, port: lport} = localName(handle));
    }
    pending.push(handle && errno === null && !nameNow ? handle : null, laddr, lport, target.host, target.port, Math.round(connectMs * 1e6), Math.round(performance.now() - startedAt), errno, reply);
    if (pending.size >= 500) flush();
  };

  const settled = () => {
    inFlight--;
    settlePause();
    next();
  };

  // one function for every connect of the ramp: the request carries what differs
  const onConnect = (status: number, handle: TcpHandle, req: ConnectRequest) => {
    const p = req as unknown as Pending;
    const connectMs = performance.now() - p.t0;
    clearTimeout(p.timer);
    if (status !== 0) {
      failed++;
      handle.close();
      // closed by the timeout below: libuv cancels the connect (ECANCELED); it is the timeout that ended it
      record(p, null, p.timedOut ? 'ETIMEDOUT' : errnoName(status), connectMs);
      settled();
    } else if (spec.churn) {
      // one byte, then this end's FIN first; the attempt settles once the server's FIN is in and the socket closed
      established++;
      record(p, handle, null, connectMs, undefined, true);
      const socket = socketOf(handle, true);
      socket.once('close', settled);
      socket.end('x');
    } else if (spec.payload === undefined) {
      established++;
      held.push(handle);
      record(p, handle, null, connectMs);
      settled();
    } else {
      // the payload's reply settles it: four-tuple sends one and reads the echo
      const socket = socketOf(handle, true);
      held.push(socket);
      let replied = false;
      const answer = (errno: string | null, reply?: string) => {
        if (replied) return;
        replied = true;
        if (errno === null) established++;
        else failed++;
        record(p, handle, errno, connectMs, reply, true);
        settled();
      };
      socket.once('data', (chunk) => answer(null, chunk.toString()));
      socket.once('error', (error: NodeJS.ErrnoException) => answer(error.code ?? 'UNKNOWN'));
      socket.once('close', () => answer('ECONNRESET'));
      socket.write(spec.payload);
    }
  };

  const open = (index: number) => {
    const target = targetOf(index);
    const handle = clientHandle();
    const req = connectRequest(onConnect);
    const p = req as unknown as Pending;
    p.index = index;
    p.t0 = performance.now();
    started++;
    const local = spec.localAddresses?.length ? spec.localAddresses[(spec.offset + index) % spec.localAddresses.length] : spec.localAddress;
    let err = local ? bindHandle(handle, local, spec.localPort ?? 0) : 0;
    err ||= startConnect(handle, req, target.host, target.port, target.v6);
    if (err) {
      // refused before any packet: EMFILE (no fd), EADDRNOTAVAIL (no port), EADDRINUSE (bind)
      failed++;
      handle.close();
      record(p, null, errnoName(err), performance.now() - p.t0);
      settlePause();
      return;
    }
    inFlight++;
    if (spec.connectTimeoutMs !== undefined) {
      const p = req as unknown as Pending;
      p.timer = setTimeout(() => {
        p.timedOut = true;
        handle.close();
      }, spec.connectTimeoutMs);
    }
  };

  const next = () => {
    while (!paused && !finished && inFlight < spec.concurrency && started < spec.count && tokens >= 1) {
      tokens--;
      open(started);
    }
    if (started >= spec.count && inFlight === 0) finish();
  };
  next();
}

process.on('message', (m: ClientCommand) => {
  if (m.type === 'ramp') {
    paused = false;
    ramp(m);
  } else if (m.type === 'hello') {
    writeAll(held, m.message);
    send({type: 'helloSent', count: held.length});
  } else if (m.type === 'pause') {
    paused = true;
    pauseWaiting = true;
    settlePause();
  } else if (m.type === 'resume') paused = false;
  else if (m.type === 'reset') {
    const count = held.length;
    resetAll(held.splice(0));
    send({type: 'reset', count});
  }
  else if (m.type === 'close') {
    clearInterval(flusher);
    flush();
    closeAll(held);
    send({type: 'closed'});
    process.disconnect?.();
  }
});

process.on('disconnect', () => process.exit(0));
send({type: 'ready', openFds: openFds(), rssBytes: rss()});
