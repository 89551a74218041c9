// Server worker: listens on its share of the server ports and holds every accepted socket, idle.
import net from 'node:net';
import type {ServerCommand, ServerConfig, ServerReport} from './protocol.js';

const config = JSON.parse(process.argv[2] ?? '{}') as ServerConfig;
const send = (m: ServerReport) => process.send?.(m);
const held = new Set<net.Socket>();
let total = 0;
let reported = -1;

const servers = config.ports.map((port) => {
  // pauseOnConnect: the socket is never read, so an idle connection costs no read buffers
  const server = net.createServer({pauseOnConnect: true}, (socket) => {
    total++;
    held.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => held.delete(socket));
  });
  server.on('error', (error) => send({type: 'error', message: `port ${port}: ${error.message}`}));
  return new Promise<net.Server>((resolve) => server.listen({host: config.host, port, backlog: config.backlog}, () => resolve(server)));
});

const ticker = setInterval(() => {
  if (total !== reported) {
    reported = total;
    send({type: 'accepted', total, open: held.size});
  }
}, 100);

Promise.all(servers).then((list) => {
  send({type: 'listening', ports: config.ports});
  process.on('message', (m: ServerCommand) => {
    if (m.type !== 'close') return;
    clearInterval(ticker);
    send({type: 'accepted', total, open: held.size});
    for (const s of held) s.destroy();
    for (const s of list) s.close();
    send({type: 'closed'});
    process.disconnect?.();
  });
});

// the parent is gone (crash, SIGKILL): nothing to serve any more
process.on('disconnect', () => process.exit(0));
