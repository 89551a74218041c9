// Pure text of the closing summary, printed on the terminal once the dashboard is gone.
import type {Summary} from '../correlate/summary.js';

const kb = (bytes: number | null) => (bytes === null ? '-' : `${(bytes / 1024).toFixed(1)} KB`);

// The summary as lines of at most 80 columns.
export function summaryLines(s: Summary): string[] {
  const failed = Object.entries(s.connections.failed).map(([e, n]) => `${e} ${n}`).join(', ') || 'none';
  const lines = [
    `scenario ${s.scenario}: ${s.connections.established}/${s.connections.requested} connections established, failed: ${failed}`,
    `kernel saw: client ESTABLISHED ${s.kernel.established?.client}, server ESTABLISHED ${s.kernel.established?.server}`,
    `syscalls: socket ${s.kernel.syscalls?.socket}, connect ${s.kernel.syscalls?.connect}, accept ${s.kernel.syscalls?.accept}`,
    `slab per connection: ${kb(s.slab.bytesPerConnection.tracepoint)} (tracepoint), ${kb(s.slab.bytesPerConnection.slabinfo)} (slabinfo)`,
  ];
  for (const [cache, bytes] of Object.entries(s.slab.byCache ?? {}).slice(0, 8)) lines.push(`  ${cache.padEnd(24)} ${String(bytes).padStart(7)} B/conn`);
  for (const [m, p] of Object.entries(s.probePlan)) lines.push(`probe ${m.padEnd(15)} ${(p.kind ?? 'none').padEnd(10)} ${p.why}`.slice(0, 80));
  return lines;
}
