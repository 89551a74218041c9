// The dashboard's "socket buffers | not slab: queued" row (issue 14, fault 12) reads /proc/net/tcp{,6} in the
// namespace (pollQueues: no socket made there); here it must say what `ss -tanm` says of the same sockets at the
// same moment, and what the peer sent and nobody read.
import test from 'ava';
import {execFileSync, spawn} from 'node:child_process';
import {setTimeout as sleep} from 'node:timers/promises';
import {kernelSkipReason} from '../helpers/kernel.js';
import {PYTHON} from '../helpers/python-peers.js';
import {netnsSnapshot, pollQueues} from '../../src/system/netns-state.js';

const kernelTest = kernelSkipReason ? test.skip : test.serial;

// 3 clients connected to a server that never reads; client i sends 8000 * (i + 1) bytes; prints the total once the
// last byte is in the server's receive queues (SIOCINQ of each accepted socket), then holds until stdin closes.
const UNREAD = `
import fcntl, socket, struct, sys, termios, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 23650)); srv.listen(16)
clients = [socket.socket() for _ in range(3)]
for c in clients: c.connect(("127.0.0.1", 23650))
accepted = [srv.accept()[0] for _ in range(3)]
total = 0
for i, c in enumerate(clients):
    c.sendall(b"x" * (8000 * (i + 1))); total += 8000 * (i + 1)
inq = lambda s: struct.unpack("i", fcntl.ioctl(s, termios.FIONREAD, b"\\0\\0\\0\\0"))[0]
for _ in range(100):
    if sum(inq(a) for a in accepted) == total: break
    time.sleep(0.05)
print(total, flush=True)
sys.stdin.read()
`;

kernelTest('the queued-bytes row: /proc/net/tcp in the namespace says what ss says, 48 000 bytes unread on 6 sockets', async (t) => {
  const ns = `h-queues-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.teardown(() => execFileSync('ip', ['netns', 'del', ns]));
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const peer = spawn('ip', ['netns', 'exec', ns, PYTHON, '-c', UNREAD], {stdio: ['pipe', 'pipe', 'inherit']});
  t.teardown(() => void peer.kill('SIGKILL'));
  let out = '';
  peer.stdout!.on('data', (d) => (out += d));
  for (let i = 0; i < 100 && !out.includes('\n'); i++) await sleep(100);
  const sent = Number(out.trim());
  t.is(sent, 48_000);
  const queues = pollQueues(ns, 60_000);
  t.teardown(() => queues.stop());
  for (let i = 0; i < 50 && queues.latest() === null; i++) await sleep(100);
  const row = queues.latest();
  const ss = (await netnsSnapshot(ns)).buffers;
  queues.stop();
  // the 3 clients and the 3 accepted ends (the listener's queue counts connections, not bytes: left out by both)
  t.deepEqual(row, {sockets: 6, unreadBytes: sent, unsentBytes: 0});
  t.like(ss, {sockets: row!.sockets, unreadBytes: row!.unreadBytes, unsentBytes: row!.unsentBytes});
  peer.stdin!.end();
});
