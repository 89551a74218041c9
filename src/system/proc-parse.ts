// Pure parsers for /proc and /sys text.

// "32768\t60999" -> {low, high, size}; null when malformed.
export function parsePortRange(text: string): {low: number; high: number; size: number} | null {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  if (!m) return null;
  const low = Number(m[1]);
  const high = Number(m[2]);
  return high >= low ? {low, high, size: high - low + 1} : null;
}

// /proc/meminfo -> bytes by field (MemAvailable, Slab, SUnreclaim, ...).
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) * (line.includes('kB') ? 1024 : 1);
  }
  return out;
}

// One cache of /proc/slabinfo: live objects, their size, and the bytes they take.
export type SlabCache = {activeObjs: number; numObjs: number; objSize: number; activeBytes: number};

// /proc/slabinfo -> caches by name.
export function parseSlabinfo(text: string): Record<string, SlabCache> {
  const out: Record<string, SlabCache> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('slabinfo') || line.startsWith('#') || line.trim() === '') continue;
    const [name, active, num, size] = line.trim().split(/\s+/);
    if (!name || size === undefined) continue;
    const activeObjs = Number(active);
    const objSize = Number(size);
    out[name] = {activeObjs, numObjs: Number(num), objSize, activeBytes: activeObjs * objSize};
  }
  return out;
}

// "Max open files            1024                 524288               files" -> {soft, hard}.
export function parseNofile(limitsText: string): {soft: number; hard: number} | null {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limitsText);
  if (!m) return null;
  const n = (s: string) => (s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s));
  return {soft: n(m[1]!), hard: n(m[2]!)};
}

// Effective capability mask from /proc/self/status (CapEff), as a bigint.
export function parseCapEff(statusText: string): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)/m.exec(statusText);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

// Capability numbers the tool needs: bpf programs, perf events, namespaces and sysctls.
export const CAPS = {CAP_NET_ADMIN: 12, CAP_SYS_ADMIN: 21, CAP_PERFMON: 38, CAP_BPF: 39} as const;

// The names of needed capabilities missing from a CapEff mask.
export function missingCaps(capEff: bigint): string[] {
  return Object.entries(CAPS)
    .filter(([, bit]) => (capEff & (1n << BigInt(bit))) === 0n)
    .map(([name]) => name);
}

// The fields of /proc/PID/stat that the tool reads: the command name (in parentheses, may hold spaces and
// parentheses: the fields go on after the last ')'), the parent pid, the start time (clock ticks since boot) and
// the CPU time used so far, user plus system (utime + stime, clock ticks; proc(5)).
export function parseStat(text: string): {comm: string; state: string; ppid: number; startTime: number; cpuTicks: number} {
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return {comm: text.slice(text.indexOf('(') + 1, close), state: fields[0] ?? '', ppid: Number(fields[1]), startTime: Number(fields[19]), cpuTicks: Number(fields[11]) + Number(fields[12])};
}
