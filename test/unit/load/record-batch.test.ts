import test from 'ava';
import {RecordBatch} from '../../../src/load/record-batch.js';
import {parseConnectionCsvRow} from '../../../src/record/format.js';
import type {TcpHandle} from '../../../src/load/uv-tcp.js';

// A handle whose getsockname answers whatever local name it holds when it is asked.
const fakeHandle = (address: string, port: number) => {
  const h = {address, port, asked: 0, getsockname: (out: {address?: string; port?: number}) => {
    h.asked++;
    out.address = h.address;
    out.port = h.port;
    return 0;
  }};
  return h;
};

test('a batch: rows in order, 4-tuples of the established, errno counts, replies by row; empty after take', (t) => {
  const batch = new RecordBatch(3);
  const a = fakeHandle('127.0.0.1', 0);
  batch.push(a as unknown as TcpHandle, '', 0, '127.0.0.1', 12000, 51_000, 7, null);
  batch.push(null, '', 0, '127.0.0.1', 12001, 9_000, 8, 'EADDRNOTAVAIL');
  batch.push(null, '127.0.0.2', 40001, '127.0.0.1', 12001, 60_000, 9, null, '12001:hi');
  batch.push(null, '', 0, '::1', 12002, 1_000, 9, 'EADDRNOTAVAIL');
  t.is(batch.size, 4);
  // the bare handle's name is read at take(), not at push(): the port the kernel gave by then
  a.port = 40000;
  t.is(a.asked, 0);
  const b = batch.take();
  t.is(a.asked, 1);
  t.is(b.count, 4);
  t.deepEqual(b.addresses, ['127.0.0.1', '127.0.0.2']);
  t.deepEqual(b.tuples, [0, 40000, 0, 12000, 1, 40001, 0, 12001]);
  t.deepEqual(b.failed, {EADDRNOTAVAIL: 2});
  t.deepEqual(b.replies, {2: '12001:hi'});
  const rows = b.csv.split('\n').filter(Boolean).map(parseConnectionCsvRow);
  t.deepEqual(rows, [
    {worker: 3, laddr: '127.0.0.1', lport: 40000, raddr: '127.0.0.1', rport: 12000, connectNs: 51_000, errno: null, atMs: 7},
    {worker: 3, laddr: '', lport: 0, raddr: '127.0.0.1', rport: 12001, connectNs: 9_000, errno: 'EADDRNOTAVAIL', atMs: 8},
    {worker: 3, laddr: '127.0.0.2', lport: 40001, raddr: '127.0.0.1', rport: 12001, connectNs: 60_000, errno: null, atMs: 9},
    {worker: 3, laddr: '', lport: 0, raddr: '::1', rport: 12002, connectNs: 1_000, errno: 'EADDRNOTAVAIL', atMs: 9},
  ]);
  t.is(batch.size, 0);
  const next = batch.take();
  t.deepEqual(next, {count: 0, csv: '', addresses: [], tuples: [], failed: {}});
});
