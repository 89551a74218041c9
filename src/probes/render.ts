// Pure rendering of a probe file for the installed bpftrace: kfunc/kretfunc become fentry/fexit from 0.20,
// bpftrace 0.23's misread tracepoint strings are read at the right address, and before 0.24 the namespace and
// address reads through kernel structs become reads at the running kernel's BTF offsets (no clang parse).
import {dataLocMisread, functionProbeSpelling, structsThroughClang, type BpftraceVersion} from '../bpftrace/version.js';
import {memberAt, type Btf} from '../system/btf.js';

// Byte offsets of the kernel struct members the probes read, on the running kernel (from its BTF); null where
// the kernel has no such member or it is not of the width the rewritten read loads. Source: /sys/kernel/btf/vmlinux
// (include/net/sock.h, include/net/net_namespace.h, include/linux/sched.h, include/linux/nsproxy.h,
// include/linux/skbuff.h, include/linux/netdevice.h).
export type StructOffsets = {
  // sock.__sk_common.skc_net.net: the socket's struct net pointer
  sockNet: number | null;
  // net.ns.inum: the namespace's inode number (what `stat -L /proc/PID/ns/net` shows)
  netInum: number | null;
  // task_struct.nsproxy and nsproxy.net_ns: a task's network namespace
  taskNsproxy: number | null;
  nsproxyNet: number | null;
  // sk_buff.dev and net_device.nd_net.net: a packet's device and the device's namespace
  skbDev: number | null;
  devNet: number | null;
  // sock.__sk_common.skc_daddr and skc_rcv_saddr: the IPv4 remote and local address (4 bytes each)
  sockDaddr: number | null;
  sockRcvSaddr: number | null;
  // sock.__sk_common.skc_v6_daddr and skc_v6_rcv_saddr: the IPv6 remote and local address (16 bytes each)
  sockV6Daddr: number | null;
  sockV6RcvSaddr: number | null;
  // sk_buff.head (pointer), network_header (2 bytes, from head) and protocol (2 bytes, big-endian)
  skbHead: number | null;
  skbNetworkHeader: number | null;
  skbProtocol: number | null;
};

// The offsets the probes need, read from a parsed BTF: each member's byte offset where its size is the width
// structReads loads it with (pointers 8, inum and IPv4 addresses 4, IPv6 addresses 16, the skb's u16s 2).
export function structOffsetsOf(btf: Btf): StructOffsets {
  const at = (struct: string, path: string[], byteSize: number) => {
    const m = memberAt(btf, struct, path);
    return m && m.byteSize === byteSize ? m.byteOffset : null;
  };
  return {
    sockNet: at('sock', ['__sk_common', 'skc_net', 'net'], 8),
    netInum: at('net', ['ns', 'inum'], 4),
    taskNsproxy: at('task_struct', ['nsproxy'], 8),
    nsproxyNet: at('nsproxy', ['net_ns'], 8),
    skbDev: at('sk_buff', ['dev'], 8),
    devNet: at('net_device', ['nd_net', 'net'], 8),
    sockDaddr: at('sock', ['__sk_common', 'skc_daddr'], 4),
    sockRcvSaddr: at('sock', ['__sk_common', 'skc_rcv_saddr'], 4),
    sockV6Daddr: at('sock', ['__sk_common', 'skc_v6_daddr'], 16),
    sockV6RcvSaddr: at('sock', ['__sk_common', 'skc_v6_rcv_saddr'], 16),
    skbHead: at('sk_buff', ['head'], 8),
    skbNetworkHeader: at('sk_buff', ['network_header'], 2),
    skbProtocol: at('sk_buff', ['protocol'], 2),
  };
}

// What the host adds to a program's text beyond the bpftrace version.
export type RenderFacts = {
  // bytes from the kmem_cache_alloc record's start to its `name` string (the tracepoint format's fixed size)
  kmemNameDataOffset?: number | null;
  // the running kernel's struct member offsets (null or absent: no BTF to read them from)
  structOffsets?: StructOffsets | null;
};

// What a struct pointer is spelled as in probes/: a variable, a kfunc argument, or a kprobe argument cast.
const BASE = String.raw`(\$\w+|args->\w+|\(\(struct \w+ \*\)arg\d\))`;

// Each struct read of probes/ and its spelling as reads at byte offsets (the same loads bpftrace makes).
// Every offset it needs must be known, or the read stays as written.
function structReads(o: StructOffsets): Array<{pattern: RegExp; needs: Array<number | null>; as: (base: string) => string}> {
  const net = (pointer: string) => `*(uint32 *)(${pointer} + ${o.netInum})`;
  return [
    {pattern: /curtask->nsproxy->net_ns->ns\.inum/g, needs: [o.taskNsproxy, o.nsproxyNet, o.netInum],
      as: () => net(`*(uint64 *)(*(uint64 *)((uint64)curtask + ${o.taskNsproxy}) + ${o.nsproxyNet})`)},
    {pattern: new RegExp(`${BASE}->__sk_common\\.skc_net\\.net->ns\\.inum`, 'g'), needs: [o.sockNet, o.netInum],
      as: (b) => net(`*(uint64 *)((uint64)${b} + ${o.sockNet})`)},
    {pattern: new RegExp(`${BASE}->dev->nd_net\\.net->ns\\.inum`, 'g'), needs: [o.skbDev, o.devNet, o.netInum],
      as: (b) => net(`*(uint64 *)(*(uint64 *)((uint64)${b} + ${o.skbDev}) + ${o.devNet})`)},
    {pattern: /\(\(struct net \*\)(arg\d)\)->ns\.inum/g, needs: [o.netInum], as: (b) => net(`(uint64)${b}`)},
    {pattern: new RegExp(`${BASE}->__sk_common\\.skc_daddr\\b`, 'g'), needs: [o.sockDaddr], as: (b) => `*(uint32 *)((uint64)${b} + ${o.sockDaddr})`},
    {pattern: new RegExp(`${BASE}->__sk_common\\.skc_rcv_saddr\\b`, 'g'), needs: [o.sockRcvSaddr], as: (b) => `*(uint32 *)((uint64)${b} + ${o.sockRcvSaddr})`},
    {pattern: new RegExp(`${BASE}->__sk_common\\.skc_v6_daddr\\.in6_u\\.u6_addr32`, 'g'), needs: [o.sockV6Daddr],
      as: (b) => `(uint32 *)((uint64)${b} + ${o.sockV6Daddr})`},
    {pattern: new RegExp(`${BASE}->__sk_common\\.skc_v6_rcv_saddr\\.in6_u\\.u6_addr32`, 'g'), needs: [o.sockV6RcvSaddr],
      as: (b) => `(uint32 *)((uint64)${b} + ${o.sockV6RcvSaddr})`},
    {pattern: /(\$skb)->head\b/g, needs: [o.skbHead], as: (b) => `*(uint64 *)((uint64)${b} + ${o.skbHead})`},
    {pattern: /(\$skb)->network_header\b/g, needs: [o.skbNetworkHeader], as: (b) => `*(uint16 *)((uint64)${b} + ${o.skbNetworkHeader})`},
    {pattern: /(\$skb)->protocol\b/g, needs: [o.skbProtocol], as: (b) => `*(uint16 *)((uint64)${b} + ${o.skbProtocol})`},
    // wire formats, the same on every kernel (include/uapi/linux/ip.h, ipv6.h): the protocol and next header bytes
    {pattern: /\(\(struct iphdr \*\)(\$\w+)\)->protocol\b/g, needs: [], as: (b) => `*(uint8 *)((uint64)${b} + 9)`},
    {pattern: /\(\(struct ipv6hdr \*\)(\$\w+)\)->nexthdr\b/g, needs: [], as: (b) => `*(uint8 *)((uint64)${b} + 6)`},
  ];
}

// The text with its struct reads at the kernel's offsets (see structsThroughClang: where bpftrace would parse
// struct net or task_struct with clang for them).
export function readsAtOffsets(text: string, offsets: StructOffsets): string {
  // a kprobe argument's cast goes too: `((struct sock *)arg1)` read at an offset is arg1's address plus it
  const plain = (base: string) => /^\(\(struct \w+ \*\)(arg\d)\)$/.exec(base)?.[1] ?? base;
  for (const r of structReads(offsets)) {
    if (r.needs.every((n) => n !== null)) text = text.replace(r.pattern, (_, base: string) => r.as(plain(base)));
  }
  // a variable whose every struct read is now at an offset is a plain address: no struct left for clang to parse
  return text.replace(/(\$\w+) = \(struct \w+ \*\)([^;]+);/g, (whole, name: string, from: string) => (text.includes(`${name}->`) ? whole : `${name} = (uint64)${from};`));
}

// The expression slab-tp.bt reads the cache name with; bpftrace 0.23 computes args->name as the record's
// address + 4 x the string's offset (see dataLocMisread), so 3 x the offset is taken back off.
const KMEM_NAME = 'str(args->name, 32)';

// Why a program cannot be rendered right for this bpftrace, or null: slab-tp.bt on 0.23 needs the name's offset.
export function renderRefusal(text: string, version: BpftraceVersion, facts: RenderFacts = {}): string | null {
  if (text.includes(KMEM_NAME) && dataLocMisread(version) && !facts.kmemNameDataOffset) {
    return `bpftrace ${version.text} misreads tracepoint strings and the offset of kmem_cache_alloc's name is unknown (no tracefs format)`;
  }
  return null;
}

// The program text bpftrace `version` accepts best (the process filter is the composer's: processFiltered).
export function renderProgram(text: string, version: BpftraceVersion, facts: RenderFacts = {}): string {
  const spell = functionProbeSpelling(version);
  if (structsThroughClang(version) && facts.structOffsets) text = readsAtOffsets(text, facts.structOffsets);
  if (dataLocMisread(version) && facts.kmemNameDataOffset) {
    text = text.replaceAll(KMEM_NAME, `str((int8 *)((uint64)args->name - ${3 * Math.trunc(facts.kmemNameDataOffset)}), 32)`);
  }
  if (spell.entry === 'kfunc') return text;
  // only probe specifiers at the start of a line (or after ", "), never comments or strings
  return text.replace(/^(\s*|.*,\s*)kretfunc:/gm, `$1${spell.exit}:`).replace(/^(\s*|.*,\s*)kfunc:/gm, `$1${spell.entry}:`);
}
