// Client worker: opens its share of the connections at a bounded rate and concurrency, holds them, reports each.
import net from 'node:net';
import {readdirSync, readFileSync} from 'node:fs';
import {rss} from './rss.js';
import type {ClientCommand, ClientConfig, ClientReport, ConnRecord, RampSpec} from './protocol.js';

const config = JSON.parse(process.argv[2] ?? '{}') as ClientConfig;
const send = (m: ClientReport) => process.send?.(m);
const held: net.Socket[] = [];
const startedAt = performance.now();
let batch: ConnRecord[] = [];
let paused = false;
// connects under way; a pause answers 'paused' once this is zero
let inFlight = 0;
let pauseWaiting = false;

const flush = () => {
  if (batch.length > 0) send({type: 'conns', records: batch});
  batch = [];
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

  const open = (index: number) => {
    const target = spec.targets[(spec.offset + index) % spec.targets.length]!;
    const t0 = process.hrtime.bigint();
    const options: net.NetConnectOpts = {host: target.host, port: target.port};
    if (spec.localAddress) Object.assign(options, {localAddress: spec.localAddress, localPort: spec.localPort});
    const socket = net.connect(options);
    inFlight++;
    started++;
    let settled = false;
    let connectNs = 0;
    const settle = (errno: string | null, reply?: string) => {
      if (settled) return;
      settled = true;
      inFlight--;
      if (errno === null) {
        established++;
        held.push(socket);
      } else {
        failed++;
        socket.destroy();
      }
      batch.push({
        worker: config.worker,
        laddr: socket.localAddress ?? '',
        lport: socket.localPort ?? 0,
        raddr: target.host,
        rport: target.port,
        connectNs: connectNs || Number(process.hrtime.bigint() - t0),
        errno,
        atMs: Math.round(performance.now() - startedAt),
        ...(reply === undefined ? {} : {reply}),
      });
      if (batch.length >= 500) flush();
      settlePause();
      next();
    };
    socket.once('connect', () => {
      connectNs = Number(process.hrtime.bigint() - t0);
      if (spec.payload === undefined) settle(null);
      else {
        socket.once('data', (chunk) => settle(null, chunk.toString()));
        socket.write(spec.payload);
      }
    });
    // an error after settling (a reset while held) is not a failed connect
    socket.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? 'UNKNOWN'));
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
    for (const s of held) s.write(m.message);
    send({type: 'helloSent', count: held.length});
  } else if (m.type === 'pause') {
    paused = true;
    pauseWaiting = true;
    settlePause();
  } else if (m.type === 'resume') paused = false;
  else if (m.type === 'close') {
    clearInterval(flusher);
    flush();
    for (const s of held) s.destroy();
    send({type: 'closed'});
    process.disconnect?.();
  }
});

process.on('disconnect', () => process.exit(0));
send({type: 'ready', openFds: openFds(), rssBytes: rss()});
