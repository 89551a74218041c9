import test from 'ava';
import {joinPorts} from '../../../src/correlate/ports.js';
import type {ConnRecord} from '../../../src/load/protocol.js';

const rec = (rport: number, lport: number, errno: string | null = null): ConnRecord => ({
  worker: 0, laddr: '127.0.0.1', lport, raddr: '127.0.0.1', rport, connectNs: 1000, errno, atMs: 0,
});

test('pairs seen on both sides match; the rest are counted per side', (t) => {
  const j = joinPorts(['12000,40000', '12000,40002', '12001,40000', '12001,40005'], [rec(12000, 40000), rec(12000, 40002), rec(12001, 40000), rec(12002, 40010), rec(12002, 0, 'EADDRNOTAVAIL')]);
  t.is(j.matched, 3);
  t.is(j.onlyKernel, 1);
  t.is(j.onlyGenerator, 1);
  t.deepEqual(j.portsPerDestination, {'12000': 2, '12001': 2});
  t.deepEqual(j.parity, {even: 3, odd: 1});
});

test('one local port serves two destinations: both pairs are distinct', (t) => {
  const j = joinPorts(['12000,40000', '12001,40000'], [rec(12000, 40000), rec(12001, 40000)]);
  t.is(j.matched, 2);
});

test('nothing on either side', (t) => {
  t.deepEqual(joinPorts([], []), {matched: 0, onlyKernel: 0, onlyGenerator: 0, portsPerDestination: {}, parity: {even: 0, odd: 0}});
});
