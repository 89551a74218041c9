import test from 'ava';
import {memberAt, parseBtf, type Btf} from '../../../src/system/btf.js';

// The byte offset memberAt gives, or null.
const memberOffset = (btf: Btf, struct: string, path: string[]) => memberAt(btf, struct, path)?.byteOffset ?? null;

// A BTF blob of the given types (each: name, kind, vlen, kflag, size-or-type, data words), laid out as
// include/uapi/linux/btf.h says: the 24-byte header, the types, the strings.
function blob(types: Array<{name?: string; kind: number; vlen?: number; kflag?: boolean; ref: number; data?: Array<number | string>}>): Buffer {
  const strings = ['\0'];
  const strOff = (s: string) => {
    if (s === '') return 0;
    const at = strings.join('').length;
    strings.push(`${s}\0`);
    return at;
  };
  const words: number[] = [];
  for (const t of types) {
    words.push(strOff(t.name ?? ''), ((t.kflag ? 1 : 0) << 31) | (t.kind << 24) | (t.vlen ?? 0), t.ref);
    for (const d of t.data ?? []) words.push(typeof d === 'string' ? strOff(d) : d);
  }
  const typeBytes = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => typeBytes.writeUInt32LE(w >>> 0, i * 4));
  const strBytes = Buffer.from(strings.join(''), 'latin1');
  const header = Buffer.alloc(24);
  header.writeUInt16LE(0xeb9f, 0);
  header.writeUInt8(1, 2);
  header.writeUInt32LE(24, 4);
  header.writeUInt32LE(0, 8);
  header.writeUInt32LE(typeBytes.length, 12);
  header.writeUInt32LE(typeBytes.length, 16);
  header.writeUInt32LE(strBytes.length, 20);
  return Buffer.concat([header, typeBytes, strBytes]);
}

// The shape of the kernel's: sock { sock_common __sk_common { skc_daddr; union { possible_net_t skc_net } } },
// possible_net_t a typedef of an anonymous struct { struct net *net }, net { ...; ns_common ns { ...; inum } };
// an enum and a function prototype between them, which the reader must step over.
const KERNELISH = blob([
  /* 1 */ {name: 'u32', kind: 1, ref: 4, data: [32]},
  /* 2 */ {name: 'ns_common', kind: 4, vlen: 2, ref: 8, data: ['stashed', 1, 0, 'inum', 1, 32]},
  /* 3 */ {name: 'tcp_state', kind: 6, vlen: 2, ref: 4, data: ['TCP_ESTABLISHED', 1, 'TCP_SYN_SENT', 2]},
  /* 4 */ {name: 'net', kind: 4, vlen: 2, ref: 24, data: ['passive', 1, 0, 'ns', 2, 64]},
  /* 5 */ {kind: 2, ref: 4},
  /* 6 */ {kind: 13, vlen: 1, ref: 1, data: ['x', 1]},
  /* 7 */ {kind: 4, vlen: 1, ref: 8, data: ['net', 5, 0]},
  /* 8 */ {name: 'possible_net_t', kind: 8, ref: 7},
  /* 9 */ {kind: 5, vlen: 2, ref: 8, data: ['skc_net', 8, 0, 'skc_other', 1, 0]},
  // a bitfield struct (kflag): 3 bits at bit 0, then skc_daddr's neighbour at byte 4
  /* 10 */ {name: 'sock_common', kind: 4, vlen: 3, kflag: true, ref: 24, data: ['skc_daddr', 1, 0, 'skc_flag', 1, (3 << 24) | 32, '', 9, 64]},
  /* 11 */ {kind: 10, ref: 10},
  /* 12 */ {name: 'sock', kind: 4, vlen: 2, ref: 48, data: ['__sk_common', 11, 0, 'sk_rcvbuf', 1, 192]},
]);

test('memberOffset: a path through a typedef, a const, an anonymous union and an anonymous struct, as offsetof() gives it', (t) => {
  const btf = parseBtf(KERNELISH);
  t.is(memberOffset(btf, 'sock', ['__sk_common', 'skc_net', 'net']), 8);
  t.is(memberOffset(btf, 'net', ['ns', 'inum']), 12);
  t.is(memberOffset(btf, 'sock', ['sk_rcvbuf']), 24);
  // the sizes the rewritten reads load: a pointer 8, a u32 4, a struct its own size
  t.deepEqual(memberAt(btf, 'sock', ['__sk_common', 'skc_net', 'net']), {byteOffset: 8, byteSize: 8});
  t.deepEqual(memberAt(btf, 'net', ['ns', 'inum']), {byteOffset: 12, byteSize: 4});
  t.deepEqual(memberAt(btf, 'sock', ['__sk_common']), {byteOffset: 0, byteSize: 24});
  // kflag: the low 24 bits are the bit offset, the top 8 the bitfield's size: a bitfield is no plain load, even on a byte
  t.is(memberOffset(btf, 'sock_common', ['skc_flag']), null);
});

test('memberAt: an array is its count times its element; a bitfield INT (no kflag) is refused', (t) => {
  const btf = parseBtf(blob([
    /* 1 */ {name: 'u32', kind: 1, ref: 4, data: [32]},
    /* 2 */ {name: 'u8', kind: 1, ref: 1, data: [8]},
    /* 3 */ {kind: 3, ref: 0, data: [1, 1, 4]},
    // a 3-bit INT of size 4: how a bitfield is spelled in a struct without kflag
    /* 4 */ {name: 'u32', kind: 1, ref: 4, data: [3]},
    /* 5 */ {name: 'in6', kind: 4, vlen: 2, ref: 20, data: ['addr32', 3, 0, 'bits', 4, 128]},
  ]));
  t.deepEqual(memberAt(btf, 'in6', ['addr32']), {byteOffset: 0, byteSize: 16});
  t.is(memberAt(btf, 'in6', ['bits']), null);
});

test('parseBtf: a kind newer than this reader knows, or types that overrun their section, are refused', (t) => {
  t.throws(() => parseBtf(blob([{name: 'x', kind: 20, ref: 4}])), {message: /kind 20, newer than this reader knows/});
  // the last type's data cut off: an INT without its encoding word
  const short = blob([{name: 'u32', kind: 1, ref: 4}]);
  t.throws(() => parseBtf(short), {message: /the types end at byte 16, not at the section's 12/});
});

test('memberOffset: null for a struct or member this kernel lacks, and for a bitfield not on a byte', (t) => {
  const btf = parseBtf(blob([
    {name: 'u32', kind: 1, ref: 4, data: [32]},
    {name: 'flags', kind: 4, vlen: 1, kflag: true, ref: 4, data: ['mode', 1, (2 << 24) | 3]},
  ]));
  t.is(memberOffset(btf, 'flags', ['mode']), null);
  t.is(memberOffset(btf, 'flags', ['absent']), null);
  t.is(memberOffset(btf, 'sock', ['__sk_common']), null);
  t.is(memberOffset(parseBtf(KERNELISH), 'sock', ['__sk_common', 'skc_net', 'absent']), null);
});

test('parseBtf: a blob that is not BTF is refused, with what is wrong', (t) => {
  t.throws(() => parseBtf(Buffer.from('not btf at all, but long enough')), {message: 'BTF: bad magic (not 0xeb9f)'});
  t.throws(() => parseBtf(Buffer.alloc(8)), {message: 'BTF: 8 bytes, shorter than its header'});
  const cut = KERNELISH.subarray(0, 60);
  t.throws(() => parseBtf(cut), {message: 'BTF: sections past the end of the blob'});
});
