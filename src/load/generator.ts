// The load generator: server and client workers in the lab namespace, driven by the parent over IPC.
import {setTimeout as sleep} from 'node:timers/promises';
import type {Journal} from '../lab/journal.js';
import type {ClientCommand, ClientReport, ConnRecord, ServerReport, Target} from './protocol.js';
import {spawnWorker, type Worker} from './spawn-worker.js';
import {shareOut, splitPorts} from './shares.js';

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
  clientNofile?: {soft: number; hard: number};
  journal: Journal;
};

// What the generator saw so far.
export type GeneratorStats = {
  attempted: number;
  established: number;
  failed: Record<string, number>;
  accepted: number;
  serverOpen: number;
  clientsDone: number;
};

// Parent side of the generator.
export class Generator {
  readonly records: ConnRecord[] = [];
  private accepted = new Map<number, {total: number; open: number}>();
  private done = 0;
  private rampDone!: Promise<void>;

  private constructor(
    readonly options: GeneratorOptions,
    readonly servers: Worker[],
    readonly clients: Worker[],
  ) {}

  // Start every worker and wait until the servers listen and the clients are ready.
  static async start(options: GeneratorOptions): Promise<Generator> {
    const serverPorts = splitPorts(options.ports, options.connections, options.perWorker);
    const servers: Worker[] = [];
    const clients: Worker[] = [];
    const generator = new Generator(options, servers, clients);
    const ready: Array<Promise<void>> = [];
    for (const [i, ports] of serverPorts.entries()) {
      const w = await spawnWorker({script: 'server-worker.js', netns: options.netns, config: {host: options.host, ports, backlog: 4096}}, options.journal);
      servers.push(w);
      ready.push(generator.waitFor(w, 'listening'));
      w.child.on('message', (m: ServerReport) => {
        if (m.type === 'accepted') generator.accepted.set(i, {total: m.total, open: m.open});
      });
    }
    const shares = shareOut(options.connections, Math.max(1, Math.ceil(options.connections / options.perWorker)));
    for (const [i] of shares.entries()) {
      const w = await spawnWorker({script: 'client-worker.js', netns: options.netns, config: {worker: i}, nofile: options.clientNofile}, options.journal);
      clients.push(w);
      ready.push(generator.waitFor(w, 'ready'));
      w.child.on('message', (m: ClientReport) => {
        if (m.type === 'conns') generator.records.push(...m.records);
        if (m.type === 'done') generator.done++;
      });
    }
    await Promise.all(ready);
    return generator;
  }

  // Tell every client to ramp to its share; resolves when all have tried their share.
  ramp(): Promise<void> {
    const shares = shareOut(this.options.connections, this.clients.length);
    const targets: Target[] = this.options.ports.map((port) => ({host: this.options.host, port}));
    const rate = Math.max(1, Math.floor(this.options.ratePerSec / this.clients.length));
    let offset = 0;
    const waits = this.clients.map((w, i) => {
      const cmd: ClientCommand = {type: 'ramp', targets, count: shares[i]!, offset, concurrency: this.options.concurrency, ratePerSec: rate};
      offset += shares[i]!;
      const finished = this.waitFor(w, 'done');
      w.child.send(cmd);
      return finished;
    });
    this.rampDone = Promise.all(waits).then(() => undefined);
    return this.rampDone;
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

  // Counts as the generator saw them.
  stats(): GeneratorStats {
    const failed: Record<string, number> = {};
    let established = 0;
    for (const r of this.records) {
      if (r.errno === null) established++;
      else failed[r.errno] = (failed[r.errno] ?? 0) + 1;
    }
    let accepted = 0;
    let serverOpen = 0;
    for (const a of this.accepted.values()) {
      accepted += a.total;
      serverOpen += a.open;
    }
    return {attempted: this.records.length, established, failed, accepted, serverOpen, clientsDone: this.done};
  }

  // Wait until the servers have accepted n connections in all (or timeoutMs passes).
  async waitAccepted(n: number, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.stats().accepted >= n) return true;
      await sleep(50);
    }
    return false;
  }

  // Close every connection and end every worker (SIGKILL after graceMs).
  async close(graceMs = 5000): Promise<void> {
    const all = [...this.clients, ...this.servers];
    for (const w of all) {
      if (w.child.connected) {
        const closed = this.waitFor(w, 'closed').catch(() => undefined);
        w.child.send({type: 'close'});
        await Promise.race([closed, sleep(graceMs)]);
      }
    }
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
