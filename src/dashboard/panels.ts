// Each panel takes its widget and a view-model, and draws; no I/O, explicit waiting/unavailable states.
import type {Widgets} from './layout.js';
import type * as vm from './view-models.js';

type Maybe<T> = T | {state: 'waiting'} | {state: 'unavailable'; why: string};
const isOk = <T extends {state: 'ok'}>(v: Maybe<T>): v is T => v.state === 'ok';
const message = (v: {state: 'waiting'} | {state: 'unavailable'; why: string}) =>
  v.state === 'waiting' ? 'waiting for data' : `unavailable here: ${v.why}`;

// Draw panel 1 (line chart).
export function drawConnections(w: Widgets, v: ReturnType<typeof vm.connectionsView>) {
  if (!w.connections) return;
  if (!isOk(v)) {
    w.connections.setLabel(` Connections & kernel memory: ${message(v)} `);
    return;
  }
  w.connections.setLabel(` ${v.label} `);
  w.connections.setData([
    {...v.series[0], style: {line: 'yellow'}},
    {...v.series[1], style: {line: 'green'}},
  ]);
}

// Draw a table panel, or its state in the first row.
function drawTable(widget: any, title: string, v: Maybe<{state: 'ok'; headers: string[]; rows: string[][]}>, extra?: string) {
  if (!widget) return;
  if (!isOk(v)) {
    widget.setLabel(` ${title} `);
    widget.setData({headers: [''], data: [[message(v)]]});
    return;
  }
  widget.setLabel(` ${title}${extra ? ` · ${extra}` : ''} `);
  widget.setData({headers: v.headers, data: v.rows});
}

// Draw panel 2.
export function drawSlab(w: Widgets, v: ReturnType<typeof vm.slabView>) {
  drawTable(w.slab, 'Slab per connection', v);
}

// Draw panel 3.
export function drawPorts(w: Widgets, v: ReturnType<typeof vm.portsView>) {
  drawTable(w.ports, 'Port allocation', v);
}

// Draw panel 4 (bar chart of socket() latency).
export function drawSocket(w: Widgets, v: ReturnType<typeof vm.socketView>) {
  if (!w.socket) return;
  if (!isOk(v)) {
    w.socket.setLabel(` Socket creation: ${message(v)} `);
    return;
  }
  w.socket.setLabel(` ${v.label} `);
  // as many 9-column bars as the panel holds
  const fit = Math.max(1, Math.floor((Number(w.socket.width) - 4) / 9));
  if (v.bars.counts.length > 0) w.socket.setData({titles: v.bars.titles.slice(0, fit), data: v.bars.counts.slice(0, fit)});
}

// Draw a text box panel.
function drawLines(widget: any, v: Maybe<{state: 'ok'; lines: string[]}>) {
  if (!widget) return;
  widget.setContent(isOk(v) ? v.lines.join('\n') : message(v));
}

// Draw panel 5.
export function drawReceive(w: Widgets, v: ReturnType<typeof vm.receiveView>) {
  drawLines(w.receive, v);
}

// Draw panel 6.
export function drawLimits(w: Widgets, v: ReturnType<typeof vm.limitsView>) {
  if (isOk(v)) drawTable(w.limits, 'Limits', {...v, rows: [...v.rows, [v.binding, '', '']]});
  else drawTable(w.limits, 'Limits', v);
}

// Draw panel 7.
export function drawPlan(w: Widgets, v: ReturnType<typeof vm.planView>) {
  drawLines(w.plan, v);
  if (w.plan && isOk(v)) w.plan.setScrollPerc?.(100);
}
