// Pure reader of BTF, the kernel's own type information (/sys/kernel/btf/vmlinux), read only as far as struct
// member offsets: where a field sits inside a kernel struct on the running kernel.
// Format: include/uapi/linux/btf.h (struct btf_header; struct btf_type, then each kind's data after it) and
// Documentation/bpf/btf.rst, both unchanged in layout since Linux 5.x (ENUM64, kind 19, came in 6.0).

// BTF kinds (BTF_KIND_*) whose data after the btf_type this reader must step over or read.
const KIND = {INT: 1, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, TYPEDEF: 8, VOLATILE: 9, CONST: 10, RESTRICT: 11, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19} as const;
// kinds that only name or qualify another type: followed through to the struct they stand for
const ALIASES: ReadonlySet<number> = new Set([KIND.TYPEDEF, KIND.VOLATILE, KIND.CONST, KIND.RESTRICT, KIND.TYPE_TAG]);

// Bytes of each kind's data after its 12-byte btf_type (vlen: the type's count of members, values, params).
function dataBytes(kind: number, vlen: number): number {
  switch (kind) {
    case KIND.INT: case KIND.VAR: case KIND.DECL_TAG: return 4;
    case KIND.ARRAY: return 12;
    case KIND.STRUCT: case KIND.UNION: case KIND.DATASEC: case KIND.ENUM64: return 12 * vlen;
    case KIND.ENUM: case KIND.FUNC_PROTO: return 8 * vlen;
    default: return 0;
  }
}

// One member of a struct or union: its name ('' for an anonymous struct/union), type id and offset in bits.
type Member = {name: string; type: number; bitOffset: number};

// A parsed BTF blob: each type's kind and where its data is, and the structs and unions by name.
export type Btf = {
  // kind, first-following-field (size or referenced type id), vlen, kflag, byte position of its data; index = type id
  types: Array<{kind: number; ref: number; vlen: number; kflag: boolean; data: number; nameOff: number}>;
  structs: Map<string, number>;
  members(id: number): Member[];
};

// Parse a BTF blob (the bytes of /sys/kernel/btf/vmlinux). Throws on a blob that is not BTF (bad magic, short).
export function parseBtf(buf: Buffer): Btf {
  if (buf.length < 24) throw new Error(`BTF: ${buf.length} bytes, shorter than its header`);
  const little = buf.readUInt16LE(0) === 0xeb9f;
  if (!little && buf.readUInt16BE(0) !== 0xeb9f) throw new Error('BTF: bad magic (not 0xeb9f)');
  const u32 = (at: number) => (little ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const hdrLen = u32(4);
  const typeStart = hdrLen + u32(8);
  const typeEnd = typeStart + u32(12);
  const strStart = hdrLen + u32(16);
  if (typeEnd > buf.length || strStart + u32(20) > buf.length) throw new Error('BTF: sections past the end of the blob');
  const name = (off: number) => {
    const at = strStart + off;
    const end = buf.indexOf(0, at);
    return buf.toString('latin1', at, end < 0 ? buf.length : end);
  };
  // type id 0 is void
  const types: Btf['types'] = [{kind: 0, ref: 0, vlen: 0, kflag: false, data: 0, nameOff: 0}];
  const structs = new Map<string, number>();
  for (let at = typeStart; at + 12 <= typeEnd; ) {
    const info = u32(at + 4);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const t = {kind, ref: u32(at + 8), vlen, kflag: info >>> 31 === 1, data: at + 12, nameOff: u32(at)};
    types.push(t);
    if ((kind === KIND.STRUCT || kind === KIND.UNION) && t.nameOff !== 0) {
      const n = name(t.nameOff);
      if (!structs.has(n)) structs.set(n, types.length - 1);
    }
    at += 12 + dataBytes(kind, vlen);
  }
  const members = (id: number): Member[] => {
    const t = types[id];
    if (!t || (t.kind !== KIND.STRUCT && t.kind !== KIND.UNION)) return [];
    return Array.from({length: t.vlen}, (_, i) => {
      const m = t.data + 12 * i;
      const offset = u32(m + 8);
      // with kflag, the top 8 bits are a bitfield's size and the low 24 its bit offset
      return {name: name(u32(m)), type: u32(m + 4), bitOffset: t.kflag ? offset & 0xffffff : offset};
    });
  };
  return {types, structs, members};
}

// The type id a typedef or qualifier chain stands for.
function resolved(btf: Btf, id: number): number {
  for (let hops = 0; hops < 32 && ALIASES.has(btf.types[id]?.kind ?? 0); hops++) id = btf.types[id]!.ref;
  return id;
}

// The member `name` of struct/union `id`, looked for in its anonymous structs and unions too; offset in bits from `id`'s start.
function findMember(btf: Btf, id: number, name: string): {type: number; bitOffset: number} | null {
  for (const m of btf.members(resolved(btf, id))) {
    if (m.name === name) return {type: m.type, bitOffset: m.bitOffset};
    if (m.name === '') {
      const inner = findMember(btf, m.type, name);
      if (inner) return {type: inner.type, bitOffset: m.bitOffset + inner.bitOffset};
    }
  }
  return null;
}

// Where `path` (members by value, the last of any type: ['__sk_common', 'skc_net', 'net']) sits in `struct
// name`, in bytes from its start, as C's offsetof(struct name, a.b.c); null when the struct or a member is
// missing (a kernel built without it: no CONFIG_NET_NS leaves possible_net_t empty) or not byte-aligned.
export function memberOffset(btf: Btf, struct: string, path: string[]): number | null {
  let id = btf.structs.get(struct);
  if (id === undefined) return null;
  let bits = 0;
  for (const name of path) {
    const m = findMember(btf, id, name);
    if (!m) return null;
    bits += m.bitOffset;
    id = m.type;
  }
  return bits % 8 === 0 ? bits / 8 : null;
}
