// Pure vega-lite specifications of a run's charts.
import type {RecordedRun} from './load.js';

// One chart: its file name (without .svg), title and vega-lite spec.
export type Chart = {name: string; title: string; spec: Record<string, unknown>};

const base = (title: string) => ({$schema: 'https://vega.github.io/schema/vega-lite/v5.json', title, width: 560, height: 260, background: 'white'});

// Connections held (generator and kernel) and slab held over time.
export function connectionsOverTime(run: RecordedRun): Chart {
  const values = run.samples.flatMap((s) => [
    {t: s.tMs / 1000, series: 'connections (generator)', value: s.connections.established, axis: 'connections'},
    {t: s.tMs / 1000, series: 'connections (kernel)', value: s.kernel.established.client, axis: 'connections'},
    {t: s.tMs / 1000, series: 'slab held (MiB)', value: Math.round((s.slab.heldBytes / 2 ** 20) * 10) / 10, axis: 'slab'},
  ]);
  return {
    name: 'connections-slab',
    title: 'Connections and slab held over time',
    spec: {
      ...base('Connections and slab held over time'),
      data: {values},
      mark: {type: 'line', point: true},
      encoding: {
        x: {field: 't', type: 'quantitative', title: 'time (s)'},
        y: {field: 'value', type: 'quantitative', title: 'connections / MiB'},
        color: {field: 'series', type: 'nominal', title: null},
      },
    },
  };
}

// Slab bytes per connection, by cache.
export function slabByCache(run: RecordedRun): Chart {
  const values = Object.entries(run.summary.slab.byCache as Record<string, number>).map(([cache, bytes]) => ({cache, bytes}));
  return {
    name: 'slab-by-cache',
    title: 'Slab bytes per connection, by cache',
    spec: {
      ...base(`Slab bytes per connection, by cache (${run.summary.slab.source})`),
      data: {values},
      mark: 'bar',
      encoding: {
        y: {field: 'cache', type: 'nominal', sort: '-x', title: null},
        x: {field: 'bytes', type: 'quantitative', title: 'bytes per connection (both ends)'},
      },
    },
  };
}

// socket() and connect() latency distributions (log2 buckets, labelled by upper bound).
export function latencyDistributions(run: RecordedRun): Chart {
  const h = run.summary.kernel.histograms ?? {socketNs: [], connectNs: []};
  const values = [
    ...h.socketNs.map((b: any) => ({call: 'socket()', upToUs: (b.max + 1) / 1000, count: b.count})),
    ...h.connectNs.map((b: any) => ({call: 'connect()', upToUs: (b.max + 1) / 1000, count: b.count})),
  ];
  return {
    name: 'latency',
    title: 'socket() and connect() latency',
    spec: {
      ...base('socket() and connect() latency'),
      data: {values},
      mark: 'bar',
      encoding: {
        x: {field: 'upToUs', type: 'ordinal', title: 'latency up to (µs)', sort: 'ascending'},
        y: {field: 'count', type: 'quantitative', title: 'calls'},
        color: {field: 'call', type: 'nominal', title: null},
        xOffset: {field: 'call'},
      },
    },
  };
}

// Local ports in use per destination over time.
export function portsOverTime(run: RecordedRun): Chart {
  const values = run.samples.flatMap((s) =>
    Object.entries((s.portsPerDestination ?? {}) as Record<string, number>).map(([port, n]) => ({t: s.tMs / 1000, destination: `:${port}`, ports: n})),
  );
  return {
    name: 'ports',
    title: 'Local ports in use per destination',
    spec: {
      ...base(`Local ports in use per destination (range ${run.summary.ports.range.size})`),
      data: {values},
      mark: 'line',
      encoding: {
        x: {field: 't', type: 'quantitative', title: 'time (s)'},
        y: {field: 'ports', type: 'quantitative', title: 'ports in use'},
        color: {field: 'destination', type: 'nominal', title: 'server port'},
      },
    },
  };
}

// Every chart of a run.
export function runCharts(run: RecordedRun): Chart[] {
  return [connectionsOverTime(run), slabByCache(run), latencyDistributions(run), portsOverTime(run)];
}
