// Pure vega-lite specifications of a run's charts (or of two runs', one chart per figure), sized for a 700 px column.
import type {RecordedRun} from './load.js';
import {bucketText, bytesText, countText} from './units.js';
import type {RateRow} from '../scenarios/ramp-tenths.js';

// One chart: its file name (without extension), title and vega-lite spec.
export type Chart = {name: string; title: string; spec: Record<string, unknown>};

// Width of the whole chart (axes, titles and legend included): a 700 px column holds it.
export const CHART_WIDTH = 680;
const FONT = 'DejaVu Sans, Verdana, sans-serif';

const base = (title: string, subtitle?: string | string[]) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  title: subtitle ? {text: title, subtitle, anchor: 'start'} : {text: title, anchor: 'start'},
  width: CHART_WIDTH,
  autosize: {type: 'fit-x', contains: 'padding'},
  height: 240,
  background: 'white',
  padding: 8,
  config: {
    font: FONT,
    // thousands apart with a space, as in the text ("28 232")
    locale: {number: {decimal: '.', thousands: ' ', grouping: [3], currency: ['', '']}},
    title: {fontSize: 15, subtitleFontSize: 12, subtitleColor: '#444'},
    axis: {labelFontSize: 12, titleFontSize: 12, labelLimit: 0, titlePadding: 8},
    // no legend label is ever cut ("connections (gener...")
    legend: {labelFontSize: 12, titleFontSize: 12, labelLimit: 0, titleLimit: 0, orient: 'right'},
  },
});

// Least-squares line through points (x, y): slope and intercept; null with fewer than two distinct x.
export function fitLine(points: Array<{x: number; y: number}>): {slope: number; intercept: number} | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const slope = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx;
  return {slope, intercept: my - slope * mx};
}

// Samples where the slab probe measured every connection held (not starting, not after a slab sample stopped it),
// as (kernel's client-side established, slab held). The two come from separate bpftrace programs printing up to a
// second apart: slab held trails the count by a near-constant number of connections, which the line's intercept
// takes up, leaving the slope.
// A sample whose slab held is the previous one's while its count moved is a second before the slab program's next
// print (stale), and is left out.
export function slabPoints(run: RecordedRun): Array<{x: number; y: number}> {
  return run.samples
    .filter((s, i) => {
      const prev = run.samples[i - 1];
      const stale = prev?.slab && prev.slab.heldBytes === s.slab?.heldBytes && prev.kernel?.established?.client !== s.kernel?.established?.client;
      return s.slab && !stale && s.phase !== 'starting' && (s.slab.sampledConnections ?? null) === null && s.kernel?.established?.client > 0;
    })
    .map((s) => ({x: s.kernel.established.client, y: s.slab.heldBytes}));
}

// The samples the slope is fitted to: those taken while ramping, where the run recorded its phases (after the
// ramp, slab can grow at a constant count: hello's messages); every point otherwise.
export function rampPoints(run: RecordedRun): Array<{x: number; y: number}> {
  const phased = run.samples.some((s) => s.phase !== undefined);
  const ramping = {...run, samples: run.samples.filter((s) => !phased || s.phase === 'ramping')};
  return slabPoints(ramping);
}

// The slope of slab held against connections, in bytes per connection (both ends): a least-squares line over the
// ramp; null without two samples at different counts.
export function slabSlope(run: RecordedRun): number | null {
  const fit = fitLine(rampPoints(run));
  return fit ? Math.round(fit.slope) : null;
}

const many = (runs: RecordedRun[]) => runs.length > 1;
const MB = 1e6;

// Slab held against connections established, each sample a point, with the fitted line and its slope.
export function slabVsConnections(runs: RecordedRun[]): Chart {
  const points = runs.flatMap((r) => slabPoints(r).map((p) => ({run: r.name, connections: p.x, slabMB: p.y / MB})));
  const lines = runs.flatMap((r) => {
    const pts = rampPoints(r);
    const fit = fitLine(pts);
    if (!fit) return [];
    const xs = pts.map((p) => p.x);
    // from where the line crosses zero (a slab lag makes the intercept negative) to the last count
    const from = fit.slope > 0 ? Math.max(Math.min(...xs), -fit.intercept / fit.slope) : Math.min(...xs);
    return [from, Math.max(...xs)].map((x) => ({run: r.name, connections: x, slabMB: Math.max(0, fit.intercept + fit.slope * x) / MB}));
  });
  // one line per run: a long subtitle would squeeze the plot
  const slopeText = (r: RecordedRun) => {
    const slope = slabSlope(r);
    return slope === null ? 'too few samples along the ramp for a slope' : `${bytesText(slope)} per connection`;
  };
  const slopes = many(runs)
    ? ['fitted slope over the ramp (both ends, loopback):', ...runs.map((r) => `${r.name}: ${slopeText(r)}`)]
    : `fitted slope over the ramp: ${slopeText(runs[0]!)} (both ends, loopback)`;
  const color = many(runs) ? {field: 'run', type: 'nominal', title: 'run', sort: runs.map((r) => r.name)} : {value: '#1f77b4'};
  return {
    name: 'slab-vs-connections',
    title: 'Slab held against connections established',
    spec: {
      ...base('Slab held against connections established', slopes),
      layer: [
        {
          data: {values: points},
          mark: {type: 'point', filled: true, size: 50},
          encoding: {
            x: {field: 'connections', type: 'quantitative', title: 'connections established (kernel, client side)', axis: {format: ',d'}},
            y: {field: 'slabMB', type: 'quantitative', title: 'slab held (MB)'},
            color,
          },
        },
        {
          data: {values: lines},
          mark: {type: 'line', strokeDash: [6, 3]},
          encoding: {
            x: {field: 'connections', type: 'quantitative'},
            y: {field: 'slabMB', type: 'quantitative'},
            color,
            detail: {field: 'run'},
          },
        },
      ],
    },
  };
}

// Slab bytes per connection by cache, stacked: one bar per run, the caches in order of cost.
export function slabByCache(runs: RecordedRun[]): Chart {
  const values = runs.flatMap((r) =>
    Object.entries((r.summary.slab.byCache ?? {}) as Record<string, number>).map(([cache, bytes]) => ({run: r.name, cache, bytes})),
  );
  // one order of the caches for every run: by their largest cost
  const order = [...new Set(values.sort((a, b) => b.bytes - a.bytes).map((v) => v.cache))];
  const total = (r: RecordedRun) => r.summary.slab.byCache ? bytesText(Object.values(r.summary.slab.byCache as Record<string, number>).reduce((x, y) => x + y, 0)) : 'withheld';
  const subtitle = many(runs)
    ? ['per connection, both ends:', ...runs.map((r) => `${r.name}: ${total(r)} (${r.summary.slab.source})`)]
    : `${total(runs[0]!)} per connection (both ends; ${runs[0]!.summary.slab.source})`;
  return {
    name: 'slab-by-cache',
    title: 'Slab per connection, by cache',
    spec: {
      ...base('Slab per connection, by cache', subtitle),
      // tall enough for one legend line per cache (fit-x does not grow the height for the legend)
      height: Math.max(60, 50 * runs.length, 18 * order.length),
      data: {values: values.map((v) => ({...v, rank: order.indexOf(v.cache)}))},
      mark: {type: 'bar', stroke: 'white', strokeWidth: 0.5},
      encoding: {
        y: {field: 'run', type: 'nominal', title: null, sort: runs.map((r) => r.name), axis: many(runs) ? {} : null},
        x: {field: 'bytes', type: 'quantitative', title: 'bytes per connection', stack: 'zero', axis: {format: ',d'}},
        color: {field: 'cache', type: 'nominal', title: 'cache', sort: order, scale: {scheme: 'tableau20'}},
        order: {field: 'rank', type: 'quantitative'},
        tooltip: [{field: 'cache'}, {field: 'bytes', format: ',d'}],
      },
    },
  };
}

// Local ports in use per destination, against the size of ip_local_port_range (the axis ends at the range).
export function portsPerDestination(runs: RecordedRun[]): Chart {
  const range = Math.max(...runs.map((r) => r.summary.ports.range.size as number));
  const values = runs.flatMap((r) =>
    Object.entries((r.summary.ports.perDestination ?? {}) as Record<string, number>).map(([port, n]) => ({
      run: r.name,
      destination: `${many(runs) ? `${r.name} ` : ''}:${port}`,
      ports: n,
      label: `${countText(n)} of ${countText(r.summary.ports.range.size)}`,
    })),
  );
  return {
    name: 'ports',
    title: 'Local ports in use per destination',
    spec: {
      ...base('Local ports in use per destination', runs.map((r) => `${many(runs) ? `${r.name}: ` : ''}ip_local_port_range ${r.summary.ports.range.low}-${r.summary.ports.range.high}, ${countText(r.summary.ports.range.size)} ports per destination`)),
      height: Math.max(80, 22 * values.length),
      data: {values},
      encoding: {
        y: {field: 'destination', type: 'nominal', title: 'server port', sort: null},
        x: {field: 'ports', type: 'quantitative', title: 'local ports in use', scale: {domain: [0, range]}, axis: {format: ',d'}},
      },
      layer: [
        {mark: {type: 'bar', color: '#4c78a8'}},
        {mark: {type: 'text', align: 'left', dx: 4, fontSize: 12}, encoding: {text: {field: 'label'}}},
      ],
    },
  };
}

// socket() and connect() latency: log2 buckets labelled by their upper bound in human units ("4 µs", "33 ms").
export function latencyDistributions(runs: RecordedRun[]): Chart {
  const values = runs.flatMap((r) => {
    const h = r.summary.kernel.histograms ?? {socketNs: [], connectNs: []};
    // an open-ended bucket (max +Infinity, null in JSON: bpftrace 0.17's 2^31+ ns) is labelled by its lower bound
    const open = (b: {max: number | null}) => b.max === null || !Number.isFinite(b.max);
    const of = (call: string, buckets: Array<{min: number; max: number | null; count: number}>) =>
      buckets.map((b) => ({
        series: many(runs) ? `${r.name} ${call}` : call,
        upToNs: open(b) ? 2 * b.min : b.max! + 1,
        bucket: open(b) ? `≥ ${bucketText(b.min)}` : bucketText(b.max! + 1),
        count: b.count,
      }));
    return [...of('socket()', h.socketNs ?? []), ...of('connect()', h.connectNs ?? [])];
  });
  const counts = values.map((v) => v.count).filter((c) => c > 0);
  // a log count axis where the buckets differ by two orders of magnitude (a few slow calls stay visible)
  const log = counts.length > 0 && Math.max(...counts) / Math.min(...counts) >= 100;
  const order = [...new Set(values.sort((a, b) => a.upToNs - b.upToNs).map((v) => v.bucket))];
  return {
    name: 'latency',
    title: 'socket() and connect() latency',
    spec: {
      ...base('socket() and connect() latency', 'calls per log2 bucket, by its upper bound (kernel, syscall entry to exit)'),
      data: {values},
      mark: 'bar',
      encoding: {
        x: {field: 'bucket', type: 'ordinal', title: 'latency, up to (log2 buckets)', sort: order, axis: {labelAngle: -45}},
        // symlog: a log axis that still has a zero for the bars to stand on
        y: {field: 'count', type: 'quantitative', title: log ? 'calls (log scale)' : 'calls', scale: log ? {type: 'symlog', domain: [0, 2 * Math.max(...counts)]} : {}, axis: log ? {values: [0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000].filter((v) => v <= 10 * Math.max(...counts)), format: ',d'} : {format: ',d'}},
        color: {field: 'series', type: 'nominal', title: 'call'},
        xOffset: {field: 'series'},
      },
    },
  };
}

// Connections held over time, as the generator and the kernel counted them (connections only on this axis).
export function connectionsOverTime(runs: RecordedRun[]): Chart {
  const values = runs.flatMap((r) =>
    r.samples.flatMap((s) => [
      {t: s.tMs / 1000, series: `${many(runs) ? `${r.name} ` : ''}generator`, connections: s.connections.established},
      {t: s.tMs / 1000, series: `${many(runs) ? `${r.name} ` : ''}kernel (client side)`, connections: s.kernel.established.client},
      // where connects failed (EADDRNOTAVAIL, EMFILE...): how many, on the same axis (they are connections too)
      ...(r.samples.some((x) => x.connections.failed > 0) ? [{t: s.tMs / 1000, series: `${many(runs) ? `${r.name} ` : ''}failed (generator)`, connections: s.connections.failed}] : []),
    ]),
  );
  return {
    name: 'connections',
    title: 'Connections established over time',
    spec: {
      ...base('Connections established over time', 'counted by the generator and, in the kernel, by the connections probe'),
      data: {values},
      mark: {type: 'line', point: true},
      encoding: {
        x: {field: 't', type: 'quantitative', title: 'time since start (s)'},
        y: {field: 'connections', type: 'quantitative', title: 'connections established', axis: {format: ',d'}},
        // in the order of the data: generator, kernel, then failed
        color: {field: 'series', type: 'nominal', title: 'counted by', sort: null},
      },
    },
  };
}

// connect() latency by how full the destination's port range was when it was called, in tenths of the range: for
// each destination its successful connects in order, the k-th filling k / range size; p50 and p99 per tenth.
export function fillLatencyPoints(run: RecordedRun): Array<{decile: number; p50Ns: number; p99Ns: number; connects: number}> {
  const size = run.summary.ports.range.size as number;
  const rows = (run.connections ?? []).filter((c) => c.errno === null);
  const byPort = new Map<number, typeof rows>();
  for (const c of rows) {
    const list = byPort.get(c.remotePort);
    if (list) list.push(c);
    else byPort.set(c.remotePort, [c]);
  }
  const deciles = new Map<number, number[]>();
  for (const list of byPort.values()) {
    list.sort((x, y) => x.atMs - y.atMs);
    list.forEach((c, i) => {
      const d = Math.min(9, Math.floor((10 * i) / size));
      const ns = deciles.get(d);
      if (ns) ns.push(c.connectNs);
      else deciles.set(d, [c.connectNs]);
    });
  }
  const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
  return [...deciles.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([decile, ns]) => {
      ns.sort((x, y) => x - y);
      return {decile, p50Ns: q(ns, 0.5), p99Ns: q(ns, 0.99), connects: ns.length};
    });
}

// The fill chart where the run filled at least two tenths of a destination's range (port-exhaustion, million); null otherwise.
export function fillLatency(runs: RecordedRun[]): Chart | null {
  const per = runs.map((r) => ({r, points: fillLatencyPoints(r)}));
  if (!per.some((p) => p.points.length >= 2)) return null;
  const values = per.flatMap(({r, points}) =>
    points.flatMap((p) => [
      {series: `${many(runs) ? `${r.name} ` : ''}p50`, fill: `${10 * p.decile}-${10 * p.decile + 10}%`, ms: p.p50Ns / 1e6},
      {series: `${many(runs) ? `${r.name} ` : ''}p99`, fill: `${10 * p.decile}-${10 * p.decile + 10}%`, ms: p.p99Ns / 1e6},
    ]),
  );
  return {
    name: 'fill-latency',
    title: 'connect() latency as the port range fills',
    spec: {
      ...base('connect() latency as the port range fills', ['per tenth of ip_local_port_range in use at the destination;', 'connect() to established, as the generator timed it']),
      data: {values},
      mark: {type: 'line', point: true},
      encoding: {
        x: {field: 'fill', type: 'ordinal', title: 'share of the port range in use', sort: null, axis: {labelAngle: -45}},
        y: {field: 'ms', type: 'quantitative', title: 'connect() (ms, log scale)', scale: {type: 'log'}},
        color: {field: 'series', type: 'nominal', title: 'quantile'},
      },
    },
  };
}

// The rows a claim's evidence holds under key (byDecile, byTenth), from the first claim whose rows have field.
function claimRows<T>(run: RecordedRun, key: string, field: string): T[] {
  const claim = (run.summary.claims ?? []).find((c: any) => Array.isArray(c.evidence?.[key]) && c.evidence[key][0]?.[field] !== undefined);
  return claim ? claim.evidence[key] : [];
}

// The port-search scenario's table by tenth of the range (its latency claim's evidence), where a run has one.
function fillRowsOf(run: RecordedRun): Array<{fill: string; decile: number; generatorP50Ns: number | null; kernelP50Ns: number | null; attemptsMin: number | null; attemptsMax: number | null}> {
  return claimRows(run, 'byDecile', 'kernelP50Ns');
}

// port-search: connect()'s median by tenth of the destination's range in use, as the kernel (syscall entry to
// return) and the generator (to established) timed it, and the ports each connect tried where function probes
// counted them (__inet_check_established() calls: fewest and most in the tenth); none for other scenarios.
export function portSearchCharts(runs: RecordedRun[]): Chart[] {
  const per = runs.map((r) => ({r, rows: fillRowsOf(r).filter((x) => x.decile <= 10)}));
  if (!per.some((p) => p.rows.length > 0)) return [];
  const name = (r: RecordedRun, s: string) => (many(runs) ? `${r.name} ${s}` : s);
  const latency = per.flatMap(({r, rows}) =>
    rows.flatMap((x) => [
      ...(x.kernelP50Ns === null ? [] : [{series: name(r, 'kernel p50 (up to, log2 bucket)'), fill: x.fill, us: x.kernelP50Ns / 1000}]),
      ...(x.generatorP50Ns === null ? [] : [{series: name(r, 'generator p50'), fill: x.fill, us: x.generatorP50Ns / 1000}]),
    ]),
  );
  const charts: Chart[] = [{
    name: 'port-search-latency',
    title: 'connect() by tenth of the port range in use (one destination)',
    spec: {
      ...base('connect() by tenth of the port range in use (one destination)', ['median connect() as the range fills, connects one by one;', 'the kernel: syscall entry to return; the generator: to established']),
      data: {values: latency},
      mark: {type: 'line', point: true},
      encoding: {
        x: {field: 'fill', type: 'ordinal', title: 'share of the port range in use', sort: null, axis: {labelAngle: -45}},
        y: {field: 'us', type: 'quantitative', title: 'connect() p50 (µs)'},
        color: {field: 'series', type: 'nominal', title: 'timed by'},
      },
    },
  }];
  const tried = per.flatMap(({r, rows}) =>
    rows.flatMap((x) => (x.attemptsMin === null || x.attemptsMax === null ? [] : [
      {series: name(r, 'fewest'), fill: x.fill, ports: x.attemptsMin},
      {series: name(r, 'most'), fill: x.fill, ports: x.attemptsMax},
    ])),
  );
  if (tried.length > 0) {
    charts.push({
      name: 'port-search-attempts',
      title: 'ports tried per connect() by tenth of the port range in use',
      spec: {
        ...base('ports tried per connect() by tenth of the port range in use', '__inet_check_established() calls per inet_hash_connect() (function probes), fewest and most in each tenth'),
        data: {values: tried},
        mark: {type: 'line', point: true},
        encoding: {
          x: {field: 'fill', type: 'ordinal', title: 'share of the port range in use', sort: null, axis: {labelAngle: -45}},
          y: {field: 'ports', type: 'quantitative', title: 'ports tried by one connect()', axis: {format: ',d'}},
          color: {field: 'series', type: 'nominal', title: 'in the tenth'},
        },
      },
    });
  }
  return charts;
}

const tenthRowsOf = (run: RecordedRun): RateRow[] => claimRows(run, 'byTenth', 'perSecond');

// million and one-port: the establish rate by tenth of the ramp and, where each connect bound (ip, 0) first, the
// kernel's bind() median and 99th percentile then (inet_csk_find_open_port() walks further as an address's ports
// fill); none for other scenarios.
export function rampTenthCharts(runs: RecordedRun[]): Chart[] {
  const per = runs.map((r) => ({r, rows: tenthRowsOf(r)}));
  if (!per.some((p) => p.rows.length > 0)) return [];
  const name = (r: RecordedRun, s: string) => (many(runs) ? `${r.name} ${s}` : s);
  // the tenth's number on the axis (two runs of other sizes line up), its connections in the tooltip
  const x = {field: 'tenth', type: 'ordinal', title: 'tenth of the ramp', sort: null};
  const tooltip = [{field: 'established', type: 'quantitative', title: 'established by its end', format: ','}];
  const charts: Chart[] = [{
    name: 'ramp-rate-tenths',
    title: 'establish rate by tenth of the ramp',
    spec: {
      ...base('establish rate by tenth of the ramp', 'connections established per second in each tenth (the generator)'),
      data: {values: per.flatMap(({r, rows}) => rows.filter((row) => row.perSecond !== null).map((row) => ({series: name(r, 'rate'), tenth: row.tenth, established: row.established, perSecond: row.perSecond})))},
      mark: {type: 'line', point: true},
      encoding: {x, y: {field: 'perSecond', type: 'quantitative', title: 'connections / s', axis: {format: ',d'}}, color: {field: 'series', type: 'nominal', title: 'run'}, tooltip},
    },
  }];
  const binds = per.flatMap(({r, rows}) =>
    rows.flatMap((row) => (row.binds && row.bindP50Ns !== null && row.bindP99Ns !== null ? [
      {series: name(r, 'bind() p50 (up to, log2 bucket)'), tenth: row.tenth, established: row.established, ms: row.bindP50Ns / 1e6},
      {series: name(r, 'bind() p99 (up to, log2 bucket)'), tenth: row.tenth, established: row.established, ms: row.bindP99Ns / 1e6},
    ] : [])),
  );
  if (binds.length > 0) {
    charts.push({
      name: 'ramp-bind-tenths',
      title: 'bind(ip, 0) by tenth of the ramp',
      spec: {
        ...base('bind(ip, 0) by tenth of the ramp', "the kernel's bind() syscall time: each client address's ports fill and the search for a free one grows"),
        data: {values: binds},
        mark: {type: 'line', point: true},
        encoding: {x, y: {field: 'ms', type: 'quantitative', title: 'bind() (ms, log scale)', scale: {type: 'log'}}, color: {field: 'series', type: 'nominal', title: 'quantile'}, tooltip},
      },
    });
  }
  return charts;
}

// Every chart of one run, or of two runs side by side (one chart per figure).
export function runCharts(runs: RecordedRun | RecordedRun[]): Chart[] {
  const list = Array.isArray(runs) ? runs : [runs];
  const fill = fillLatency(list);
  return [slabVsConnections(list), slabByCache(list), portsPerDestination(list), latencyDistributions(list), ...(fill ? [fill] : []), ...portSearchCharts(list), ...rampTenthCharts(list), connectionsOverTime(list)];
}
