import test from 'ava';
import {readdirSync, readFileSync} from 'node:fs';
import {readsAtOffsets, renderProgram, type StructOffsets} from '../../../src/probes/render.js';
import {parseBpftraceVersion} from '../../../src/bpftrace/version.js';
import {ROOT} from '../../helpers/paths.js';

const PROBES = `${ROOT}/probes`;
// Linux 6.18's offsets (this machine's /sys/kernel/btf/vmlinux)
const OFFSETS: StructOffsets = {sockNet: 48, netInum: 176, taskNsproxy: 1840, nsproxyNet: 40, skbDev: 16, devNet: 264, sockDaddr: 0, sockRcvSaddr: 4, sockV6Daddr: 56, sockV6RcvSaddr: 72, skbHead: 192, skbNetworkHeader: 180, skbProtocol: 176};
const code = (text: string) => text.split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n');

test('reads at offsets: each namespace read of probes/ becomes the same loads at the BTF offsets (a kprobe argument without its struct cast)', (t) => {
  t.is(readsAtOffsets('curtask->nsproxy->net_ns->ns.inum == $1', OFFSETS), '*(uint32 *)(*(uint64 *)(*(uint64 *)((uint64)curtask + 1840) + 40) + 176) == $1');
  t.is(readsAtOffsets('$ns = $sk->__sk_common.skc_net.net->ns.inum;', OFFSETS), '$ns = *(uint32 *)(*(uint64 *)((uint64)$sk + 48) + 176);');
  t.is(readsAtOffsets('args->sk->__sk_common.skc_net.net->ns.inum', OFFSETS), '*(uint32 *)(*(uint64 *)((uint64)args->sk + 48) + 176)');
  t.is(readsAtOffsets('((struct sock *)arg1)->__sk_common.skc_net.net->ns.inum', OFFSETS), '*(uint32 *)(*(uint64 *)((uint64)arg1 + 48) + 176)');
  t.is(readsAtOffsets('((struct sk_buff *)arg0)->dev->nd_net.net->ns.inum', OFFSETS), '*(uint32 *)(*(uint64 *)(*(uint64 *)((uint64)arg0 + 16) + 264) + 176)');
  t.is(readsAtOffsets('((struct net *)arg0)->ns.inum', OFFSETS), '*(uint32 *)((uint64)arg0 + 176)');
  t.is(readsAtOffsets('$d = $sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32;', OFFSETS), '$d = (uint32 *)((uint64)$sk + 56);');
  t.is(readsAtOffsets('$dlo = (uint64)$sk->__sk_common.skc_daddr;', OFFSETS), '$dlo = (uint64)*(uint32 *)((uint64)$sk + 0);');
  t.is(readsAtOffsets('if ($skb->protocol == 0x0008 && ((struct iphdr *)$nh)->protocol == 6)', OFFSETS), 'if (*(uint16 *)((uint64)$skb + 176) == 0x0008 && *(uint8 *)((uint64)$nh + 9) == 6)');
});

test('reads at offsets: a read whose offset is unknown stays as written, and so does the struct it needs', (t) => {
  const text = '$sk = (struct sock *)args->skaddr;\n$ns = $sk->__sk_common.skc_net.net->ns.inum;\n$a = $sk->__sk_common.skc_daddr;';
  const out = readsAtOffsets(text, {...OFFSETS, netInum: null});
  t.true(out.includes('$sk->__sk_common.skc_net.net->ns.inum'));
  t.true(out.includes('$sk = (struct sock *)args->skaddr;'));
  t.true(out.includes('*(uint32 *)((uint64)$sk + 0)'));
  // every read rewritten: the variable is a plain address
  t.true(readsAtOffsets(text, OFFSETS).startsWith('$sk = (uint64)args->skaddr;'));
});

test('rendering: bpftrace 0.17 and 0.23 read at offsets (no clang parse of struct net or task_struct), 0.27 reads the probes as written', (t) => {
  const text = readFileSync(`${PROBES}/slab-tp.bt`, 'utf8');
  for (const v of ['v0.17.0', 'v0.23.2']) {
    const out = renderProgram(text, parseBpftraceVersion(v)!, {kmemNameDataOffset: 61, structOffsets: OFFSETS});
    t.false(code(out).includes('ns.inum'), v);
  }
  t.is(renderProgram(text, parseBpftraceVersion('v0.27.1')!, {structOffsets: OFFSETS}), text);
  // no BTF: read as written
  t.is(renderProgram(text, parseBpftraceVersion('v0.17.0')!, {structOffsets: null}), text);
});

test('every tracepoint program, rendered for bpftrace 0.17, reads no kernel struct by name (each costs clang 0.2-1 s before the program loads)', (t) => {
  const files = readdirSync(PROBES).filter((f) => f.endsWith('-tp.bt') || f === 'connect-syscalls.bt');
  t.true(files.length >= 6);
  for (const f of files) {
    const out = code(renderProgram(readFileSync(`${PROBES}/${f}`, 'utf8'), parseBpftraceVersion('v0.17.0')!, {structOffsets: OFFSETS}));
    t.false(/\(struct \w+ \*\)/.test(out), `${f}: a struct cast is left`);
    t.deepEqual(out.match(/(?<!args)->\w+/g) ?? [], [], `${f}: a struct member is read by name`);
  }
});
