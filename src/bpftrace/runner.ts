// The one owner of bpftrace processes: spawn `bpftrace -f json`, wait for attach, stream events, stop with SIGINT.
import {execa, type ResultPromise} from 'execa';
import {parseLine, type BpftraceEvent} from './parse.js';
import {classifyStderr, explainFailure} from './stderr.js';

// What every program prints from BEGIN: the sign that all its probes are attached.
export const READY = 'ready';
// The BEGIN block that prints it (added to -e programs; probes/*.bt carry their own).
export const READY_BLOCK = `BEGIN { printf("${READY}\\n"); }`;

// bpftrace failed to start or attach; message is bpftrace's own reason.
export class BpftraceError extends Error {
  constructor(message: string, readonly stderr: string[] = []) {
    super(message);
    this.name = 'BpftraceError';
  }
}

// What starting a program needs.
export type StartOptions = {
  bpftrace?: string;
  // a probes/*.bt file, or a program text given with `-e` (it must print READY from BEGIN itself)
  file?: string;
  program?: string;
  // positional parameters ($1, $2, ...)
  args?: Array<string | number>;
  // BPFTRACE_MAP_KEYS_MAX: how many keys a map may hold
  mapKeysMax?: number;
  attachTimeoutMs?: number;
  onEvent?: (event: BpftraceEvent) => void;
};

// A running bpftrace program.
export type BpftraceHandle = {
  pid: number;
  probes: number;
  // how many events bpftrace said it lost
  lostEvents: () => number;
  warnings: string[];
  // SIGINT (END runs and prints), SIGKILL after graceMs; resolves when the process is gone
  stop: (graceMs?: number) => Promise<{exitCode: number | undefined; stderr: string[]}>;
};

// Start bpftrace; resolves once every probe is attached, rejects with BpftraceError otherwise.
export async function startBpftrace(options: StartOptions): Promise<BpftraceHandle> {
  const source = options.file ? [options.file] : ['-e', options.program ?? ''];
  const args = ['-f', 'json', ...source, ...(options.args ?? []).map(String)];
  const env: Record<string, string> = {};
  if (options.mapKeysMax) env.BPFTRACE_MAP_KEYS_MAX = String(options.mapKeysMax);
  const subprocess: ResultPromise = execa(options.bpftrace ?? 'bpftrace', args, {
    env,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    killSignal: 'SIGINT',
    forceKillAfterDelay: false,
    cleanup: true,
  });
  const stderr: string[] = [];
  const warnings: string[] = [];
  let lost = 0;
  let attachedProbes = -1;
  let resolveAttach!: (n: number) => void;
  const attached = new Promise<number>((resolve) => (resolveAttach = resolve));

  subprocess.stderr?.setEncoding('utf8');
  let pending = '';
  subprocess.stderr?.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      stderr.push(line);
      const c = classifyStderr(line);
      if (c.kind === 'warning') warnings.push(c.text);
      const m = /Lost (\d+) events/.exec(line);
      if (m) lost += Number(m[1]);
    }
  });

  const reading = (async () => {
    for await (const line of subprocess.iterable({from: 'stdout'})) {
      const event = parseLine(String(line));
      if (!event) continue;
      if (event.type === 'attached') {
        attachedProbes = event.probes;
      } else if (event.type === 'printf' && event.text.trim() === READY) {
        // bpftrace announces attached_probes before attaching; BEGIN runs only once all are attached
        resolveAttach(attachedProbes);
      } else if (event.type === 'lost') {
        lost += event.events;
      }
      options.onEvent?.(event);
    }
  })().catch(() => undefined);
  const exited = subprocess.then((r) => r.exitCode);

  const timeoutMs = options.attachTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    attached.then(() => 'attached' as const),
    exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome !== 'attached') {
    if (outcome === 'timeout') subprocess.kill('SIGKILL');
    await exited;
    if (pending) stderr.push(pending);
    const why = outcome === 'timeout' ? `bpftrace did not attach within ${timeoutMs} ms` : explainFailure(stderr);
    throw new BpftraceError(why, stderr);
  }

  let stopping: Promise<{exitCode: number | undefined; stderr: string[]}> | undefined;
  const stop = (graceMs = 5000) => {
    stopping ??= (async () => {
      subprocess.kill('SIGINT');
      const killer = setTimeout(() => subprocess.kill('SIGKILL'), graceMs);
      const exitCode = await exited;
      clearTimeout(killer);
      await reading;
      if (pending) stderr.push(pending);
      return {exitCode, stderr};
    })();
    return stopping;
  };

  return {pid: subprocess.pid ?? -1, probes: attachedProbes, lostEvents: () => lost, warnings, stop};
}
