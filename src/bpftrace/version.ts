// bpftrace version parsing and the probe spellings each version accepts.

// A parsed `bpftrace --version` (major, minor, patch).
export type BpftraceVersion = {major: number; minor: number; patch: number; text: string};

// Parse "bpftrace v0.17.0" (or "bpftrace v0.21.2-1"); null when unrecognised.
export function parseBpftraceVersion(output: string): BpftraceVersion | null {
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(output);
  if (!m) return null;
  return {major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: `${m[1]}.${m[2]}.${m[3]}`};
}

// True when version is at least major.minor.
export function atLeast(v: BpftraceVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

// The entry/exit spelling of BTF function probes: kfunc/kretfunc on 0.17, fentry/fexit from 0.19.
export function functionProbeSpelling(v: BpftraceVersion): {entry: string; exit: string} {
  return atLeast(v, 0, 19) ? {entry: 'fentry', exit: 'fexit'} : {entry: 'kfunc', exit: 'kretfunc'};
}
