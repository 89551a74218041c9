// Peers outside the tool, for trace tests: a python3 client/server in the host's namespace.
import {execFile, execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';

// The python3 interpreter itself, not a wrapper found on PATH: a pyenv shim is bash scripts whose NSS lookups
// (socket(AF_UNIX) + connect() to nscd, once per lookup; 32 of each under CI's bare environment, none with HOME set)
// would be counted as the peer's calls by a trace of its namespace. 'python3' where the interpreter cannot say.
export const PYTHON = (() => {
  try {
    return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {encoding: 'utf8'}).trim() || 'python3';
  } catch {
    return 'python3';
  }
})();

// A client/server outside the tool: the server listens on each of ports; the client makes n connections
// (bound to localPort with SO_REUSEADDR when given) and prints their local ports; both hold them 2 s.
// With a fourth argument it first waits for a line on stdin (start it, trace its pid, then let it go).
export const PY = `
import json, socket, sys, threading, time
ports, n, local = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
if len(sys.argv) > 4: sys.stdin.readline()
held = []
for p in ports:
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", p)); srv.listen(128); held.append(srv)
    threading.Thread(target=lambda s=srv: [held.append(s.accept()[0]) for _ in iter(int, 1)], daemon=True).start()
out = []
for i in range(n):
    c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if local: c.bind(("127.0.0.1", local))
    c.connect(("127.0.0.1", ports[i % len(ports)])); held.append(c); out.append([ports[i % len(ports)], c.getsockname()[1]])
print(json.dumps(out), flush=True)
time.sleep(2)
`;

// Run the peers to the end; resolves to their (server port, local port) pairs.
export function python(ports: number[], n: number, localPort = 0): Promise<Array<[number, number]>> {
  return new Promise((resolve, reject) =>
    execFile(PYTHON, ['-c', PY, JSON.stringify(ports), String(n), String(localPort)], (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout)))),
  );
}


// A peer that keeps still: a server on port and n clients connected to it, all accepted; prints the clients' local
// ports, then holds every socket until stdin closes (socket() n + 1 times, nothing else that makes a socket).
export const HOLD = `
import json, socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port)); srv.listen(128)
clients = [socket.socket() for _ in range(n)]
for c in clients: c.connect(("127.0.0.1", port))
accepted = [srv.accept()[0] for _ in range(n)]
print(json.dumps([c.getsockname()[1] for c in clients]), flush=True)
sys.stdin.read()
`;

// Tcp InSegs of the namespace process pid is in, from /proc/PID/net/snmp (a header line, then a value line);
// nstat in the namespace would make a socket() there, which a trace counts.
export function tcpInSegs(pid: number): number {
  const [head, values] = readFileSync(`/proc/${pid}/net/snmp`, 'utf8').split('\n').filter((l) => l.startsWith('Tcp:')).map((l) => l.split(/\s+/));
  return Number(values![head!.indexOf('InSegs')]);
}
