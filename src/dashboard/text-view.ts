// Pure text of the closing summary, printed on the terminal once the dashboard is gone.
import type {Summary} from '../correlate/summary.js';
import {bytesText, countText} from '../report/units.js';
import {fitLine, fitTable} from './columns.js';

// The summary as lines of at most 80 columns (a number withheld as incomplete shows as '-').
export function summaryLines(s: Summary): string[] {
  const failed = Object.entries(s.connections.failed).map(([e, n]) => `${e} ${countText(n)}`).join(', ') || 'none';
  const lines = [
    `scenario ${s.scenario}: ${countText(s.connections.established)}/${countText(s.connections.requested)} connections established, failed: ${failed}`,
    `kernel saw: client ESTABLISHED ${countText(s.kernel.established?.client)}, server ESTABLISHED ${countText(s.kernel.established?.server)}`,
    `syscalls: socket ${countText(s.kernel.syscalls?.socket)}, connect ${countText(s.kernel.syscalls?.connect)}, accept ${countText(s.kernel.syscalls?.accept)}`,
    `slab per connection: ${bytesText(s.slab.bytesPerConnection.tracepoint)} (tracepoint), ${bytesText(s.slab.bytesPerConnection.slabinfo)} (slabinfo)`,
  ];
  const caches = Object.entries(s.slab.byCache ?? {}).slice(0, 8).map(([cache, bytes]) => [`  ${cache}`, `${bytesText(bytes)}/conn`]);
  lines.push(...fitTable(null, caches, [{align: 'left', shrink: 1}, {align: 'right'}], 40));
  lines.push(...fitTable(null, Object.entries(s.probePlan).map(([m, p]) => [`probe ${m}`, p.kind ?? 'none', p.why]), [{align: 'left', shrink: 1}, {align: 'left'}, {align: 'left', shrink: 2, min: 8}], 80));
  return lines.map((l) => fitLine(l, 80));
}
