// Warm-up: a short-lived process in the lab namespace that makes a few loopback connections and exits,
// so that function probes can show they fire before the run's own connections count.
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
  // let the last ACKs land before closing
  setTimeout(() => {
    for (const s of sockets) s.destroy();
    server.close();
    process.stdout.write(`${JSON.stringify({connections: sockets.length})}\n`);
  }, 100);
});
