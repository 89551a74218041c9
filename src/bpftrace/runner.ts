// The one owner of bpftrace processes: spawn `bpftrace -f json`, wait for attach, stream events, stop with SIGINT.
import {execa, type ResultPromise} from 'execa';
import {parseLine, type BpftraceEvent} from './parse.js';
import {classifyStderr, explainFailure} from './stderr.js';
import {mapKeysVariable, type BpftraceVersion} from './version.js';
import {diesWithParent} from '../system/pdeathsig.js';

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
  // how many keys a map may hold (bpftrace's default: 4096), passed in the variable `version` reads
  mapKeysMax?: number;
  version?: BpftraceVersion;
  attachTimeoutMs?: number;
  onEvent?: (event: BpftraceEvent) => void;
};

// bpftrace's default map size (every version): a map holds at most this many keys unless told otherwise.
export const DEFAULT_MAP_KEYS = 4096;

// Something bpftrace said that makes a number wrong or incomplete: a map at its key limit (new keys dropped:
// 0.17-0.22 silently, 0.23+ with helper_error lines), another helper error, or output that is not JSON.
// `map` names the map where known; `count` how many times it was said.
export type OutputProblem = {kind: 'map-full' | 'helper-error' | 'not-json'; map: string | null; text: string; count: number};

// The map named at line:col (1-based) of a program, for a helper_error that points there.
export function mapAt(program: string, line: number | null, col: number | null): string | null {
  if (line === null) return null;
  const text = program.split('\n')[line - 1] ?? '';
  const from = Math.max(0, (col ?? 1) - 1);
  return /@[A-Za-z_]\w*/.exec(text.slice(from))?.[0] ?? /@[A-Za-z_]\w*/.exec(text)?.[0] ?? null;
}

// What an output event says went wrong, or null: a map printed with as many keys as its limit (0.17-0.22 drop a
// full map's new keys without a word), a helper_error (0.23+; retcode -7, E2BIG, is a full map), a line that is
// not JSON (0.24.0-0.27.0 print compile warnings on stdout).
export function problemOf(event: BpftraceEvent, mapKeys: number, program: string): Omit<OutputProblem, 'count'> | null {
  if (event.type === 'map' && event.entries.length >= mapKeys) {
    return {kind: 'map-full', map: event.name, text: `${event.name} full at ${mapKeys} keys: new keys were dropped`};
  }
  if (event.type === 'helper_error') {
    const map = mapAt(program, event.line, event.col);
    if (event.retcode === -7 || /map full/i.test(event.message)) {
      return {kind: 'map-full', map, text: `${map ?? 'a map'} full at ${mapKeys} keys: new keys were dropped`};
    }
    return {kind: 'helper-error', map, text: `${event.helper} failed with ${event.retcode} (${event.message})${map ? ` updating ${map}` : ''}`};
  }
  if (event.type === 'malformed') return {kind: 'not-json', map: null, text: `bpftrace printed a line that is not JSON: ${event.line.slice(0, 120)}`};
  // any other error line a newer bpftrace prints (runtime_error, ...) is kept as it came
  if (event.type === 'other' && /error/i.test(event.kind)) return {kind: 'helper-error', map: null, text: `bpftrace reported ${event.kind}: ${event.line.slice(0, 160)}`};
  return null;
}

// A running bpftrace program.
export type BpftraceHandle = {
  pid: number;
  probes: number;
  // how many events bpftrace said it lost
  lostEvents: () => number;
  warnings: string[];
  // what made its numbers wrong or incomplete so far (see OutputProblem)
  problems: () => OutputProblem[];
  // SIGINT (END runs and prints), SIGKILL after graceMs; resolves when the process is gone
  stop: (graceMs?: number) => Promise<{exitCode: number | undefined; stderr: string[]}>;
};

// Start bpftrace; resolves once every probe is attached, rejects with BpftraceError otherwise.
export async function startBpftrace(options: StartOptions): Promise<BpftraceHandle> {
  const source = options.file ? [options.file] : ['-e', options.program ?? ''];
  const args = ['-f', 'json', ...source, ...(options.args ?? []).map(String)];
  const env: Record<string, string> = {};
  const mapKeys = options.mapKeysMax ?? DEFAULT_MAP_KEYS;
  if (options.mapKeysMax) env[options.version ? mapKeysVariable(options.version) : 'BPFTRACE_MAP_KEYS_MAX'] = String(options.mapKeysMax);
  const problems = new Map<string, OutputProblem>();
  const problem = (kind: OutputProblem['kind'], map: string | null, text: string) => {
    const id = `${kind}\u0000${map ?? text}`;
    const seen = problems.get(id);
    if (seen) seen.count++;
    else problems.set(id, {kind, map, text, count: 1});
  };
  // bpftrace dies with tcp-trace, by any signal (kernel-owned: PR_SET_PDEATHSIG through setpriv)
  const [file, ...argv] = diesWithParent([options.bpftrace ?? 'bpftrace', ...args]);
  const subprocess: ResultPromise = execa(file!, argv, {
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
      } else {
        const p = problemOf(event, mapKeys, options.program ?? '');
        // a map printed at its limit is said once (it is printed every second); each helper error counts
        if (p && !(event.type === 'map' && problems.has(`map-full\u0000${p.map ?? p.text}`))) problem(p.kind, p.map, p.text);
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

  return {pid: subprocess.pid ?? -1, probes: attachedProbes, lostEvents: () => lost, warnings, problems: () => [...problems.values()].map((p) => ({...p})), stop};
}
