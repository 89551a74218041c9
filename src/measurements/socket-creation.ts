// Socket creation cost: socket() and accept4() counts, latency and failures; sock_alloc() itself with function probes.
import type {Bucket} from '../bpftrace/parse.js';
import {counter, counterTotal, presentCounts, type KernelState} from '../bpftrace/kernel-state.js';
import {defineMeasurement} from './types.js';

// What the socket creation measurement gives; the sockAlloc fields are null on the tracepoint variant.
export type SocketCreationReading = {
  // successful calls by syscall ("socket", "accept")
  calls: Record<string, number>;
  // failed calls: {syscall, errno number, count}
  errors: Array<{syscall: string; errno: number; count: number}>;
  // accept returns whose entry came before the probes attached (counted in calls/errors too)
  acceptUnmatched: number;
  // socket() latency, ns
  socketNs: Bucket[];
  // sock_alloc() returns and sock_alloc_inode() calls (kfunc/kprobe), their latency in ns
  sockAlloc: number | null;
  sockAllocInode: number | null;
  sockAllocNs: Bucket[] | null;
};

const FN_NEEDS = ['btf', 'fn:sock_alloc', 'fn:sock_alloc_inode'] as const;
const LIVE = [{map: '@sock_alloc', perConnection: 2}] as const;

// Kernel facts: __sys_socket() and do_accept() (net/socket.c) both call sock_alloc(), whose inode comes from
// sock_alloc_inode() (the sock_inode_cache).
export const socketCreation = defineMeasurement<'socketCreation', SocketCreationReading>({
  name: 'socketCreation',
  title: 'socket() and accept4() cost and failures; sock_alloc() with function probes',
  group: 'counts',
  taskContextOnly: true,
  maps: [
    // unkeyed counts rather than one keyed by syscall name: bpftrace (0.17, src/imap.cpp) makes an unkeyed count() a
    // one-entry per-CPU array, a keyed one a per-CPU hash (a 64-byte string key hashed on every call)
    {name: '@socket_ok', aggregation: 'count', keys: [], unit: 'calls', print: 'tick', about: 'successful socket() calls'},
    {name: '@accept_ok', aggregation: 'count', keys: [], unit: 'calls', print: 'tick', about: 'successful accept() / accept4() calls'},
    {name: '@accept_unmatched', aggregation: 'count', keys: [], unit: 'calls', print: 'tick', about: 'accept returns whose entry came before the probes attached'},
    {name: '@socket_ns', aggregation: 'hist', keys: [], unit: 'ns', print: 'tick', feeds: ['kernel.latency.socket'], about: 'socket() latency'},
    {name: '@errno', aggregation: 'count', keys: ['syscall', 'errno'], unit: 'calls', print: 'tick', about: 'failed calls by errno (EAGAIN on accept is not a failure)'},
    {name: '@socket_start', aggregation: 'scratch', keys: ['tid'], unit: 'ns', print: 'never', feeds: ['kernel.latency.socket'], about: 'socket() entry time'},
    {name: '@accept_start', aggregation: 'scratch', keys: ['tid'], unit: 'ns', print: 'never', about: 'accept entry time'},
    {name: '@sock_alloc', aggregation: 'count', keys: [], unit: 'calls', print: 'tick', kinds: ['kfunc', 'kprobe'], about: 'sock_alloc() returns'},
    {name: '@sock_alloc_ns', aggregation: 'hist', keys: [], unit: 'ns', print: 'tick', kinds: ['kfunc', 'kprobe'], about: 'sock_alloc() latency'},
    {name: '@sock_alloc_inode', aggregation: 'count', keys: [], unit: 'calls', print: 'tick', kinds: ['kfunc', 'kprobe'], about: 'sock_alloc_inode() calls'},
    {name: '@sa_start', aggregation: 'scratch', keys: ['tid'], unit: 'ns', print: 'never', kinds: ['kfunc', 'kprobe'], about: 'sock_alloc() entry time'},
  ],
  variants: [
    {kind: 'kfunc', files: ['sockalloc-tp.bt', 'sockalloc-kfunc.bt'], needs: [...FN_NEEDS], hooks: 'kretfunc:sock_alloc, kfunc:sock_alloc_inode, syscalls:sys_*_socket', live: [...LIVE]},
    {kind: 'kprobe', files: ['sockalloc-tp.bt', 'sockalloc-kprobe.bt'], needs: [...FN_NEEDS], hooks: 'kretprobe:sock_alloc, kprobe:sock_alloc_inode, syscalls:sys_*_socket', live: [...LIVE]},
    {kind: 'tracepoint', files: ['sockalloc-tp.bt'], needs: ['btf'], hooks: 'syscalls:sys_*_socket, syscalls:sys_*_accept4'},
  ],
  feeds: ['kernel.syscalls', 'kernel.latency.socket'],
  read: (k: KernelState, kind) => {
    const fn = kind === 'kfunc' || kind === 'kprobe';
    return {
      calls: presentCounts({socket: counterTotal(k, '@socket_ok'), accept: counterTotal(k, '@accept_ok')}),
      errors: Object.entries(counter(k, '@errno')).map(([key, count]) => {
        const [syscall, errno] = key.split(',');
        return {syscall: syscall ?? '', errno: Number(errno), count};
      }),
      acceptUnmatched: counterTotal(k, '@accept_unmatched'),
      socketNs: k.hists['@socket_ns'] ?? [],
      sockAlloc: fn ? counterTotal(k, '@sock_alloc') : null,
      sockAllocInode: fn ? counterTotal(k, '@sock_alloc_inode') : null,
      sockAllocNs: fn ? (k.hists['@sock_alloc_ns'] ?? []) : null,
    };
  },
});
