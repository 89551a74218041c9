// Connections established on each side, per server port, from the kernel's TCP state changes.
import {counter, counterTotal, type KernelState} from '../bpftrace/kernel-state.js';
import type {Bucket} from '../bpftrace/parse.js';
import {defineMeasurement} from './types.js';

// What the connections measurement gives (every variant alike).
export type ConnectionsReading = {
  // SYN_SENT -> ESTABLISHED, by server (remote) port
  clientByServerPort: Record<string, number>;
  // SYN_RECV -> ESTABLISHED, by listening (local) port
  serverByServerPort: Record<string, number>;
  client: number;
  server: number;
  // sockets that reached CLOSE, by the state they left (TCP_FIN_WAIT2 = 5, TCP_LAST_ACK = 9, ...)
  closedByOldState: Record<string, number>;
  // the client's handshake, SYN_SENT -> ESTABLISHED, ns (seconds-long ones, SYN retransmissions, folded in from
  // @handshake_slow_ms); unlike a non-blocking connect() call, it holds the wait for the server's SYN-ACK
  handshakeNs: Bucket[];
};

const LIVE = [{map: '@client_estab', perConnection: 1}, {map: '@server_estab', perConnection: 1}] as const;

// Kernel facts: tcp_set_state() (net/ipv4/tcp.c) is the one place a TCP socket changes state, and the
// sock:inet_sock_set_state tracepoint fires from it (inet_sk_state_store's callers).
export const connections = defineMeasurement<'connections', ConnectionsReading>({
  name: 'connections',
  title: 'TCP connections established on each side, per server port',
  group: 'counts',
  // @syn_sent: one key per handshake under way
  keysInFlight: 1,
  maps: [
    {name: '@client_estab', aggregation: 'count', keys: ['server port'], unit: 'connections', print: 'tick', about: 'SYN_SENT -> ESTABLISHED (client side)'},
    {name: '@server_estab', aggregation: 'count', keys: ['listening port'], unit: 'connections', print: 'tick', about: 'SYN_RECV -> ESTABLISHED (server side)'},
    {name: '@closed', aggregation: 'count', keys: ['old state'], unit: 'sockets', print: 'tick', about: 'sockets that reached TCP_CLOSE, by the state they left'},
    {name: '@handshake_ns', aggregation: 'hist', keys: [], unit: 'ns', print: 'tick', feeds: ['kernel.latency.handshake'], about: 'SYN_SENT -> ESTABLISHED below 2^31 ns'},
    {name: '@handshake_slow_ms', aggregation: 'hist', keys: [], unit: 'ms', print: 'tick', feeds: ['kernel.latency.handshake'], about: 'SYN_SENT -> ESTABLISHED of 2^31 ns or more, in ms'},
    {name: '@syn_sent', aggregation: 'scratch', keys: ['socket'], unit: 'ns', print: 'never', feeds: ['kernel.latency.handshake'], about: 'when the socket entered SYN_SENT'},
  ],
  variants: [
    {kind: 'kfunc', files: ['tcpstates-kfunc.bt'], needs: ['btf', 'fn:tcp_set_state'], hooks: 'kfunc:tcp_set_state', live: [...LIVE]},
    {kind: 'kprobe', files: ['tcpstates-kprobe.bt'], needs: ['btf', 'fn:tcp_set_state'], hooks: 'kprobe:tcp_set_state', live: [...LIVE]},
    {kind: 'tracepoint', files: ['tcpstates-tp.bt'], needs: ['btf'], hooks: 'sock:inet_sock_set_state'},
  ],
  feeds: ['kernel.established'],
  read: (k: KernelState) => ({
    clientByServerPort: counter(k, '@client_estab'),
    serverByServerPort: counter(k, '@server_estab'),
    client: counterTotal(k, '@client_estab'),
    server: counterTotal(k, '@server_estab'),
    closedByOldState: counter(k, '@closed'),
    handshakeNs: k.hists['@handshake_ns'] ?? [],
  }),
});
