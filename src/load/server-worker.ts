// Server worker: listens on its share of the server ports and holds every accepted socket (idle or echoing).
import net from 'node:net';
import {rss} from './rss.js';
import type {ServerCommand, ServerConfig, ServerReport} from './protocol.js';

const config = JSON.parse(process.argv[2] ?? '{}') as ServerConfig;
const send = (m: ServerReport) => process.send?.(m);
const held = new Set<net.Socket>();
let total = 0;
let bytesIn = 0;
let reported = '';

const servers = config.ports.map((port) => {
  // idle: pauseOnConnect, the socket is never read, so what a peer sends stays in the kernel's queue
  const server = net.createServer({pauseOnConnect: config.mode === 'idle'}, (socket) => {
    total++;
    held.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => held.delete(socket));
    if (config.mode === 'echo') {
      socket.on('data', (chunk) => {
        bytesIn += chunk.length;
        socket.write(`${port}:${chunk.toString()}`);
      });
    }
  });
  server.on('error', (error) => send({type: 'error', message: `port ${port}: ${error.message}`}));
  return new Promise<net.Server>((resolve) => server.listen({host: config.host, port, backlog: config.backlog}, () => resolve(server)));
});

const report = () => {
  const now = `${total},${held.size},${bytesIn}`;
  if (now !== reported) {
    reported = now;
    send({type: 'accepted', total, open: held.size, bytesIn, rssBytes: rss()});
  }
};
const ticker = setInterval(report, 100);

Promise.all(servers).then((list) => {
  send({type: 'listening', ports: config.ports, rssBytes: rss()});
  process.on('message', (m: ServerCommand) => {
    if (m.type === 'hello') {
      for (const s of held) s.write(m.message);
      send({type: 'helloSent', count: held.size});
    } else if (m.type === 'close') {
      clearInterval(ticker);
      reported = '';
      report();
      for (const s of held) s.destroy();
      for (const s of list) s.close();
      send({type: 'closed'});
      process.disconnect?.();
    }
  });
});

// the parent is gone (crash, SIGKILL): nothing to serve any more
process.on('disconnect', () => process.exit(0));
