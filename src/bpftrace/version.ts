// bpftrace version parsing, the spellings each version accepts, and what is known to be broken in each.
// Sources: bpftrace's CHANGELOG.md and src/ at each tag (v0.17.0 ... v0.27.1), checked against Debian's builds
// (0.17.0 bookworm, 0.23.2 trixie, 0.27.1 sid) on Linux 6.18.

// A parsed `bpftrace --version` (major, minor, patch).
export type BpftraceVersion = {major: number; minor: number; patch: number; text: string};

// Parse "bpftrace v0.17.0" (or "bpftrace v0.21.2-1"); null when unrecognised.
export function parseBpftraceVersion(output: string): BpftraceVersion | null {
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(output);
  if (!m) return null;
  return {major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: `${m[1]}.${m[2]}.${m[3]}`};
}

// True when version is at least major.minor(.patch).
export function atLeast(v: BpftraceVersion, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

// The entry/exit spelling of BTF function probes: kfunc/kretfunc up to 0.19, fentry/fexit from 0.20 (0.19 does
// not know fentry: src/ast/attachpoint_parser.cpp of v0.19.0 has kfunc only; v0.20.0 adds the fentry aliases).
export function functionProbeSpelling(v: BpftraceVersion): {entry: string; exit: string} {
  return atLeast(v, 0, 20) ? {entry: 'fentry', exit: 'fexit'} : {entry: 'kfunc', exit: 'kretfunc'};
}

// The environment variable that sizes every map of a program: BPFTRACE_MAP_KEYS_MAX up to 0.19,
// BPFTRACE_MAX_MAP_KEYS from 0.20 (src/main.cpp); 0.20-0.23 still read the old name with a deprecation
// warning, 0.24+ ignore it (src/config.cpp reads only the current names), so maps silently cap at 4096 keys.
export function mapKeysVariable(v: BpftraceVersion): string {
  return atLeast(v, 0, 20) ? 'BPFTRACE_MAX_MAP_KEYS' : 'BPFTRACE_MAP_KEYS_MAX';
}

// True where a tracepoint's `__data_loc` field (kmem_cache_alloc's `name`) is read at ctx + 4 x offset instead
// of ctx + offset: 0.23.0-0.23.5 (commit 06a8972510 "use preserve_static_offset", fixed in 0.24.0 by 665b754a5
// "Fix __data_loc reads"). str() of it then reads the wrong bytes: every cache name came out "".
export function dataLocMisread(v: BpftraceVersion): boolean {
  return v.major === 0 && v.minor === 23;
}

// True where bpftrace builds the kernel structs a program reads with clang, from a C dump of their BTF, before
// the program loads: reaching struct net (sock.__sk_common.skc_net.net->ns.inum) or task_struct (curtask->...)
// costs 0.5-1 s of CPU a program. Measured here (Linux 6.18): 0.17.0 and 0.23.2 (a run's three programs took
// 1.5-2.5 s each to attach, 0.3-1.6 s with the reads at BTF offsets: renderProgram); 0.27.1 reads the structs
// from BTF itself (the same ~0.3-0.5 s either way). 0.24-0.26 not measured: treated as 0.27.
export function structsThroughClang(v: BpftraceVersion): boolean {
  return !atLeast(v, 0, 24);
}

// True where bpftrace resolves a tracepoint's format again for every `args->field` it compiles: measured with strace
// on Linux 6.18, 0.17.0 read tracefs's available_events about 20 times per access, 0.23.2 about 6 times, 0.27.1 once
// per program. The composer then reads each field once per block (composeProgram's argsOnce): with 0.17 the counts
// program (about 40 accesses) went from 1.3 s to 0.8 s to ready. 0.24-0.26 not measured: treated as 0.27.
export function tracepointArgsReresolved(v: BpftraceVersion): boolean {
  return !atLeast(v, 0, 24);
}

// A defect of some bpftrace versions and what it does to the tool's numbers.
// `seen`: measured here with Debian's build, or only `reported` (by the issue tracker; no Debian build of that version to check).
export type VersionDefect = {versions: string; what: string; handled: boolean; fix: string; seen: 'measured' | 'reported'};

// The oldest version the tool is written and tested for (Debian 12).
export const OLDEST_SUPPORTED = '0.17.0';

const DEFECTS: Array<VersionDefect & {applies: (v: BpftraceVersion) => boolean}> = [
  {
    versions: '< 0.17',
    applies: (v) => !atLeast(v, 0, 17),
    what: 'older than the oldest version tcp-trace is written and tested for (no BTF struct reads of tracepoint args, other JSON output)',
    handled: false,
    seen: 'reported',
    fix: 'install 0.17 or newer (Debian 12: `apt-get install bpftrace`)',
  },
  {
    versions: '0.17-0.19',
    applies: (v) => atLeast(v, 0, 17) && !atLeast(v, 0, 20),
    what: 'hist() values of 2^31 or more are printed in one bucket {min: -2147483648, max: 0}; map updates that fail (a full map) are dropped without a word',
    handled: true,
    seen: 'measured',
    fix: 'handled: latencies that can exceed 2.1 s are kept in a millisecond histogram, such a bucket is read as "at least 2.1 s", and a map printed with as many keys as its limit is reported full',
  },
  {
    versions: '0.23.0-0.23.5',
    applies: dataLocMisread,
    what: 'tracepoint __data_loc fields are read at the wrong offset (kmem_cache_alloc `name` comes out empty)',
    handled: true,
    seen: 'measured',
    fix: 'handled: the slab probe reads the name at the corrected offset (from the tracepoint format)',
  },
  {
    versions: '0.24.0-0.24.2',
    applies: (v) => v.major === 0 && v.minor === 24 && v.patch <= 2,
    what: 'maps are printed empty (print() of a map with keys shows none)',
    handled: false,
    seen: 'reported',
    fix: 'install 0.24.3 or newer, or use Debian 13\'s 0.23',
  },
  {
    versions: '0.24.0-0.27.0',
    applies: (v) => atLeast(v, 0, 24) && !atLeast(v, 0, 27, 1),
    what: 'compile warnings are printed on stdout among the JSON lines',
    handled: true,
    seen: 'reported',
    fix: 'handled: lines that are not JSON are kept as bpftrace output and reported, not parsed',
  },
  {
    versions: '0.26.0',
    applies: (v) => v.major === 0 && v.minor === 26 && v.patch === 0,
    what: '`retval` is refused in kretprobes merged into kprobe sessions on Linux 6.10+ (the kprobe variants fail to compile)',
    handled: false,
    seen: 'reported',
    fix: 'install 0.26.1 or newer',
  },
];

// The known defects of a version, with whether tcp-trace works around each.
export function versionDefects(v: BpftraceVersion): VersionDefect[] {
  return DEFECTS.filter((d) => d.applies(v)).map(({applies: _applies, ...d}) => d);
}

// Whether tcp-trace can give right numbers with this version: `supported`, `broken` (a defect it cannot work
// around: runs go on, with the defect named in doctor, at the start and in the summary's warnings) or `unsupported` (too old).
export function versionSupport(v: BpftraceVersion): {status: 'supported' | 'broken' | 'unsupported'; why: string; fix: string | null} {
  const defects = versionDefects(v);
  if (!atLeast(v, 0, 17)) return {status: 'unsupported', why: defects[0]!.what, fix: defects[0]!.fix};
  const broken = defects.find((d) => !d.handled);
  if (broken) return {status: 'broken', why: `bpftrace ${v.text}: ${broken.what}`, fix: broken.fix};
  return {status: 'supported', why: defects.length ? `known defects worked around: ${defects.map((d) => d.versions).join(', ')}` : 'no known defect', fix: null};
}
