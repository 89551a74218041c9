// Pure formats of the run directory's files.
import type {ConnRecord} from '../load/protocol.js';

// "2026-11-21T10-00-05-ramp": sortable, and safe in every filesystem.
export function runDirName(now: Date, scenario: string): string {
  return `${now.toISOString().slice(0, 19).replace(/:/g, '-')}-${scenario}`;
}

// The header of connections.csv (units in the names).
export function connectionsCsvHeader(): string {
  return 'worker,local_addr,local_port,remote_addr,remote_port,connect_ns,errno,at_ms\n';
}

// One row of connections.csv from its fields, as a client worker writes it (no record object made).
export function connectionCsvLine(worker: number, laddr: string, lport: number, raddr: string, rport: number, connectNs: number, errno: string | null, atMs: number): string {
  return `${worker},${laddr},${lport},${raddr},${rport},${connectNs},${errno ?? ''},${atMs}\n`;
}

// One row of connections.csv.
export function connectionCsvRow(r: ConnRecord): string {
  return connectionCsvLine(r.worker, r.laddr, r.lport, r.raddr, r.rport, r.connectNs, r.errno, r.atMs);
}

// The record of one row of connections.csv (without its trailing newline), or null when it is not one.
export function parseConnectionCsvRow(line: string): ConnRecord | null {
  const f = line.split(',');
  if (f.length !== 8) return null;
  const [worker, lport, rport, connectNs, atMs] = [f[0], f[2], f[4], f[5], f[7]].map(Number) as [number, number, number, number, number];
  if (![worker, lport, rport, connectNs, atMs].every(Number.isInteger)) return null;
  return {worker, laddr: f[1]!, lport, raddr: f[3]!, rport, connectNs, errno: f[6] || null, atMs};
}
