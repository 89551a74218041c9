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

// One row of connections.csv.
export function connectionCsvRow(r: ConnRecord): string {
  return `${r.worker},${r.laddr},${r.lport},${r.raddr},${r.rport},${r.connectNs},${r.errno ?? ''},${r.atMs}\n`;
}
