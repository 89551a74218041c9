import test from 'ava';
import {addressText, fourTuples, localsPerDestination, tupleKey} from '../../../src/correlate/four-tuples.js';

test('addresses as the probes key them (two 64-bit words of the bytes, read little-endian): 127.0.0.1 is 0,16777343; ::1 is 0,2^56', (t) => {
  t.is(addressText(2, 0n, 16_777_343n), '127.0.0.1');
  t.is(addressText(2, 0n, 50_331_775n), '127.0.0.3');
  t.is(addressText(10, 0n, 2n ** 56n), '::1');
  // 2001:db8::5: bytes 20 01 0d b8 then zeros, 00 05 last
  t.is(addressText(10, 0xb80d0120n, 5n << 56n), '2001:db8::5');
  // ::ffff:127.0.0.1 (IPv4-mapped): the low word's bytes 00 00 ff ff 7f 00 00 01
  t.is(addressText(10, 0n, 0x0100007fffff0000n), '::ffff:7f00:1');
});

test('a key part with its top bit set, printed negative by bpftrace, is the same 64-bit word', (t) => {
  t.deepEqual(tupleKey('10,-1,1,80,0,0,40000')?.daddr, [2n ** 64n - 1n, 1n]);
  t.is(tupleKey('2,16777343,23550,33554559,45000'), null);
});

test('two client addresses reusing local port 45000 toward one server: two 4-tuples, two locals for that destination', (t) => {
  const one = `0,${2n ** 56n}`;
  const tuples = fourTuples(['2,0,16777343,23550,0,33554559,45000', '2,0,16777343,23550,0,50331775,45000', `10,${one},23551,${one},40000`]);
  t.deepEqual(tuples, [
    {local: '127.0.0.2:45000', remote: '127.0.0.1:23550'},
    {local: '127.0.0.3:45000', remote: '127.0.0.1:23550'},
    {local: '[::1]:40000', remote: '[::1]:23551'},
  ]);
  t.deepEqual(localsPerDestination(tuples), {'127.0.0.1:23550': 2, '[::1]:23551': 1});
});
