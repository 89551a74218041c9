import test from 'ava';
import {joinPorts, tuplesOf} from '../../../src/correlate/ports.js';
import {addressKey, TupleSet} from '../../../src/correlate/tuple-set.js';
import type {ConnRecord} from '../../../src/load/protocol.js';

const rec = (rport: number, lport: number, errno: string | null = null, laddr = '127.0.0.1'): ConnRecord => ({
  worker: 0, laddr, lport, raddr: '127.0.0.1', rport, connectNs: 1000, errno, atMs: 0,
});
// address words as bpftrace prints them (network order read as a little-endian integer)
const W = {'127.0.0.1': 16_777_343, '127.0.0.2': 33_554_559, '127.0.0.3': 50_331_775};
// an IPv4 @tuples key: family, remote address (high, low word), remote port, local address (high, low), local port
const key = (rport: number, lport: number, laddr: keyof typeof W = '127.0.0.1') => `2,0,${W['127.0.0.1']},${rport},0,${W[laddr]},${lport}`;

test('4-tuples seen on both sides match; the rest are counted per side', (t) => {
  const j = joinPorts([key(12000, 40000), key(12000, 40002), key(12001, 40000), key(12001, 40005)], tuplesOf([rec(12000, 40000), rec(12000, 40002), rec(12001, 40000), rec(12002, 40010), rec(12002, 0, 'EADDRNOTAVAIL')]));
  t.is(j.matched, 3);
  t.is(j.onlyKernel, 1);
  t.is(j.onlyGenerator, 1);
  t.deepEqual(j.portsPerDestination, {'12000': 2, '12001': 2});
  t.deepEqual(j.parity, {even: 3, odd: 1});
});

test('one local port serves two destinations: both 4-tuples are distinct', (t) => {
  const j = joinPorts([key(12000, 40000), key(12001, 40000)], tuplesOf([rec(12000, 40000), rec(12001, 40000)]));
  t.is(j.matched, 2);
});

test('two client addresses reuse local port 45000 toward one server port: two connections, both matched', (t) => {
  const generator = tuplesOf([rec(23550, 45000, null, '127.0.0.2'), rec(23550, 45000, null, '127.0.0.3')]);
  t.is(generator.size, 2);
  const j = joinPorts([key(23550, 45000, '127.0.0.2'), key(23550, 45000, '127.0.0.3')], generator);
  t.deepEqual(j, {matched: 2, onlyKernel: 0, onlyGenerator: 0, portsPerDestination: {'23550': 2}, parity: {even: 2, odd: 0}});
  // a (server port, local port) join would have made them one; an address on one side only stays unmatched
  const k = joinPorts([key(23550, 45000, '127.0.0.2'), key(23550, 45000, '127.0.0.1')], generator);
  t.deepEqual([k.matched, k.onlyKernel, k.onlyGenerator], [1, 1, 1]);
});

test('IPv6: the generator\'s addresses join the probes\' keys by the whole address, canonical', (t) => {
  t.is(addressKey('::1'), '::1');
  t.is(addressKey('0:0:0:0:0:0:0:1'), '::1');
  t.is(addressKey('fd00::2:0:a:1'), 'fd00::2:0:a:1');
  t.is(addressKey('::ffff:127.0.0.1'), '::ffff:7f00:1');
  t.is(addressKey('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  t.is(addressKey('127.0.0.1'), '127.0.0.1');
  const generator = new TupleSet();
  generator.add('::1', 40000, '::1', 12000);
  // ::1 is 15 zero bytes and a 1: the low word, read little-endian, is 1 << 56
  const one = `0,${2n ** 56n}`;
  t.deepEqual(joinPorts([`10,${one},12000,${one},40000`], generator), {matched: 1, onlyKernel: 0, onlyGenerator: 0, portsPerDestination: {'12000': 1}, parity: {even: 1, odd: 0}});
  // two addresses alike in their last 32 bits (fd00::1 and fd01::1) stay two: the whole address is the key
  const fd00 = `${0xfdn},${2n ** 56n}`;
  const fd01 = `${0x1fdn},${2n ** 56n}`;
  const j = joinPorts([`10,${one},12000,${fd00},40000`, `10,${one},12000,${fd01},40000`], generator);
  t.deepEqual([j.matched, j.onlyKernel], [0, 2]);
});

test('a 4-tuple added twice counts once', (t) => {
  const s = new TupleSet();
  t.true(s.add('127.0.0.1', 40000, '127.0.0.1', 12000));
  t.false(s.add('127.0.0.1', 40000, '127.0.0.1', 12000));
  t.true(s.add('127.0.0.1', 65535, '127.0.0.1', 12000));
  t.is(s.size, 2);
});

test('nothing on either side', (t) => {
  t.deepEqual(joinPorts([], new TupleSet()), {matched: 0, onlyKernel: 0, onlyGenerator: 0, portsPerDestination: {}, parity: {even: 0, odd: 0}});
});
