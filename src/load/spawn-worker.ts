// Start one worker process inside the lab namespace (with its own RLIMIT_NOFILE when asked) and track it.
import {spawn, type ChildProcess} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import type {Journal} from '../lab/journal.js';
import {startTimeOf} from '../system/processes.js';

// How to start a worker.
export type WorkerSpec = {
  script: 'server-worker.js' | 'client-worker.js';
  config: unknown;
  netns: string;
  nofile?: {soft: number; hard: number};
};

// A started worker: the child (its pid is node's: ip and prlimit exec, they do not fork) and its last stderr lines.
export type Worker = {child: ChildProcess; stderrTail: string[]; exited: Promise<number | null>};

// The command line that runs a worker in the namespace.
export function workerArgv(spec: WorkerSpec, nodePath = process.execPath): string[] {
  const script = fileURLToPath(new URL(spec.script, import.meta.url));
  const inNetns = ['ip', 'netns', 'exec', spec.netns, nodePath, script, JSON.stringify(spec.config)];
  return spec.nofile ? ['prlimit', `--nofile=${spec.nofile.soft}:${spec.nofile.hard}`, '--', ...inNetns] : inNetns;
}

// Spawn the worker with an IPC channel; records it in the journal so a crashed run's restore ends it.
// onSpawn runs at once, before any await: a listener added there cannot miss the worker's first message.
export async function spawnWorker(spec: WorkerSpec, journal: Journal, onSpawn: (w: Worker) => void = () => undefined): Promise<Worker> {
  const [file, ...args] = workerArgv(spec);
  const child = spawn(file!, args, {stdio: ['ignore', 'ignore', 'pipe', 'ipc']});
  const stderrTail: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail.push(...chunk.split('\n').filter(Boolean));
    stderrTail.splice(0, Math.max(0, stderrTail.length - 20));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onSpawn({child, stderrTail, exited});
  if (child.pid) {
    const startTime = await startTimeOf(child.pid);
    if (startTime !== null) journal.record({kind: 'process', pid: child.pid, startTime, what: spec.script});
  }
  return {child, stderrTail, exited};
}

// Make `count` loopback connections inside the namespace from a short-lived process; resolves when it exits.
export async function warmUp(netns: string, count: number): Promise<void> {
  const script = fileURLToPath(new URL('warmup.js', import.meta.url));
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, script, String(count)], {stdio: ['ignore', 'ignore', 'pipe']});
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`warm-up in ${netns} exited ${code}: ${stderr.trim()}`))));
  });
}
