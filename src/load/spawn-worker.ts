// Start one worker process inside the lab namespace (with its own RLIMIT_NOFILE when asked); the kernel ends
// it when tcp-trace dies (PR_SET_PDEATHSIG), so no journal needs to remember it.
import {spawn, type ChildProcess} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {diesWithParent} from '../system/pdeathsig.js';

// How to start a worker.
export type WorkerSpec = {
  script: 'server-worker.js' | 'client-worker.js';
  config: unknown;
  netns: string;
  nofile?: {soft: number; hard: number};
};

// A started worker: the child (its pid is node's: setpriv, prlimit and ip exec, they do not fork) and its last stderr lines.
export type Worker = {child: ChildProcess; stderrTail: string[]; exited: Promise<number | null>; how: () => string};

// The command line that runs a worker in the namespace.
export function workerArgv(spec: WorkerSpec, nodePath = process.execPath): string[] {
  const script = fileURLToPath(new URL(spec.script, import.meta.url));
  const inNetns = ['ip', 'netns', 'exec', spec.netns, nodePath, script, JSON.stringify(spec.config)];
  return diesWithParent(spec.nofile ? ['prlimit', `--nofile=${spec.nofile.soft}:${spec.nofile.hard}`, '--', ...inNetns] : inNetns);
}

// Spawn the worker with an IPC channel. onSpawn runs at once: a listener added there cannot miss the
// worker's first message.
export async function spawnWorker(spec: WorkerSpec, onSpawn: (w: Worker) => void = () => undefined): Promise<Worker> {
  const [file, ...args] = workerArgv(spec);
  const child = spawn(file!, args, {stdio: ['ignore', 'ignore', 'pipe', 'ipc']});
  const stderrTail: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail.push(...chunk.split('\n').filter(Boolean));
    stderrTail.splice(0, Math.max(0, stderrTail.length - 20));
  });
  let how = 'running';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      how = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolve(code);
    }),
  );
  const worker: Worker = {child, stderrTail, exited, how: () => how};
  onSpawn(worker);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return worker;
}

// Make `count` loopback connections inside the namespace from a short-lived process; resolves when it exits.
export async function warmUp(netns: string, count: number): Promise<void> {
  const script = fileURLToPath(new URL('warmup.js', import.meta.url));
  await new Promise<void>((resolve, reject) => {
    const [file, ...args] = diesWithParent(['ip', 'netns', 'exec', netns, process.execPath, script, String(count)]);
    const child = spawn(file!, args, {stdio: ['ignore', 'ignore', 'pipe']});
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`warm-up in ${netns} exited ${code}: ${stderr.trim()}`))));
  });
}
