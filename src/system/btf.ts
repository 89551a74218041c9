// Pure reader of BTF, the kernel's own type information (/sys/kernel/btf/vmlinux), read only as far as struct
// member offsets: where a field sits inside a kernel struct on the running kernel.
// Format: include/uapi/linux/btf.h (struct btf_header; struct btf_type, then each kind's data after it) and
// Documentation/bpf/btf.rst, both unchanged in layout since Linux 5.x (ENUM64, kind 19, came in 6.0).

// BTF kinds (BTF_KIND_*) whose data after the btf_type this reader must step over or read.
const KIND = {INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, TYPEDEF: 8, VOLATILE: 9, CONST: 10, RESTRICT: 11, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19} as const;
// the last kind whose data size this reader knows: a newer kind would put every later type off its place
const LAST_KIND = KIND.ENUM64;
// kinds whose btf_type carries a size in bytes (not a referenced type id)
const SIZED: ReadonlySet<number> = new Set([KIND.INT, KIND.STRUCT, KIND.UNION, KIND.ENUM, KIND.FLOAT, KIND.ENUM64]);
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

// One member of a struct or union: its name ('' for an anonymous struct/union), type id, offset in bits, and its
// size in bits when the struct says it is a bitfield (kflag), else 0.
type Member = {name: string; type: number; bitOffset: number; bitfieldBits: number};

// A parsed BTF blob: each type's kind and where its data is, and the structs and unions by name.
export type Btf = {
  // kind, first-following-field (size or referenced type id), vlen, kflag, byte position of its data; index = type id
  types: Array<{kind: number; ref: number; vlen: number; kflag: boolean; dataAt: number; nameOff: number}>;
  structs: Map<string, number>;
  members(id: number): Member[];
  // the u32 words of a type's data (an INT's encoding, an ARRAY's element type, index type and count)
  word(id: number, index: number): number;
};

// Parse a BTF blob (the bytes of /sys/kernel/btf/vmlinux). Throws on a blob that is not BTF (bad magic, short) or
// that holds a kind newer than ENUM64 (its data size unknown, every later offset would be wrong).
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
  const types: Btf['types'] = [{kind: 0, ref: 0, vlen: 0, kflag: false, dataAt: 0, nameOff: 0}];
  const structs = new Map<string, number>();
  let at = typeStart;
  while (at + 12 <= typeEnd) {
    const info = u32(at + 4);
    const kind = (info >>> 24) & 0x1f;
    if (kind > LAST_KIND) throw new Error(`BTF: type ${types.length} is of kind ${kind}, newer than this reader knows`);
    const vlen = info & 0xffff;
    const t = {kind, ref: u32(at + 8), vlen, kflag: info >>> 31 === 1, dataAt: at + 12, nameOff: u32(at)};
    types.push(t);
    if ((kind === KIND.STRUCT || kind === KIND.UNION) && t.nameOff !== 0) {
      const n = name(t.nameOff);
      if (!structs.has(n)) structs.set(n, types.length - 1);
    }
    at += 12 + dataBytes(kind, vlen);
  }
  if (at !== typeEnd) throw new Error(`BTF: the types end at byte ${at - typeStart}, not at the section's ${typeEnd - typeStart}`);
  const members = (id: number): Member[] => {
    const t = types[id];
    if (!t || (t.kind !== KIND.STRUCT && t.kind !== KIND.UNION)) return [];
    return Array.from({length: t.vlen}, (_, i) => {
      const m = t.dataAt + 12 * i;
      const offset = u32(m + 8);
      // with kflag, the top 8 bits are a bitfield's size and the low 24 its bit offset
      return {name: name(u32(m)), type: u32(m + 4), bitOffset: t.kflag ? offset & 0xffffff : offset, bitfieldBits: t.kflag ? offset >>> 24 : 0};
    });
  };
  const word = (id: number, index: number) => u32(types[id]!.dataAt + 4 * index);
  return {types, structs, members, word};
}

// The type id a typedef or qualifier chain stands for.
function resolved(btf: Btf, id: number): number {
  for (let hops = 0; hops < 32 && ALIASES.has(btf.types[id]?.kind ?? 0); hops++) id = btf.types[id]!.ref;
  return id;
}

// The member `name` of struct/union `id`, looked for in its anonymous structs and unions too; offset in bits from `id`'s start.
function findMember(btf: Btf, id: number, name: string): {type: number; bitOffset: number; bitfieldBits: number} | null {
  for (const m of btf.members(resolved(btf, id))) {
    if (m.name === name) return m;
    if (m.name === '') {
      const inner = findMember(btf, m.type, name);
      if (inner) return {...inner, bitOffset: m.bitOffset + inner.bitOffset};
    }
  }
  return null;
}

// Bytes a type takes (C's sizeof): pointers 8 (the 64-bit kernels this reads), arrays their count times their
// element's; null for void, functions and forward declarations.
function sizeOf(btf: Btf, id: number, depth = 0): number | null {
  const r = resolved(btf, id);
  const t = btf.types[r];
  if (!t || depth > 8) return null;
  if (t.kind === KIND.PTR) return 8;
  if (SIZED.has(t.kind)) return t.ref;
  if (t.kind === KIND.ARRAY) {
    const element = sizeOf(btf, btf.word(r, 0), depth + 1);
    return element === null ? null : element * btf.word(r, 2);
  }
  return null;
}

// True when an INT type holds fewer bits than its size (a bitfield in a struct without kflag), or starts past bit 0.
function intIsBitfield(btf: Btf, id: number): boolean {
  const r = resolved(btf, id);
  const t = btf.types[r];
  if (t?.kind !== KIND.INT) return false;
  // the INT's encoding word: bits 0-7 its width in bits, 16-23 its bit offset
  const encoding = btf.word(r, 0);
  return (encoding & 0xff) !== t.ref * 8 || ((encoding >>> 16) & 0xff) !== 0;
}

// Where `path` (members by value, the last of any type: ['__sk_common', 'skc_net', 'net']) sits in `struct
// name`: byteOffset as C's offsetof(struct name, a.b.c), byteSize as sizeof of that member. Null when the struct or
// a member is missing (a kernel built without it: no CONFIG_NET_NS leaves possible_net_t empty), not byte-aligned,
// a bitfield, or of a type without a size.
export function memberAt(btf: Btf, struct: string, path: string[]): {byteOffset: number; byteSize: number} | null {
  let id = btf.structs.get(struct);
  if (id === undefined) return null;
  let bits = 0;
  for (const name of path) {
    const m = findMember(btf, id, name);
    if (!m || m.bitfieldBits !== 0) return null;
    bits += m.bitOffset;
    id = m.type;
  }
  const byteSize = sizeOf(btf, id);
  if (bits % 8 !== 0 || byteSize === null || intIsBitfield(btf, id)) return null;
  return {byteOffset: bits / 8, byteSize};
}
