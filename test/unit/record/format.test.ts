import test from 'ava';
import {connectionCsvRow, connectionsCsvHeader, parseConnectionCsvRow, runDirName} from '../../../src/record/format.js';

test('run directory names sort by time and carry the scenario', (t) => {
  t.is(runDirName(new Date('2026-11-21T10:00:05.123Z'), 'ramp'), '2026-11-21T10-00-05-ramp');
});

test('connections.csv: header with units, one row per attempt, empty errno on success', (t) => {
  t.is(connectionsCsvHeader(), 'worker,local_addr,local_port,remote_addr,remote_port,connect_ns,errno,at_ms\n');
  t.is(connectionCsvRow({worker: 1, laddr: '127.0.0.1', lport: 40000, raddr: '127.0.0.1', rport: 12000, connectNs: 5000, errno: null, atMs: 12}), '1,127.0.0.1,40000,127.0.0.1,12000,5000,,12\n');
  t.is(connectionCsvRow({worker: 0, laddr: '', lport: 0, raddr: '127.0.0.1', rport: 12000, connectNs: 900, errno: 'EADDRNOTAVAIL', atMs: 3}), '0,,0,127.0.0.1,12000,900,EADDRNOTAVAIL,3\n');
});

test('connections.csv rows read back into records (the parent keeps the first ones whole)', (t) => {
  const r = {worker: 1, laddr: '::1', lport: 40000, raddr: '::1', rport: 12000, connectNs: 5000, errno: null, atMs: 12};
  t.deepEqual(parseConnectionCsvRow(connectionCsvRow(r).trimEnd()), r);
  t.deepEqual(parseConnectionCsvRow('0,,0,127.0.0.1,12000,900,EADDRNOTAVAIL,3'), {worker: 0, laddr: '', lport: 0, raddr: '127.0.0.1', rport: 12000, connectNs: 900, errno: 'EADDRNOTAVAIL', atMs: 3});
  t.is(parseConnectionCsvRow('0,127.0.0.1,4000'), null);
  t.is(parseConnectionCsvRow(''), null);
});
