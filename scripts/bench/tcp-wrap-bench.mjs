// tcp-wrap-bench.mjs  The floor of node:net on this host, for `npm run bench`: epoll-bench.c's server and
// client written with the bare libuv handles the generator holds (src/load/uv-tcp.ts), and nothing else: no
// records, no IPC per connection, no getsockname, no rate limit. Same processes, ports and order as the C one,
// so bare-node / C is what node:net itself costs, and generator / bare-node what the tool adds to it.
// With TCP_TRACE_BENCH_RECORDS=FILE in the environment, the client also keeps the generator's records, as its
// worker does (src/load/record-batch.ts: getsockname, the connections.csv row, a batch message to the parent
// every 500 attempts or 50 ms), and its parent appends each batch's rows to FILE: the records' price alone.
// Usage: node tcp-wrap-bench.mjs server HOST PORT_BASE NPORTS            (one process per port; holds every accepted handle)
//        node tcp-wrap-bench.mjs client HOST PORT_BASE NPORTS N CONC      (one process per 15 000 handles; prints the rate)
// Output: (server) "listening" once every port listens; (client) "established N in MS ms (failed F)" on stdout, timed from the moment every client process is
// up (node's own start-up, ~50 ms a process, is not an establish rate). Needs `npm run build` (it imports dist/).
import {fork} from 'node:child_process';
import net from 'node:net';
import {clientHandle, connectRequest, listenHandle, startConnect} from '../../dist/src/load/uv-tcp.js';
import {shareOut} from '../../dist/src/load/shares.js';
import {RecordBatch} from '../../dist/src/load/record-batch.js';
import {openSync, writeSync, closeSync} from 'node:fs';

const PER_PROCESS = 15_000;
const [role, host, baseArg, nportsArg, nArg, concArg] = process.argv.slice(2);
const base = Number(baseArg);
const nports = Number(nportsArg);
const held = [];
const v6 = net.isIPv6(host);
const recordsFile = process.env.TCP_TRACE_BENCH_RECORDS;

// One server process: listen on one port and hold every accepted handle.
function serve(port) {
  held.push(listenHandle(host, port, 4096, (status, handle) => status === 0 && handle && held.push(handle)));
}

// One client process: count connects, at most conc in flight, port by port as epoll-bench.c; resolves with the failures.
function client(count, conc, offset) {
  return new Promise((resolve) => {
    let started = 0;
    let done = 0;
    let failed = 0;
    let inFlight = 0;
    const batch = recordsFile ? new RecordBatch(0) : null;
    const t0 = performance.now();
    const flush = () => batch && batch.size > 0 && process.send({type: 'conns', ...batch.take()});
    const flusher = batch && setInterval(flush, 50);
    const settle = () => {
      done++;
      next();
    };
    const onConnect = (status, handle, req) => {
      inFlight--;
      if (status === 0) {
        held.push(handle);
        if (batch) {
          const now = performance.now();
          batch.push(handle, '', 0, host, req.port, Math.round((now - req.t0) * 1e6), Math.round(now - t0), null);
          if (batch.size >= 500) flush();
        }
      } else {
        failed++;
        handle.close();
      }
      settle();
    };
    const next = () => {
      while (inFlight < conc && started < count) {
        const handle = clientHandle();
        const port = base + ((offset + started) % nports);
        started++;
        const req = connectRequest(onConnect);
        if (batch) {
          req.port = port;
          req.t0 = performance.now();
        }
        if (startConnect(handle, req, host, port, v6) !== 0) {
          failed++;
          handle.close();
          done++;
          continue;
        }
        inFlight++;
      }
      if (done === count) {
        flush();
        if (flusher) clearInterval(flusher);
        resolve(failed);
      }
    };
    next();
  });
}

if (role === 'server') {
  // the parent forks one child per port and ends them when it is told to stop
  const kids = Array.from({length: nports}, (_, p) => fork(process.argv[1], ['serve-one', host, String(base + p)]));
  // "listening" once every port listens, as epoll-bench.c says it
  let listening = 0;
  for (const k of kids) k.once('message', () => ++listening === nports && console.log('listening'));
  // exit once every child is gone, so the ports are free when the caller's wait for this process ends
  const stop = () => {
    let left = kids.length;
    for (const k of kids) {
      k.once('exit', () => --left === 0 && process.exit(0));
      k.kill('SIGTERM');
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else if (role === 'serve-one') {
  serve(base);
  process.send({type: 'listening'});
  process.on('disconnect', () => process.exit(0));
} else if (role === 'client') {
  const n = Number(nArg);
  const conc = Number(concArg);
  const procs = Math.ceil(n / PER_PROCESS);
  const kids = [];
  let ready = 0;
  let finished = 0;
  let failed = 0;
  let t0 = 0;
  // the records' rows, appended as each batch comes (TCP_TRACE_BENCH_RECORDS)
  const rows = recordsFile ? openSync(recordsFile, 'a') : null;
  for (const [i, share] of shareOut(n, procs).entries()) {
    // each process starts at the same port as epoll-bench.c's
    const kid = fork(process.argv[1], ['connect-share', host, baseArg, nportsArg, String(share), String(conc), String(i * Math.floor(n / procs))]);
    kids.push(kid);
    kid.on('message', (m) => {
      if (m.type === 'ready' && ++ready === procs) {
        t0 = performance.now();
        for (const k of kids) k.send({type: 'go'});
      }
      if (m.type === 'conns') writeSync(rows, m.csv);
      if (m.type === 'done') {
        failed += m.failed;
        if (++finished === procs) {
          if (rows !== null) closeSync(rows);
          console.log(`established ${n - failed} in ${Math.round(performance.now() - t0)} ms (failed ${failed})`);
          for (const k of kids) k.kill('SIGTERM');
        }
      }
    });
  }
} else if (role === 'connect-share') {
  const offset = Number(process.argv[8]);
  process.on('message', async (m) => {
    if (m.type !== 'go') return;
    const failed = await client(Number(nArg), Number(concArg), offset);
    // hold the handles until the parent has measured
    process.send({type: 'done', failed});
  });
  process.on('disconnect', () => process.exit(0));
  process.send({type: 'ready'});
} else {
  console.error('usage: tcp-wrap-bench.mjs server HOST PORT_BASE NPORTS | client HOST PORT_BASE NPORTS N CONC');
  process.exit(2);
}
