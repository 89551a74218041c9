// The load generator: server and client workers in the lab namespace, driven by the parent over IPC.
import {setTimeout as sleep} from 'node:timers/promises';
import type {ClientCommand, ClientReport, ConnBatch, ConnRecord, RampSpec, ServerCommand, ServerConfig, ServerMode, ServerReport, Target} from './protocol.js';
import {parseConnectionCsvRow} from '../record/format.js';
import {TupleSet, type PortBits} from '../correlate/tuple-set.js';
import {spawnWorker, type Worker} from './spawn-worker.js';
import type {TcpHandle} from './uv-tcp.js';
import {clientWorkerCount, shareOut, splitPorts} from './shares.js';

// What the generator needs to know.
export type GeneratorOptions = {
  netns: string;
  host: string;
  ports: number[];
  connections: number;
  // sockets one worker process holds at most (the per-process fd limit binds otherwise)
  perWorker: number;
  concurrency: number;
  ratePerSec: number;
  serverMode?: ServerMode;
  clientNofile?: {soft: number; hard: number};
  // listen() backlog of the server ports (4096 unless set)
  backlog?: number;
  // false: no server process accepts (the parent holds the listening sockets) until resumeAccept()
  accept?: boolean;
  // one server port served by this many server processes, all accepting on its one listening socket
  sharedServers?: number;
  // bind each connection to one of these local addresses (port 0) before connect, in turn
  clientAddresses?: string[];
  // attempts whose whole record the parent keeps in `records` (KEPT_RECORDS unless set)
  keepRecords?: number;
};

// Whole records kept by default: the scenarios that judge single connections (four-tuple, port-exhaustion,
// fd-limit) make fewer; past them the parent keeps counts and 4-tuples only.
export const KEPT_RECORDS = 10_000;

// What the generator saw so far.
export type GeneratorStats = {
  attempted: number;
  established: number;
  failed: Record<string, number>;
  accepted: number;
  serverOpen: number;
  serverBytesIn: number;
  clientsDone: number;
  // resident memory of the workers: when they were ready, and latest
  rss: {readyBytes: number; nowBytes: number; workers: number};
};

// The counts before any worker is up.
export function idleStats(): GeneratorStats {
  return {attempted: 0, established: 0, failed: {}, accepted: 0, serverOpen: 0, serverBytesIn: 0, clientsDone: 0, rss: {readyBytes: 0, nowBytes: 0, workers: 0}};
}

// Parent side of the generator.
export class Generator {
  // the first attempts' whole records (options.keepRecords of them), for the scenarios' claims; parsed from
  // their rows when read, off the ramp's path (a 100 000-connection ramp kept 10 000 rows parsed it never read)
  get records(): ConnRecord[] {
    for (const {csv, count, replies} of this.keptRows.splice(0)) {
      for (const [i, line] of csv.split('\n', count).entries()) {
        const r = parseConnectionCsvRow(line);
        if (r) this.parsed.push(replies?.[i] === undefined ? r : {...r, reply: replies[i]});
      }
    }
    return this.parsed;
  }
  private readonly parsed: ConnRecord[] = [];
  // batches whose first `count` rows are kept records, not parsed yet
  private readonly keptRows: Array<{csv: string; count: number; replies?: Record<number, string>}> = [];
  private keptRowCount = 0;
  // every established connection by 4-tuple, compact (a bitmap of local ports per endpoint pair)
  readonly connections = new TupleSet();
  // the rows of connections.csv as each batch arrives, in order (the run appends them to its file)
  onRows: (csv: string) => void = () => undefined;
  // fds each client worker had open when it became ready, then when its last ramp began (node's own: stdio, epoll, IPC, ...)
  readonly clientOpenFds: number[] = [];
  private accepted = new Map<number, {total: number; open: number; bytesIn: number}>();
  // waitAccepted's checks, run on each server report
  private readonly acceptedListeners = new Set<() => void>();
  // resident set size of each worker (servers first): at ready, and latest report
  private rssReady = new Map<string, number>();
  private rssNow = new Map<string, number>();
  private done = 0;
  // counted as records arrive, so that stats() costs the same at 23 and at 1 000 000 connections
  private established = 0;
  private attempted = 0;
  private failed: Record<string, number> = {};

  // listening sockets handed over by the server worker that made them, by port: held while no one may accept
  private listeners = new Map<number, TcpHandle>();

  // what a worker reported going wrong after it started (a server out of fds cannot accept, say)
  readonly warnings: string[] = [];
  onWarning: (message: string) => void = () => undefined;
  // a worker that ended on its own, after the start and before close(): which, how, and what it leaves out
  onWorkerDied: (died: {part: string; how: string; missing: string}) => void = () => undefined;
  private closing = false;

  private constructor(
    readonly options: GeneratorOptions,
    readonly servers: Worker[],
    readonly clients: Worker[],
  ) {}

  // Start every worker at once and wait until the servers listen and the clients are ready.
  static async start(options: GeneratorOptions): Promise<Generator> {
    const shared = (options.sharedServers ?? 1) > 1 && options.ports.length === 1;
    // a shared port: the first server process makes its listening socket, the others get it from the parent
    const groups = shared ? Array.from({length: options.sharedServers!}, (_, i) => (i === 0 ? options.ports : [])) : splitPorts(options.ports, options.connections, options.perWorker);
    const handOver = shared || options.accept === false;
    const clientCount = clientWorkerCount(options.connections, options.perWorker);
    const generator = new Generator(options, [], []);
    const ready: Array<Promise<void>> = [];
    // each worker's listeners go on as it is spawned (its first message may come before the others are up)
    const spawned = await Promise.allSettled([
      ...groups.map((ports, i) => {
        const config: ServerConfig = {host: options.host, ports, backlog: options.backlog ?? 4096, mode: options.serverMode ?? 'idle', handOver: handOver && ports.length > 0, accept: options.accept, ...(shared && (options.serverMode ?? 'idle') === 'idle' ? {maxSockets: options.perWorker} : {})};
        return spawnWorker({script: 'server-worker.js', netns: options.netns, config}, (w) => {
          generator.servers[i] = w;
          ready.push(generator.waitFor(w, 'listening'));
          w.child.on('message', (m: ServerReport, handle?: unknown) => generator.onServer(i, m, handle as TcpHandle | undefined));
        });
      }),
      ...Array.from({length: clientCount}, (_, i) =>
        spawnWorker({script: 'client-worker.js', netns: options.netns, config: {worker: i}, nofile: options.clientNofile}, (w) => {
          generator.clients[i] = w;
          ready.push(generator.waitFor(w, 'ready'));
          w.child.on('message', (m: ClientReport) => generator.onClient(i, m));
        }),
      ),
    ]);
    try {
      const failed = spawned.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      await Promise.all(ready);
      // the other server processes accept on the shared socket too
      if (shared) for (const port of options.ports) await generator.handListener(port, generator.servers.slice(1));
    } catch (error) {
      await generator.close(1000);
      throw error;
    }
    generator.servers.forEach((w, i) => generator.watch(w, `server worker ${i}`, `it held the server side of ports ${groups[i]!.join(', ')}: their connections close and no more are accepted`));
    generator.clients.forEach((w, i) => generator.watch(w, `client worker ${i}`, 'the connections it had yet to make, and those it held close'));
    return generator;
  }

  private watch(w: Worker, name: string, missing: string) {
    void w.exited.then(() => {
      if (!this.closing) this.onWorkerDied({part: `${name} (pid ${w.child.pid})`, how: w.how(), missing});
    });
  }

  private onServer(i: number, m: ServerReport, handle?: TcpHandle) {
    if (m.type === 'listener' && handle) this.listeners.set(m.port, handle);
    if (m.type === 'listening') this.rssReady.set(`s${i}`, m.rssBytes);
    if (m.type === 'error') this.warn(`server worker ${i}: ${m.message}`);
    if (m.type === 'accepted') {
      this.accepted.set(i, {total: m.total, open: m.open, bytesIn: m.bytesIn});
      if (m.rssBytes > 0) this.rssNow.set(`s${i}`, m.rssBytes);
      for (const check of [...this.acceptedListeners]) check();
    }
  }

  private onClient(i: number, m: ClientReport) {
    if (m.type === 'ready') {
      this.clientOpenFds[i] = m.openFds;
      this.rssReady.set(`c${i}`, m.rssBytes);
    }
    if (m.type === 'conns') {
      this.add(m);
      if (m.rssBytes > 0) this.rssNow.set(`c${i}`, m.rssBytes);
    }
    if (m.type === 'done') {
      this.done++;
      this.clientOpenFds[i] = m.openFdsAtStart;
      if (m.rssBytes > 0) this.rssNow.set(`c${i}`, m.rssBytes);
    }
  }

  private warn(message: string) {
    this.warnings.push(message);
    this.onWarning(message);
  }

  // The targets of the run: every server port on the server host.
  targets(): Target[] {
    return this.options.ports.map((port) => ({host: this.options.host, port}));
  }

  // Send the listening socket of port to these server workers, which accept on it; the parent's copy is then closed.
  private async handListener(port: number, to: Worker[]): Promise<void> {
    const handle = this.listeners.get(port);
    if (!handle) throw new Error(`load: no listening socket of port ${port} was handed over`);
    this.listeners.delete(port);
    await Promise.all(to.map((w) => new Promise<void>((resolve) => w.child.send({type: 'listener', port} satisfies ServerCommand, handle as never, () => resolve()))));
    (handle as TcpHandle).close();
  }

  // Servers started with accept false: hand every held listening socket to the first server worker, which
  // accepts from then on (the queued connections first).
  async resumeAccept(): Promise<void> {
    for (const port of [...this.listeners.keys()]) await this.handListener(port, this.servers.slice(0, 1));
  }

  // Close every connection the clients hold with a reset (no TIME_WAIT): their local ports are free again at once.
  async reset(): Promise<void> {
    await Promise.all(
      this.clients.filter((w) => w.child.connected).map((w) => {
        const done = this.waitFor(w, 'reset');
        w.child.send({type: 'reset'} satisfies ClientCommand);
        return done;
      }),
    );
  }

  // Connections each server process accepted so far (a shared port: how the processes split them).
  acceptedByServer(): number[] {
    return this.servers.map((_, i) => this.accepted.get(i)?.total ?? 0);
  }

  // Ramp every client to its share of connections [from, to) (all of them by default); resolves when all have
  // tried their share. Two calls, [0, k) then [k, n), make the same connections as one.
  async ramp(from = 0, to = this.options.connections): Promise<void> {
    const shares = shareOut(Math.max(0, to - from), this.clients.length);
    const rate = Math.max(1, Math.floor(this.options.ratePerSec / this.clients.length));
    let offset = from;
    await Promise.all(
      this.clients.map((_, i) => {
        const spec: RampSpec = {targets: this.targets(), count: shares[i]!, offset, concurrency: this.options.concurrency, ratePerSec: rate, localAddresses: this.options.clientAddresses};
        offset += shares[i]!;
        return this.rampOn(i, spec);
      }),
    );
  }

  // Run one ramp on one client worker (scenarios that need an exact order use worker 0).
  // A worker that dies on the way ends its ramp there (onWorkerDied names it); an error it reports still throws.
  rampOn(worker: number, spec: RampSpec): Promise<void> {
    const w = this.clients[worker]!;
    if (!w.child.connected) return Promise.resolve();
    const finished = this.waitFor(w, 'done').catch((error: Error) => {
      if (w.child.exitCode === null && w.child.signalCode === null && w.child.connected) throw error;
    });
    w.child.send({type: 'ramp', ...spec} satisfies ClientCommand, () => undefined);
    return finished;
  }

  // Send message on every held connection, from both ends; resolves once every worker has written.
  async hello(message: string): Promise<void> {
    await Promise.all(
      [...this.clients, ...this.servers].map((w) => {
        const sent = this.waitFor(w, 'helloSent');
        w.child.send({type: 'hello', message});
        return sent;
      }),
    );
  }

  // Pause every client's ramp; resolves once no connect is in flight anywhere (their records are in).
  async pause(): Promise<void> {
    await Promise.all(
      this.clients.filter((w) => w.child.connected).map((w) => {
        const paused = this.waitFor(w, 'paused').catch(() => undefined);
        w.child.send({type: 'pause'} satisfies ClientCommand);
        return paused;
      }),
    );
  }

  // Resume every client's ramp.
  resume(): void {
    for (const w of this.clients) if (w.child.connected) w.child.send({type: 'resume'} satisfies ClientCommand);
  }

  private add(batch: ConnBatch) {
    this.onRows(batch.csv);
    const keep = (this.options.keepRecords ?? KEPT_RECORDS) - this.keptRowCount;
    if (keep > 0) {
      // the batch's first rows, records once read (a few scenarios' claims read them)
      const count = Math.min(keep, batch.count);
      // the batch that crosses the limit keeps only its first rows' text (as `records` splits it)
      const csv = count < batch.count ? batch.csv.split('\n', count).join('\n') : batch.csv;
      this.keptRows.push({csv, count, replies: batch.replies});
      this.keptRowCount += count;
    }
    this.attempted += batch.count;
    const t = batch.tuples;
    const a = batch.addresses;
    // one lookup per (local address, remote address, remote port) of the batch, not per connection
    const groups = new Map<number, PortBits>();
    for (let i = 0; i + 3 < t.length; i += 4) {
      const key = (t[i]! * 65_536 + t[i + 2]!) * 65_536 + t[i + 3]!;
      let bits = groups.get(key);
      if (!bits) groups.set(key, (bits = this.connections.portsOf(a[t[i]!]!, a[t[i + 2]!]!, t[i + 3]!)));
      bits.add(t[i + 1]!);
    }
    this.established += t.length / 4;
    for (const [errno, n] of Object.entries(batch.failed)) this.failed[errno] = (this.failed[errno] ?? 0) + n;
  }

  // Counts as the generator saw them.
  stats(): GeneratorStats {
    const established = this.established;
    const failed = {...this.failed};
    let accepted = 0;
    let serverOpen = 0;
    let serverBytesIn = 0;
    for (const a of this.accepted.values()) {
      accepted += a.total;
      serverOpen += a.open;
      serverBytesIn += a.bytesIn;
    }
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const nowBytes = sum(new Map([...this.rssReady, ...this.rssNow]));
    const rss = {readyBytes: sum(this.rssReady), nowBytes, workers: this.rssReady.size};
    return {attempted: this.attempted, established, failed, accepted, serverOpen, serverBytesIn, clientsDone: this.done, rss};
  }

  // Wait until the servers have accepted n connections in all (or timeoutMs passes): checked as each server's
  // report arrives, not on a poll.
  async waitAccepted(n: number, timeoutMs: number): Promise<boolean> {
    if (this.stats().accepted >= n) return true;
    return new Promise((resolve) => {
      const check = () => {
        if (this.stats().accepted < n) return;
        done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.acceptedListeners.delete(check);
        resolve(ok);
      };
      this.acceptedListeners.add(check);
    });
  }

  // Close every connection and end every worker (SIGKILL after graceMs).
  async close(graceMs = 5000): Promise<void> {
    this.closing = true;
    for (const handle of this.listeners.values()) handle.close();
    this.listeners.clear();
    // (a worker whose spawn threw leaves a hole)
    const all = [...this.clients, ...this.servers].filter((w): w is Worker => w !== undefined);
    await Promise.all(
      all.map(async (w) => {
        if (!w.child.connected) return;
        const closed = this.waitFor(w, 'closed').catch(() => undefined);
        w.child.send({type: 'close'});
        await Promise.race([closed, sleep(graceMs)]);
      }),
    );
    await Promise.all(
      all.map(async (w) => {
        const killer = setTimeout(() => w.child.kill('SIGKILL'), graceMs);
        await w.exited;
        clearTimeout(killer);
      }),
    );
  }

  private waitFor(w: Worker, type: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: {type: string; message?: string}) => {
        if (m.type === type) {
          w.child.off('message', onMessage);
          resolve();
        } else if (m.type === 'error') {
          reject(new Error(`load worker: ${m.message}`));
        }
      };
      w.child.on('message', onMessage);
      w.exited.then((code) =>
        reject(new Error(`load worker ${w.child.pid} exited (code ${code}) before '${type}': ${w.stderrTail.slice(-3).join(' | ') || 'no output'}`)),
      );
    });
  }
}
