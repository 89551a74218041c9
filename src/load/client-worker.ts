// Client worker: opens its share of the connections at a bounded rate and concurrency, holds them, reports each.
import net from 'node:net';
import type {ClientCommand, ClientConfig, ClientReport, ConnRecord, Target} from './protocol.js';

const config = JSON.parse(process.argv[2] ?? '{}') as ClientConfig;
const send = (m: ClientReport) => process.send?.(m);
const held: net.Socket[] = [];
const startedAt = performance.now();
let batch: ConnRecord[] = [];
let paused = false;
// how many connects are under way; pause answers 'paused' once this is zero
let inFlightNow = 0;
let pauseWaiting = false;
const settlePause = () => {
  if (pauseWaiting && inFlightNow === 0) {
    pauseWaiting = false;
    flush();
    send({type: 'paused'});
  }
};

const flush = () => {
  if (batch.length > 0) send({type: 'conns', records: batch});
  batch = [];
};
const flusher = setInterval(flush, 50);

function ramp(cmd: Extract<ClientCommand, {type: 'ramp'}>) {
  let started = 0;
  let inFlight = 0;
  let established = 0;
  let failed = 0;
  let finished = false;
  // token bucket: at most ratePerSec connects per second, refilled every 10 ms
  let tokens = 0;
  const refill = setInterval(() => {
    tokens = Math.min(cmd.ratePerSec, tokens + cmd.ratePerSec / 100);
    next();
  }, 10);

  const finish = () => {
    if (finished) return;
    finished = true;
    clearInterval(refill);
    flush();
    send({type: 'done', established, failed});
  };

  const open = (target: Target) => {
    const t0 = process.hrtime.bigint();
    const socket = net.connect({host: target.host, port: target.port});
    inFlight++;
    started++;
    let settled = false;
    inFlightNow++;
    const record = (errno: string | null) => {
      settled = true;
      inFlight--;
      inFlightNow--;
      batch.push({
        worker: config.worker,
        laddr: socket.localAddress ?? '',
        lport: socket.localPort ?? 0,
        raddr: target.host,
        rport: target.port,
        connectNs: Number(process.hrtime.bigint() - t0),
        errno,
        atMs: Math.round(performance.now() - startedAt),
      });
      if (batch.length >= 500) flush();
      settlePause();
    };
    socket.once('connect', () => {
      established++;
      held.push(socket);
      record(null);
      next();
    });
    // an error after connect (a reset while held) is not a failed connect
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!settled) {
        failed++;
        record(error.code ?? 'UNKNOWN');
        socket.destroy();
        next();
      }
    });
  };

  const next = () => {
    while (!paused && inFlight < cmd.concurrency && started < cmd.count && tokens >= 1) {
      tokens--;
      open(cmd.targets[(cmd.offset + started) % cmd.targets.length]!);
    }
    if (started >= cmd.count && inFlight === 0) finish();
  };
  if (cmd.count === 0) finish();
}

process.on('message', (m: ClientCommand) => {
  if (m.type === 'ramp') ramp(m);
  else if (m.type === 'pause') {
    paused = true;
    pauseWaiting = true;
    settlePause();
  }
  else if (m.type === 'resume') paused = false;
  else if (m.type === 'close') {
    clearInterval(flusher);
    flush();
    for (const s of held) s.destroy();
    send({type: 'closed'});
    process.disconnect?.();
  }
});

process.on('disconnect', () => process.exit(0));
send({type: 'ready'});
