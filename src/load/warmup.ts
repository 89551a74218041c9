// Warm-up: a short-lived process in the lab namespace that makes a few loopback connections and exits,
// so that function probes can show they fire before the run's own connections count; none is left in TIME_WAIT.
import net from 'node:net';

const count = Number(process.argv[2] ?? 2);

const server = net.createServer((socket) => socket.on('error', () => undefined));
server.listen({host: '127.0.0.1', port: 0}, async () => {
  const {port} = server.address() as net.AddressInfo;
  const sockets: net.Socket[] = [];
  for (let i = 0; i < count; i++) {
    sockets.push(await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({host: '127.0.0.1', port}, () => resolve(s));
      s.once('error', reject);
    }));
  }
  // let the last ACKs land before closing; each closed with a reset (SO_LINGER 0): a FIN would leave it in TIME_WAIT
  // for 60 s on one of the lab range's ports (the time-wait scenario counts the namespace's TIME_WAIT sockets)
  setTimeout(() => {
    for (const s of sockets) s.resetAndDestroy();
    server.close();
    process.stdout.write(`${JSON.stringify({connections: sockets.length})}\n`);
  }, 100);
});
