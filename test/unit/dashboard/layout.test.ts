// Every panel's text at 80x24 (both pages), 120x40 and 200x60, from view-models of recorded-size runs: no line wider
// than its panel, no number cut or run into its neighbour, names whole or cut with an ellipsis; and blessed shows
// exactly those lines in each panel.
import test from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {PassThrough} from 'node:stream';
import blessed from 'blessed';
import stringWidth from 'string-width';
import {emptyKernelState, type KernelState} from '../../../src/bpftrace/kernel-state.js';
import {buildSample} from '../../../src/correlate/sample.js';
import type {LiveState} from '../../../src/correlate/live.js';
import {innerSize, panelBoxes, PANELS, type PanelName} from '../../../src/dashboard/grid.js';
import {buildLayout} from '../../../src/dashboard/layout.js';
import * as panels from '../../../src/dashboard/panels.js';
import {dashboardModel} from '../../../src/dashboard/dashboard.js';
import {FIXTURES} from '../../helpers/paths.js';
import {liveState, stats} from '../../helpers/live.js';

const SIZES: Array<[number, number, number]> = [[80, 24, 0], [80, 24, 1], [120, 40, 0], [200, 60, 0]];

// The recorded 499-connection run's slab by cache, scaled to n connections, with the call sites slab-tp.bt reports.
const SITES: Record<string, string> = {TCP: 'sk_prot_alloc', sock_inode_cache: 'sock_alloc_inode', eventpoll_epi: 'ep_insert', dentry: '__d_alloc', filp: 'alloc_empty_file', maple_node: 'mas_alloc_nodes', lsm_inode_cache: 'security_inode_alloc', lsm_file_cache: 'security_file_alloc', anon_vma_chain: 'anon_vma_clone', vm_area_struct: 'vm_area_dup'};
const summary = JSON.parse(readFileSync(join(FIXTURES, 'run-ramp-499', 'summary.json'), 'utf8'));
const slabCounters = (n: number) => ({'@alloc_bytes': Object.fromEntries(Object.entries(summary.slab.byCache as Record<string, number>).map(([c, b]) => [c, b * n]))});

// A run of n connections to four ports, every counter at its size, with function-probe lookups and events.
function bigRun(n: number, over: Partial<LiveState['limits']> = {}, portCount = 4): LiveState {
  const ports = Array.from({length: portCount}, (_, i) => 12000 + i);
  const perPort = Object.fromEntries(ports.map((p) => [String(p), Math.round(n / portCount)]));
  const kernel: KernelState = {
    ...emptyKernelState(),
    counters: {
      ...slabCounters(n),
      '@client_estab': perPort,
      '@port_new': perPort,
      '@port_even': {'': n},
      '@port_odd': {'': 0},
      '@connect_errno': {'99': 12_345},
      '@socket_ok': {'': n},
      '@accept_ok': {'': n},
      '@errno': {'socket,24': 1_234, 'accept,23': 56},
      '@rx_tcp4': {'': 3 * n},
      '@tcp_v4_rcv': {'': 3 * n},
      '@lookups': {'early_demux,hit': 2 * n, 'tcp_v4_rcv,miss': 12},
    },
    hists: {
      '@socket_ns': [4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576, 33554432].map((min) => ({min, max: 2 * min - 1, count: 1234})),
      '@connect_ns': [{min: 16384, max: 32767, count: n}],
      '@attempts': [{min: 0, max: 0, count: n}],
      '@hash_connect_ns': [{min: 1024, max: 2047, count: n}],
      '@lookup_ns[tcp_v4_rcv]': [{min: 256, max: 511, count: n}],
    },
  };
  const base = liveState(n, kernel, {requested: n, ports, slabSites: SITES, events: [
    'EADDRNOTAVAIL: ip_local_port_range 32768-60999 is full for 127.0.0.1:12000; the other server ports go on',
    'warning: map @port_new is full at its key limit (4096 keys): counts past it are lost',
    'snapshot: tcp-trace-runs/2026-11-30T16-50-43-ramp/snapshot-1.json',
  ]});
  return {...base, limits: {...base.limits, fileMax: 2_466_183, filesOpenHost: 40_415, ...over}, sample: buildSample(60_000, stats(n), kernel, 20 * 2 ** 30)};
}

const RUNS: Record<string, LiveState> = {
  'ramp of 20 000': bigRun(20_000),
  'million over 70 ports, fs.file-max at LONG_MAX': bigRun(1_000_000, {fileMax: 9_223_372_036_854_775_807, nrOpen: 1_073_741_816}, 70),
  'a probe failed, one unplanned': {
    ...bigRun(20_000),
    failedProbes: [{measurement: 'socketCreation', why: "ERROR: Could not resolve symbol: /proc/self/exe:BEGIN_trigger, and a very long reason that has to wrap over several lines"}],
  },
};

// Whether `cell` shows as `seg`: whole, or (a name) cut with an ellipsis.
const shows = (seg: string, cell: string, isNumber: boolean) =>
  seg === cell || (!isNumber && seg.endsWith('…') && seg.length > 1 && cell.startsWith(seg.slice(0, -1)));

// A table row's line: its cells, in order, separated by two spaces or more; numbers whole.
function checkRow(t: any, where: string, line: string, cells: string[]) {
  const segs = line.trim().split(/ {2,}/);
  const expected = cells.filter((c) => c !== '');
  t.is(segs.length, expected.length, `${where}: "${line}" should hold the cells ${JSON.stringify(expected)}`);
  expected.forEach((cell, i) => {
    const isNumber = /^[<\d-]/.test(cell);
    t.true(shows(segs[i] ?? '', cell, isNumber), `${where}: cell ${JSON.stringify(cell)} shows as ${JSON.stringify(segs[i])} in "${line}"`);
  });
}

// A table panel's lines against its rows: header, then rows in order, then "… N more" for the rest.
function checkTable(t: any, where: string, lines: string[], headers: string[] | null, rows: string[][]) {
  let i = 0;
  if (headers) checkRow(t, `${where} header`, lines[i++]!, headers);
  let r = 0;
  for (; i < lines.length && r < rows.length; i++, r++) {
    const more = /^… (\d+) /.exec(lines[i]!);
    if (more && i === lines.length - 1) {
      t.is(Number(more[1]), rows.length - r, `${where}: "${lines[i]}" counts the rows left out`);
      return;
    }
    checkRow(t, `${where} row ${r}`, lines[i]!, rows[r]!);
  }
  t.is(r, rows.length, `${where}: every row shown or counted`);
}

// Each panel's text at one size.
function panelTexts(live: LiveState, cols: number, rows: number, page: number) {
  const m = dashboardModel([live.sample], live);
  const boxes = panelBoxes(cols, rows, page);
  const out: Partial<Record<PanelName, string[]>> = {};
  const size = (p: PanelName) => innerSize(boxes[p]!);
  if (boxes.slab) out.slab = panels.slabLines(m.slab, size('slab'));
  if (boxes.ports) out.ports = panels.portsLines(m.ports, size('ports'));
  if (boxes.receive) out.receive = panels.receiveLines(m.receive, size('receive'));
  if (boxes.limits) out.limits = panels.limitsLines(m.limits, size('limits'));
  if (boxes.plan) out.plan = panels.planLines(m.plan, size('plan'));
  return {m, boxes, out};
}

for (const [runName, live] of Object.entries(RUNS)) {
  for (const [cols, rows, page] of SIZES) {
    test(`${runName} at ${cols}x${rows} page ${page + 1}: every line fits its panel, numbers whole and apart`, (t) => {
      const {m, boxes, out} = panelTexts(live, cols, rows, page);
      for (const [p, lines] of Object.entries(out) as Array<[PanelName, string[]]>) {
        const inner = innerSize(boxes[p]!);
        t.true(lines.length <= inner.height, `${p}: ${lines.length} lines in ${inner.height}`);
        for (const l of lines) t.true(stringWidth(l) <= inner.width, `${p}: "${l}" is wider than ${inner.width}`);
      }
      const where = `${cols}x${rows}`;
      if (out.slab && m.slab.state === 'ok') checkTable(t, `${where} slab`, out.slab, m.slab.headers, m.slab.rows);
      if (out.ports && m.ports.state === 'ok') checkTable(t, `${where} ports`, out.ports, m.ports.headers, m.ports.rows);
      if (out.receive && m.receive.state === 'ok') checkTable(t, `${where} receive`, out.receive, null, m.receive.rows);
      if (out.limits && m.limits.state === 'ok') {
        checkTable(t, `${where} limits`, out.limits.slice(0, -1), m.limits.headers, m.limits.rows);
        t.is(out.limits.at(-1), m.limits.binding, 'the closest limit is named whole');
      }
      if (out.plan && m.plan.state === 'ok') {
        const planRows = out.plan.slice(0, m.plan.rows.length);
        planRows.forEach((l, i) => checkRow(t, `${where} plan ${i}`, l, m.plan.state === 'ok' ? m.plan.rows[i]! : []));
        // the newest event is always there, whole over its wrapped lines
        const newest = m.plan.events.at(-1)!;
        // (a path longer than the panel is broken mid-word, so compare without the spaces)
        t.true(out.plan.join('').replace(/\s+/g, '').endsWith(newest.replace(/\s+/g, '')), `${where}: the newest event shows whole, last`);
      }
      const status = panels.statusLine({phase: 'ramping', count: '1 000 000/1 000 000 established', keys: 'q stop  p pause  s snapshot  ? help', short: 'q p s ?', paging: page ? '  Tab page 2/2' : '', flash: ''}, cols);
      t.true(stringWidth(status) <= cols);
      t.true(status.includes('1 000 000/1 000 000 established'), status);
    });
  }
}

test('the numbers of the seen bugs show apart: fs.file-max, RLIMIT_NOFILE, sock_inode_cache and its call site', (t) => {
  const {out} = panelTexts(RUNS['ramp of 20 000']!, 80, 24, 1);
  const fileMax = out.limits!.find((l) => l.startsWith('fs.file-max'))!;
  t.regex(fileMax, /^fs\.file-max {2,}80 415 {2,}2\.47 M {2,}3%$/);
  t.regex(out.limits!.at(-1)!, /^closest: RLIMIT_NOFILE at 75%$/);
  const slab = panelTexts(RUNS['ramp of 20 000']!, 80, 24, 0).out.slab!;
  t.regex(slab.find((l) => l.startsWith('sock_inode'))!, /^sock_inode_cache {2,}sock_all\S*… {2,}1 664 B$/);
});

// A blessed screen of cols x rows writing into nothing.
function fakeScreen(cols: number, rows: number) {
  const output: any = new PassThrough();
  Object.assign(output, {columns: cols, rows, isTTY: true});
  const input: any = new PassThrough();
  input.setRawMode = () => input;
  input.isTTY = true;
  return blessed.screen({output, input, terminal: 'xterm-256color', warnings: false, autoPadding: true});
}

// The text blessed drew inside a widget's border.
function drawnLines(screen: any, widget: any): string[] {
  const out: string[] = [];
  for (let y = widget.atop + 1; y < widget.atop + Number(widget.height) - 1; y++) {
    const line = screen.lines[y];
    out.push(line.slice(widget.aleft + 1, widget.aleft + Number(widget.width) - 1).map((c: [number, string]) => c[1]).join('').trimEnd());
  }
  while (out.length > 0 && out.at(-1) === '') out.pop();
  return out;
}

for (const [cols, rows, page] of SIZES) {
  test(`blessed draws at ${cols}x${rows} page ${page + 1} exactly the lines the panels computed`, (t) => {
    const live = RUNS['ramp of 20 000']!;
    const screen = fakeScreen(cols, rows);
    t.teardown(() => screen.destroy());
    t.is(Number(screen.width), cols);
    const widgets = buildLayout(screen, page);
    const {m, out} = panelTexts(live, cols, rows, page);
    panels.drawSlab(widgets, m.slab);
    panels.drawPorts(widgets, m.ports);
    panels.drawReceive(widgets, m.receive);
    panels.drawLimits(widgets, m.limits);
    panels.drawPlan(widgets, m.plan);
    screen.render();
    const shown = PANELS.filter((p) => out[p]);
    t.true(shown.length >= 2);
    for (const p of shown) {
      const w = (widgets as any)[p];
      t.deepEqual(drawnLines(screen, w), out[p]!.map((l) => l.trimEnd()), p);
    }
  });
}

test('the closing summary: lines of at most 80 columns, counts and bytes in the same units as the panels', async (t) => {
  const {summaryLines} = await import('../../../src/dashboard/text-view.js');
  const lines = summaryLines({...summary, connections: {...summary.connections, established: 20_000, requested: 20_000}});
  for (const l of lines) t.true(stringWidth(l) <= 80, l);
  t.is(lines[0], 'scenario ramp: 20 000/20 000 connections established, failed: none');
  t.regex(lines.find((l) => l.includes('sock_inode_cache'))!, /^ {2}sock_inode_cache {2,}1 664 B\/conn$/);
  t.regex(lines.find((l) => l.startsWith('probe slab'))!, /^probe slab {2,}tracepoint {2}kmem:kmem_cache_alloc/);
});
