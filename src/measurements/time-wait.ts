// TIME_WAIT: sockets an active close handed to an inet_timewait_sock, by remote port; with function probes, the
// TIME_WAIT sockets connect() reused (tcp_twsk_unique() returning 1).
import {counter, counterTotal, type KernelState} from '../bpftrace/kernel-state.js';
import {defineMeasurement} from './types.js';

// What the TIME_WAIT measurement gives; `reused` is null on the tracepoint variant (no tracepoint sees a reuse:
// the namespace's TcpExt.TWRecycled counts them there).
export type TimeWaitReading = {
  // sockets handed to a TIME_WAIT socket (FIN_WAIT2 or CLOSING -> CLOSE), in all and by remote port
  entered: number;
  enteredByRemotePort: Record<string, number>;
  // TIME_WAIT sockets connect() took over for a new connection (kfunc/kprobe)
  reused: number | null;
};

const FN_NEEDS = ['btf', 'fn:tcp_twsk_unique'] as const;

// Kernel facts (net/ipv4/tcp_minisocks.c, tcp_input.c, tcp_ipv4.c, inet_hashtables.c, v6.1 to v6.18): no
// inet_sock_set_state event says TIME_WAIT. The active closer reaches FIN_WAIT2 (its FIN acked) or CLOSING
// (simultaneous close); tcp_time_wait() then makes an inet_timewait_sock that takes over the 4-tuple and calls
// tcp_done() -> tcp_set_state(TCP_CLOSE): FIN_WAIT2 (5) or CLOSING (11) -> CLOSE (7) is that hand-over (FIN_WAIT1
// never goes there directly: tcp_fin() makes it CLOSING, an ACK of the FIN makes it FIN_WAIT2 first). The same
// change also comes from an RST in those states, an orphan's abort (TcpExt.TCPAbortOnLinger, TCPAbortOnData,
// TCPAbortOnMemory), the orphaned FIN_WAIT2 timeout, or a failed timewait allocation (TcpExt.TCPTimeWaitOverflow:
// tcp_time_wait() still calls tcp_done()): `entered` is exact when none of those happened (the namespace's
// /proc/net/sockstat `tw` says how many sit in TIME_WAIT). connect()'s port search calls
// __inet_check_established(), which hands a matching TIME_WAIT socket to tcp_twsk_unique() (through twsk_prot, so
// never inlined): 1 means it is reused, counted once in TcpExt.TWRecycled.
export const timeWait = defineMeasurement<'timeWait', TimeWaitReading>({
  name: 'timeWait',
  title: 'sockets handed to TIME_WAIT, by remote port; TIME_WAIT sockets reused by connect() with function probes',
  group: 'counts',
  maps: [
    {name: '@tw_entered', aggregation: 'count', keys: ['remote port'], unit: 'sockets', print: 'tick', about: 'FIN_WAIT2 or CLOSING -> CLOSE: the socket handed to a TIME_WAIT socket'},
    {name: '@tw_reused', aggregation: 'count', keys: [], unit: 'sockets', print: 'tick', kinds: ['kfunc', 'kprobe'], about: 'tcp_twsk_unique() returning 1: a TIME_WAIT socket reused by connect()'},
    {name: '@tw_in', aggregation: 'scratch', keys: ['tid'], unit: 'flag', print: 'never', kinds: ['kprobe'], about: 'inside tcp_twsk_unique() for the namespace'},
  ],
  variants: [
    {kind: 'kfunc', files: ['timewait-tp.bt', 'timewait-kfunc.bt'], needs: [...FN_NEEDS], hooks: 'sock:inet_sock_set_state, kretfunc:tcp_twsk_unique'},
    {kind: 'kprobe', files: ['timewait-tp.bt', 'timewait-kprobe.bt'], needs: [...FN_NEEDS], hooks: 'sock:inet_sock_set_state, kretprobe:tcp_twsk_unique'},
    {kind: 'tracepoint', files: ['timewait-tp.bt'], needs: ['btf'], hooks: 'sock:inet_sock_set_state'},
  ],
  feeds: ['kernel.timeWait'],
  read: (k: KernelState, kind) => ({
    entered: counterTotal(k, '@tw_entered'),
    enteredByRemotePort: counter(k, '@tw_entered'),
    reused: kind === 'kfunc' || kind === 'kprobe' ? counterTotal(k, '@tw_reused') : null,
  }),
});
