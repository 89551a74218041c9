import test from 'ava';
import {memberOffset, parseBtf} from '../../../src/system/btf.js';

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
  // kflag: the low 24 bits are the bit offset, the top 8 the bitfield's size
  t.is(memberOffset(btf, 'sock_common', ['skc_flag']), 4);
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
