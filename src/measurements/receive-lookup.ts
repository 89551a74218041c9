// Receive path: TCP segments and packets received in the namespace; with kprobes, the established-hash lookups
// (__inet_lookup_established) by caller, hit or miss, and their latency.
import type {Bucket} from '../bpftrace/parse.js';
import {counter, counterTotal, type KernelState} from '../bpftrace/kernel-state.js';
import {defineMeasurement} from './types.js';

// Lookups of one caller.
export type LookupCounts = {hit: number; miss: number};

// What the receive lookup measurement gives; the tcpV4Rcv/lookup fields are null on the tracepoint variant.
export type ReceiveLookupReading = {
  packets: number;
  // TCP segments received, by IP version
  tcpSegments: number;
  tcpSegmentsByIpVersion: {v4: number; v6: number};
  // tcp_v4_rcv() and tcp_v6_rcv() calls (kprobe)
  tcpV4Rcv: number | null;
  tcpV6Rcv: number | null;
  lookups: number | null;
  lookupsByCaller: {earlyDemux: LookupCounts; tcpV4Rcv: LookupCounts} | null;
  // lookup latency in ns by caller
  lookupNs: {earlyDemux: Bucket[]; tcpV4Rcv: Bucket[]} | null;
};

// Kernel facts: every TCP segment received goes through __inet_lookup_established() (include/net/inet_hashtables.h
// callers: tcp_v4_early_demux() and __inet_lookup_skb() from tcp_v4_rcv(), net/ipv4/tcp_ipv4.c). No kfunc variant:
// the function has 8 parameters (7 from ~6.18) and bpftrace's kfunc takes at most 6 (measured on 6.1).
export const receiveLookup = defineMeasurement<'receiveLookup', ReceiveLookupReading>({
  name: 'receiveLookup',
  title: 'TCP segments received; established-hash lookups with kprobes',
  // not with the counts: its programs run on every packet, in softirq, and the kernel skips one that would start
  // while another BPF program runs on that CPU; skipped runs are known per process only (program-runs.ts), so they
  // would withhold kernel.established and the connect latency too. Beside the 4-tuple sets they withhold ports.*
  // where the sets come from their tracepoint, which can be skipped alike (their function variants never are, and
  // keep their numbers). Its few keys take the sets' size: no keyed map on the tracepoint variant; 4 with kprobes (2 per-CPU: @lookups, @lookup_ns).
  group: 'pairs',
  maps: [
    {name: '@rx_packets', aggregation: 'count', keys: [], unit: 'packets', print: 'tick', about: 'packets received (netif_receive_skb)'},
    // two unkeyed counts rather than one keyed by version: bpftrace (0.17, src/imap.cpp) makes an unkeyed count() a
    // one-entry per-CPU array, a keyed one a per-CPU hash preallocated to the process's map size (the sets' size)
    {name: '@rx_tcp4', aggregation: 'count', keys: [], unit: 'segments', print: 'tick', about: 'TCP segments received over IPv4'},
    {name: '@rx_tcp6', aggregation: 'count', keys: [], unit: 'segments', print: 'tick', about: 'TCP segments received over IPv6'},
    {name: '@tcp_v4_rcv', aggregation: 'count', keys: [], unit: 'calls', print: 'tick', kinds: ['kprobe'], about: 'tcp_v4_rcv() calls'},
    {name: '@tcp_v6_rcv', aggregation: 'count', keys: [], unit: 'calls', print: 'tick', kinds: ['kprobe'], about: 'tcp_v6_rcv() calls (IPv6)'},
    {name: '@lookups', aggregation: 'count', keys: ['caller', 'hit or miss'], unit: 'lookups', print: 'tick', kinds: ['kprobe'], about: '__inet_lookup_established() returns by caller'},
    {name: '@lookup_ns', aggregation: 'hist', keys: ['caller'], unit: 'ns', print: 'tick', kinds: ['kprobe'], about: 'lookup latency by caller'},
    {name: '@in_demux', aggregation: 'scratch', keys: ['cpu'], unit: 'flag', print: 'never', kinds: ['kprobe'], about: 'inside tcp_v4_early_demux() on this CPU'},
    {name: '@lk_start', aggregation: 'scratch', keys: ['cpu'], unit: 'ns', print: 'never', kinds: ['kprobe'], about: 'lookup entry time'},
  ],
  variants: [
    {kind: 'kprobe', files: ['rxlookup-tp.bt', 'rxlookup-kprobe.bt'], needs: ['btf', 'fn:__inet_lookup_established', 'fn:tcp_v4_rcv'], hooks: 'kprobe:tcp_v4_rcv, kretprobe:__inet_lookup_established', live: [{map: '@tcp_v4_rcv', perConnection: 3}, {map: '@lookups', perConnection: 3}]},
    {kind: 'tracepoint', files: ['rxlookup-tp.bt'], needs: ['btf'], hooks: 'net:netif_receive_skb'},
  ],
  feeds: ['kernel.receive'],
  read: (k: KernelState, kind) => {
    const fn = kind === 'kprobe' || kind === 'kfunc';
    const lookups = counter(k, '@lookups');
    const byCaller = (caller: string) => ({hit: lookups[`${caller},hit`] ?? 0, miss: lookups[`${caller},miss`] ?? 0});
    const v4 = counterTotal(k, '@rx_tcp4');
    const v6 = counterTotal(k, '@rx_tcp6');
    return {
      packets: counterTotal(k, '@rx_packets'),
      tcpSegments: v4 + v6,
      tcpSegmentsByIpVersion: {v4, v6},
      tcpV4Rcv: fn ? counterTotal(k, '@tcp_v4_rcv') : null,
      tcpV6Rcv: fn ? counterTotal(k, '@tcp_v6_rcv') : null,
      lookups: fn ? counterTotal(k, '@lookups') : null,
      lookupsByCaller: fn ? {earlyDemux: byCaller('early_demux'), tcpV4Rcv: byCaller('tcp_v4_rcv')} : null,
      lookupNs: fn ? {earlyDemux: k.hists['@lookup_ns[early_demux]'] ?? [], tcpV4Rcv: k.hists['@lookup_ns[tcp_v4_rcv]'] ?? []} : null,
    };
  },
});
