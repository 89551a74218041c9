// Pure classification of bpftrace's stderr lines.

// What a stderr line means to us.
export type StderrLine =
  | {kind: 'ignore'}
  | {kind: 'warning'; text: string}
  | {kind: 'error'; text: string};

const HARMLESS = [
  /couldn't set RLIMIT_MEMLOCK/, // bpftrace asks for memlock; kernels >= 5.11 account BPF memory by cgroup
  /^Attaching \d+ probes?\.\.\.$/,
  /^\s*~+\s*$/,
];

// Classify one stderr line; source-echo lines of a diagnostic count as ignore.
export function classifyStderr(line: string): StderrLine {
  const text = line.trim();
  if (text === '' || HARMLESS.some((re) => re.test(text))) return {kind: 'ignore'};
  const m = /^(?:[^:]*:\d+:\d+(?:-\d+)?:\s*)?(ERROR|WARNING):\s*(.*)$/.exec(text);
  if (m?.[1] === 'ERROR') return {kind: 'error', text: m[2]!};
  if (m?.[1] === 'WARNING') return {kind: 'warning', text: m[2]!};
  return {kind: 'ignore'};
}

// The line that best explains why bpftrace failed: the first error, else the first warning.
export function explainFailure(lines: string[]): string {
  const classified = lines.map(classifyStderr);
  const error = classified.find((c) => c.kind === 'error');
  const warning = classified.find((c) => c.kind === 'warning');
  const pick = error ?? warning;
  if (pick && 'text' in pick) return pick.text;
  // no ERROR/WARNING line: the last thing bpftrace said is the best reason there is
  const last = lines.map((l) => l.trim()).filter((l) => l !== '' && classifyStderr(l).kind === 'ignore' && !/RLIMIT_MEMLOCK|^Attaching/.test(l)).at(-1);
  return last ?? 'bpftrace exited without attaching and gave no reason';
}
