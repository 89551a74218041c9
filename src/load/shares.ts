// Pure arithmetic of spreading connections over worker processes and ports.

// Split total into n shares that differ by at most one.
export function shareOut(total: number, n: number): number[] {
  const base = Math.floor(total / n);
  return Array.from({length: n}, (_, i) => base + (i < total % n ? 1 : 0));
}

// The fewest server processes that keep each under perWorker sockets, given connections spread evenly over
// ports: a port's connections all go to one process, so it is whole ports that are shared out.
export function serverWorkerCount(ports: number, connections: number, perWorker: number): number {
  const perPort = Math.ceil(connections / Math.max(1, ports));
  const portsPerWorker = Math.max(1, Math.floor(perWorker / Math.max(1, perPort)));
  return Math.min(ports, Math.max(1, Math.ceil(ports / portsPerWorker)));
}

// Group ports into one list per server process (round robin).
export function splitPorts(ports: number[], connections: number, perWorker: number): number[][] {
  const n = serverWorkerCount(ports.length, connections, perWorker);
  const groups: number[][] = Array.from({length: n}, () => []);
  ports.forEach((p, i) => groups[i % n]!.push(p));
  return groups;
}

// The client processes a generator of `connections` starts: each makes at most perWorker of them.
export function clientWorkerCount(connections: number, perWorker: number): number {
  return Math.max(1, Math.ceil(connections / perWorker));
}

// The fewest server ports that keep every server process under perWorker sockets.
export function minPorts(connections: number, perWorker: number): number {
  return Math.max(1, Math.ceil(connections / perWorker));
}
