import test from 'ava';
import {ehashTable, ephemeralPorts, ephemeralUse, parseProcNetTcp, parseReservedPorts, parseTcp6Inuse, parseSnmpPairs, parseSsMemory, parseTcpSockstat} from '../../../src/system/netns-parse.js';

test('ephemeral ports: ip_local_port_range minus the reserved ports inside it', (t) => {
  t.deepEqual(parseReservedPorts('8080,40000-40009\n'), [[8080, 8080], [40000, 40009]]);
  t.deepEqual(parseReservedPorts('\n'), []);
  // 8080 is outside the range; 40000-40009 inside: 10 fewer
  t.deepEqual(ephemeralPorts('40000\t40099\n', '8080,40000-40009\n'), {low: 40000, high: 40099, reserved: 10, size: 90});
  t.deepEqual(ephemeralPorts('32768\t60999\n', ''), {low: 32768, high: 60999, reserved: 0, size: 28232});
  t.is(ephemeralPorts('garbage', ''), null);
});

test('ehash: a negative tcp_ehash_entries is the host\'s table, shared', (t) => {
  t.deepEqual(ehashTable('-262144\n', '0\n'), {entries: 262144, sharedWithHost: true, childEntries: 0});
  t.deepEqual(ehashTable('1024\n', '0\n'), {entries: 1024, sharedWithHost: false, childEntries: 0});
  t.is(ehashTable('', ''), null);
});

test('sockstat: the TCP line, mem in pages', (t) => {
  const text = 'sockets: used 42\nTCP: inuse 1 orphan 0 tw 28 alloc 1 mem 131\nUDP: inuse 0 mem 0\n';
  t.deepEqual(parseTcpSockstat(text), {inuse: 1, orphan: 0, tw: 28, alloc: 1, memPages: 131});
  t.is(parseTcpSockstat('UDP: inuse 0 mem 0\n'), null);
});

test('netstat/snmp pairs: every counter by Prefix.Name', (t) => {
  const text = 'TcpExt: SyncookiesSent ListenOverflows ListenDrops\nTcpExt: 0 6 6\nIpExt: InNoRoutes\nIpExt: 3\n';
  t.deepEqual(parseSnmpPairs(text), {'TcpExt.SyncookiesSent': 0, 'TcpExt.ListenOverflows': 6, 'TcpExt.ListenDrops': 6, 'IpExt.InNoRoutes': 3});
});

test('ss -tanm: unread and unsent bytes and the memory charged for them, listeners left out', (t) => {
  const text = [
    'LISTEN 1      1      127.0.0.1:5000 0.0.0.0:*',
    '\t skmem:(r0,rb131072,t0,tb16384,f0,w0,o0,bl0,d0)',
    'ESTAB  262144 0      127.0.0.1:5000 127.0.0.1:40010',
    '\t skmem:(r270336,rb6291456,t0,tb2626560,f4096,w0,o0,bl0,d0)',
    'ESTAB  0      0      127.0.0.1:40010 127.0.0.1:5000',
    '\t skmem:(r0,rb131072,t0,tb2626560,f0,w1280,o0,bl0,d0)',
  ].join('\n');
  t.deepEqual(parseSsMemory(text), {sockets: 2, unreadBytes: 262_144, unsentBytes: 0, rmemBytes: 270_336, wmemQueuedBytes: 1280, forwardAllocBytes: 4096});
});

test('ephemeral ports in use toward the busiest destination: distinct local (address, port), listeners and other ranges left out', (t) => {
  const text = [
    'LISTEN 0 128 127.0.0.1:5000 0.0.0.0:*',
    'ESTAB 0 0 127.0.0.1:40010 127.0.0.1:5000',
    'ESTAB 0 0 127.0.0.2:40010 127.0.0.1:5000',
    'TIME-WAIT 0 0 127.0.0.1:40011 127.0.0.1:5000',
    'ESTAB 0 0 127.0.0.1:45000 127.0.0.1:5000',
    'ESTAB 0 0 127.0.0.1:5000 127.0.0.1:40010',
    'ESTAB 0 0 127.0.0.1:40012 127.0.0.1:5001',
  ].join('\n');
  t.deepEqual(ephemeralUse(text, {low: 40000, high: 40099}), {maxPerDestination: 3, destination: '127.0.0.1:5000', timeWait: 1});
  // a local endpoint held by an open socket as well as a TIME-WAIT one is not TIME-WAIT alone
  t.is(ephemeralUse(`${text}\nSYN-SENT 0 1 127.0.0.1:40011 127.0.0.1:5000`, {low: 40000, high: 40099}).timeWait, 0);
});

test('queued bytes from /proc/net/tcp: tx_queue and rx_queue of every socket but listeners (hex)', (t) => {
  const text = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:2EE0 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0',
    '   1: 0100007F:9C40 0100007F:2EE0 01 00000000:0000000C 00:00000000 00000000     0        0 2 1 0000000000000000 20 4 30 10 -1',
    '   2: 0100007F:2EE0 0100007F:9C40 01 00000010:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 20 4 30 10 -1',
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000000000000000000001000000:9C41 00000000000000000000000001000000:2EE1 06 00000000:00000000 03:00000F9B 00000000     0        0 0 3 0000000000000000',
  ].join('\n');
  t.deepEqual(parseProcNetTcp(text), {sockets: 3, unreadBytes: 12, unsentBytes: 16});
});

test('sockstat6: the namespace\'s IPv6 TCP sockets (TCP6 inuse), which sockstat\'s TCP line leaves out', (t) => {
  t.is(parseTcp6Inuse('TCP6: inuse 17\nUDP6: inuse 0\n'), 17);
  t.is(parseTcp6Inuse(''), null);
});
