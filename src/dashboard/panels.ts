// Each panel: a pure text function (view-model and inner size -> lines that fit) and a draw that sets it; no I/O.
import {fitHeight, fitLine, fitTable, wrapLines, type Column} from './columns.js';
import type {Widgets} from './layout.js';
import type * as vm from './view-models.js';

type Maybe<T> = T | {state: 'waiting'} | {state: 'unavailable'; why: string};
const isOk = <T extends {state: 'ok'}>(v: Maybe<T>): v is T => v.state === 'ok';
const message = (v: {state: 'waiting'} | {state: 'unavailable'; why: string}) =>
  v.state === 'waiting' ? 'waiting for data' : `unavailable here: ${v.why}`;

// The text area of a panel, in terminal cells.
export type Size = {width: number; height: number};

const name = (shrink = 1, min = 6): Column => ({align: 'left', shrink, min});
const number: Column = {align: 'right'};

// Columns of each table panel: names cut first (call site before cache), numbers never.
export const COLUMNS = {
  slab: [name(1, 10), {...name(2, 6), optional: true}, number],
  ports: [name(1, 15), number, number],
  receive: [name(1, 8), number],
  limits: [name(1, 8), number, number, number],
  plan: [name(1, 8), name(2, 10), name(3, 8)],
} satisfies Record<string, Column[]>;

// A state message (waiting, unavailable: why) wrapped into the panel.
function stateLines(v: {state: 'waiting'} | {state: 'unavailable'; why: string}, size: Size): string[] {
  return fitHeight(wrapLines(message(v), size.width), size.height, 'lines more');
}

// A table panel's lines: the header, then as many rows as fit (the last line says how many were left out).
export function tableLines(v: Maybe<{state: 'ok'; headers?: string[]; rows: string[][]}>, columns: Column[], size: Size, what = 'more'): string[] {
  if (!isOk(v)) return stateLines(v, size);
  const lines = fitTable(v.headers ?? null, v.rows, columns, size.width);
  const head = v.headers ? lines.slice(0, 1) : [];
  return [...head, ...fitHeight(lines.slice(head.length), size.height - head.length, what)];
}

// Panel 2's text: cache, call site, bytes per connection.
export function slabLines(v: ReturnType<typeof vm.slabView>, size: Size): string[] {
  return tableLines(v, COLUMNS.slab, size, 'caches more');
}

// Panel 3's text: ports per destination against the range, then parity, errors and connect() latency.
export function portsLines(v: ReturnType<typeof vm.portsView>, size: Size): string[] {
  return tableLines(v, COLUMNS.ports, size, 'rows more');
}

// Panel 5's text: received segments, rate, hash load.
export function receiveLines(v: ReturnType<typeof vm.receiveView>, size: Size): string[] {
  return tableLines(v, COLUMNS.receive, size, 'rows more');
}

// Panel 6's text: each limit, then the closest one on a line of its own.
export function limitsLines(v: ReturnType<typeof vm.limitsView>, size: Size): string[] {
  if (!isOk(v)) return stateLines(v, size);
  const table = tableLines(v, COLUMNS.limits, {width: size.width, height: size.height - 1}, 'limits more');
  return [...table, fitLine(v.binding, size.width)];
}

// Panel 7's text: the plan as a table, then the newest events (wrapped) that fit below it.
export function planLines(v: ReturnType<typeof vm.planView>, size: Size): string[] {
  if (!isOk(v)) return stateLines(v, size);
  const plan = fitTable(null, v.rows, COLUMNS.plan, size.width).slice(0, size.height);
  const events = v.events.flatMap((e) => wrapLines(e, size.width));
  const room = size.height - plan.length - (plan.length > 0 ? 1 : 0);
  if (room <= 0 || events.length === 0) return plan;
  return [...plan, ...(plan.length > 0 ? [''] : []), ...events.slice(-room)];
}

// The status line: phase, counts and keys, cut to the terminal's width (keys shortened first).
export function statusLine(parts: {phase: string; count: string; keys: string; short: string; paging: string; flash: string}, width: number): string {
  const compose = (keys: string) => ` tcp-trace | ${parts.phase}${parts.count ? ` | ${parts.count}` : ''} | ${keys}${parts.paging}${parts.flash ? ` | ${parts.flash}` : ''}`;
  const full = compose(parts.keys);
  return fitLine(full.length <= width ? full : compose(parts.short), width);
}

// The inner size of a drawn widget.
const sizeOf = (widget: any): Size => ({width: Math.max(0, Number(widget.width) - widget.iwidth), height: Math.max(0, Number(widget.height) - widget.iheight)});
// A title that fits on the panel's top border.
const label = (widget: any, title: string) => widget.setLabel(` ${fitLine(title, Math.max(0, Number(widget.width) - 6))} `);
const setLines = (widget: any, make: (size: Size) => string[]) => {
  if (widget) widget.setContent(make(sizeOf(widget)).join('\n'));
};

// Draw panel 1 (line chart).
export function drawConnections(w: Widgets, v: ReturnType<typeof vm.connectionsView>) {
  if (!w.connections) return;
  if (!isOk(v)) {
    label(w.connections, `Connections & kernel memory: ${message(v)}`);
    return;
  }
  label(w.connections, v.label);
  w.connections.setData([
    {...v.series[0], style: {line: 'yellow'}},
    {...v.series[1], style: {line: 'green'}},
  ]);
}

// Draw panel 2.
export function drawSlab(w: Widgets, v: ReturnType<typeof vm.slabView>) {
  setLines(w.slab, (size) => slabLines(v, size));
}

// Draw panel 3.
export function drawPorts(w: Widgets, v: ReturnType<typeof vm.portsView>) {
  setLines(w.ports, (size) => portsLines(v, size));
}

// Draw panel 4 (bar chart of socket() latency).
export function drawSocket(w: Widgets, v: ReturnType<typeof vm.socketView>) {
  if (!w.socket) return;
  if (!isOk(v)) {
    label(w.socket, `Socket creation: ${message(v)}`);
    return;
  }
  label(w.socket, v.label);
  // as many 9-column bars as the panel holds
  const fit = Math.max(1, Math.floor((Number(w.socket.width) - 4) / 9));
  if (v.bars.counts.length > 0) w.socket.setData({titles: v.bars.titles.slice(0, fit), data: v.bars.counts.slice(0, fit)});
}

// Draw panel 5.
export function drawReceive(w: Widgets, v: ReturnType<typeof vm.receiveView>) {
  setLines(w.receive, (size) => receiveLines(v, size));
}

// Draw panel 6.
export function drawLimits(w: Widgets, v: ReturnType<typeof vm.limitsView>) {
  setLines(w.limits, (size) => limitsLines(v, size));
}

// Draw panel 7.
export function drawPlan(w: Widgets, v: ReturnType<typeof vm.planView>) {
  setLines(w.plan, (size) => planLines(v, size));
}
