// The report of a recorded fixture run (a real 499-connection ramp on Linux 6.18): markdown and chart specs as
// snapshots, findings as sentences with their numbers, charts as SVG holding their series and axis titles, PNG.
import test from 'ava';
import {join} from 'node:path';
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {loadRun, parseConnections, type RecordedRun} from '../../../src/report/load.js';
import {fillLatencyPoints, fitLine, runCharts, slabPoints, slabSlope} from '../../../src/report/charts.js';
import {commandLine, comparisonReport, differences, evidenceText, findings, rerunDir, runReport} from '../../../src/report/markdown.js';
import {execFileSync} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import {renderPng, renderSvg} from '../../../src/report/svg.js';
import {bucketText, bytesText, compactCount, countText} from '../../../src/report/units.js';
import {run as reportCommand} from '../../../src/commands/report.js';
import {FIXTURES} from '../../helpers/paths.js';
import {tempDir} from '../../helpers/temp.js';
import {XMLValidator} from 'fast-xml-parser';
import {Resvg} from '@resvg/resvg-js';

const dir = join(FIXTURES, 'run-ramp-499');
const chartFiles = (run: RecordedRun) => runCharts(run).map((c) => ({title: c.title, file: `charts/${c.name}.svg`}));

// The fixture as another run: renamed, on another kernel, TCP 64 B dearer per connection.
async function otherRun(): Promise<RecordedRun> {
  const run = await loadRun(dir);
  const copy = structuredClone(run);
  copy.name = 'run-ramp-499-b';
  copy.manifest.kernel = '6.1.0-test';
  copy.summary.slab.byCache.TCP += 64;
  copy.summary.slab.bytesPerConnection.tracepoint += 64;
  copy.samples = copy.samples.map((s: any) => ({...s, slab: {...s.slab, heldBytes: s.slab.heldBytes + 64 * s.kernel.established.client}}));
  return copy;
}

test('the markdown report reads as a document (snapshot)', async (t) => {
  const run = await loadRun(dir);
  const md = runReport(run, chartFiles(run));
  t.snapshot(md);
  t.regex(md, /\| established \(client side\) \| 499 \| 499 \|/);
  // no raw JSON left in the text
  t.false(/[{}"]/.test(md.split('## Probe plan')[0]!), 'no JSON before the probe plan');
  for (const section of ['## Findings', '## Claims', '## Kernel memory per connection, by cache', '## Ports per destination', '## Environment', '## Probe plan and overhead', '## Reproduce']) {
    t.true(md.includes(section), section);
  }
});

test('findings: each one a sentence with its numbers', async (t) => {
  const f = findings(await loadRun(dir));
  t.true(f.includes('499 connections held 3.92 MB of slab: 7 861 B each, 4 736 B of it the TCP socket (then sock_inode_cache 1 664 B, eventpoll_epi 384 B, dentry 384 B and filp 384 B).'), f.join('\n'));
  t.true(f.includes('Sample by sample, slab held grew by 7 815 B per connection established (least-squares line over the 5 samples taken while ramping).'), f.join('\n'));
  t.true(f.some((s) => s.includes('used 125, 125, 125 and 124 local ports: at most 0.4% of the 28 232 in ip_local_port_range (32768-60999)')));
  t.true(f.some((s) => s.startsWith('socket() returned within 32 µs for half the calls and within 131 µs for 99%; connect() returned within 131 µs')));
  for (const s of f) t.regex(s, /^[A-Z0-9/a-z].*[.)]$/, s);
});

test('reproduce: the exact command line when recorded, else rebuilt from the parameters and said so', async (t) => {
  const run = await loadRun(dir);
  t.deepEqual(commandLine(run), {text: 'tcp-trace run ramp --connections 499 --ports 4 --base-port 12000 --hold 1 --rate 150 --concurrency 256 --headless --out /tmp/fixture-runs', recorded: false});
  const recorded = {...run, manifest: {...run.manifest, commandLine: ['tcp-trace', 'run', 'hello', '--connections', '50', '--out', '/tmp/my runs']}};
  t.deepEqual(commandLine(recorded), {text: "tcp-trace run hello --connections 50 --out '/tmp/my runs'", recorded: true});
  const md = runReport(recorded, []);
  t.regex(md, /```sh\ntcp-trace run hello --connections 50 --out '\/tmp\/my runs' {4}# as root\n/);
  t.regex(md, /The command line as recorded in manifest\.json; tcp-trace 0\.1\.0, Linux 6\.18\.44-fc-v669, bpftrace 0\.17\.0/);
});

test('a claim\'s evidence in words: camelCase keys as words, bytes by cache with their unit, ports ungrouped', (t) => {
  t.is(evidenceText({generator: 499, kernelClient: 20_000}), 'generator 499, kernel client 20 000');
  t.is(evidenceText({byCache: {TCP: 4736}, serverPorts: [12000, 12001]}), 'by cache (TCP 4 736 B), server ports 12000, 12001');
  t.is(evidenceText({failed: {EADDRNOTAVAIL: 1}, held: true}), 'failed (EADDRNOTAVAIL 1), held true');
});

test('units: counts, bytes, bucket bounds', (t) => {
  t.is(countText(20_000), '20 000');
  t.is(bytesText(7656), '7 656 B');
  t.is(bytesText(153_120_000), '153 MB');
  t.is(bucketText(4096), '4 µs');
  t.is(bucketText(33_554_432), '33 ms');
  t.is(bucketText(512), '512 ns');
  t.is(compactCount(2_466_183), '2.47 M');
  t.is(compactCount(9_223_372_036_854_775_807), '9.22 E');
  t.is(compactCount(80_415), '80 415');
});

test('slab slope: a least-squares line over the samples where the probe measured every connection', async (t) => {
  t.deepEqual(fitLine([{x: 0, y: 100}, {x: 10, y: 200}, {x: 20, y: 300}]), {slope: 10, intercept: 100});
  // slab held trailing the count by 30 connections: the intercept takes the lag, the slope stays
  t.deepEqual(fitLine([100, 200, 300].map((x) => ({x, y: 7000 * (x - 30)}))), {slope: 7000, intercept: -210_000});
  t.is(fitLine([{x: 5, y: 1}, {x: 5, y: 2}]), null);
  const run = await loadRun(dir);
  t.is(slabPoints(run).length, 5);
  t.is(slabSlope(run), 7815);
  // after a slab sample (--slab-sample), heldBytes is an estimate: those samples are left out of the fit
  const sampled = {...run, samples: run.samples.map((s, i) => (i >= 3 ? {...s, slab: {...s.slab, sampledConnections: 327}} : s))};
  t.is(slabPoints(sampled).length, 3);
  // where phases are recorded, only the ramp's samples make the slope (hello's messages grow slab at a constant count)
  const phased = {...run, samples: run.samples.map((x, i) => ({...x, phase: i < 4 ? 'ramping' : 'holding', slab: {...x.slab, heldBytes: i < 4 ? x.slab.heldBytes : 10 * x.slab.heldBytes}}))};
  t.is(slabSlope(phased), fitLine(slabPoints(run).slice(0, 4)) && Math.round(fitLine(slabPoints(run).slice(0, 4))!.slope));
});

test('chart specs (snapshot)', async (t) => {
  const run = await loadRun(dir);
  t.snapshot(runCharts(run).map((c) => ({name: c.name, title: c.title, spec: c.spec})));
});

// The text of every <text> element of an SVG.
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<'));

test('every chart renders to well-formed SVG, at most 700 px wide, holding its series and axis titles, no label cut', async (t) => {
  const run = await loadRun(dir);
  const charts = runCharts(run);
  t.deepEqual(charts.map((c) => c.name), ['slab-vs-connections', 'slab-by-cache', 'ports', 'latency', 'connections']);
  const svgs = await Promise.all(charts.map((c) => renderSvg(c.spec)));
  const want: Record<string, string[]> = {
    'slab-vs-connections': ['connections established (kernel, client side)', 'slab held (MB)', 'fitted slope over the ramp: 7 815 B per connection (both ends, loopback)'],
    'slab-by-cache': ['bytes per connection', 'TCP', 'sock_inode_cache', 'ep_head', '7 862 B per connection (both ends; tracepoint)'],
    ports: ['local ports in use', 'server port', ':12000', ':12003', '125 of 28 232', '124 of 28 232'],
    latency: ['latency, up to (log2 buckets)', 'calls (log scale)', 'socket()', 'connect()', '8 µs', '16 µs', '262 µs', '524 µs', '8 ms'],
    connections: ['time since start (s)', 'connections established', 'generator', 'kernel (client side)'],
  };
  charts.forEach((c, i) => {
    const svg = svgs[i]!;
    t.true(svg.startsWith('<svg'), svg.slice(0, 40));
    t.is(XMLValidator.validate(svg), true);
    const width = Number(/^<svg[^>]* width="(\d+)"/.exec(svg)![1]);
    t.true(width <= 700, `${c.name} is ${width} px wide`);
    const shown = texts(svg);
    for (const w of want[c.name]!) t.true(shown.includes(w), `${c.name}: "${w}" missing from ${JSON.stringify(shown)}`);
    t.false(shown.some((s) => s.includes('…')), `${c.name}: a label cut: ${shown.filter((s) => s.includes('…'))}`);
    // never connections and MB on one axis: each chart has one y-axis title
    t.false(shown.some((s) => /connections \/ MiB/.test(s)));
  });
  // latency bucket labels in human units, not "4.096"
  t.false(texts(svgs[3]!).some((s) => /\d\.\d{3}/.test(s)));
});

test('PNG: rendered without a browser, twice the SVG size', async (t) => {
  const svg = await renderSvg(runCharts(await loadRun(dir))[0]!.spec);
  const png = renderPng(svg);
  t.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const svgWidth = Number(/^<svg[^>]* width="(\d+)"/.exec(svg)![1]);
  t.is(png.readUInt32BE(16), 2 * svgWidth);
  t.true(png.length > 20_000, `a chart with text and marks, not a blank page: ${png.length} B`);
});

// True when the outer `margin` pixels of the drawn SVG are all background (nothing runs off the edge, cut).
function edgesBlank(svg: string, margin = 3): boolean {
  const img = new Resvg(svg, {background: 'white', font: {loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans'}}).render();
  const {width, height, pixels} = img;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (x >= margin && x < width - margin && y >= margin && y < height - margin) continue;
      const i = 4 * (y * width + x);
      if (pixels[i]! < 250 || pixels[i + 1]! < 250 || pixels[i + 2]! < 250) return false;
    }
  }
  return true;
}

test('no chart, of one run or of two, draws past its edges (a legend or label cut by the frame)', async (t) => {
  const a = await loadRun(dir);
  const b = await otherRun();
  for (const c of [...runCharts(a), ...runCharts([a, b])]) t.true(edgesBlank(await renderSvg(c.spec)), c.name);
});

test('comparing two runs: differences in words, one chart per figure holding both runs', async (t) => {
  const a = await loadRun(dir);
  const b = await otherRun();
  const d = differences(a, b);
  t.true(d.includes('The kernel changed from Linux 6.18.44-fc-v669 to 6.1.0-test.'), d.join('\n'));
  t.true(d.includes('Slab per connection went from 7 861 B to 7 925 B (+1%).'), d.join('\n'));
  t.true(d.includes('The fitted slope of slab held against connections went from 7 815 B to 7 879 B (+1%).'), d.join('\n'));
  t.true(d.includes('Connections established: 499 in both.'), d.join('\n'));
  t.true(d.includes('By cache, the largest changes: TCP +64 B per connection.'), d.join('\n'));
  const charts = runCharts([a, b]);
  t.is(charts.length, 5);
  for (const c of charts) {
    const shown = texts(await renderSvg(c.spec)).join('\n');
    if (c.name === 'connections' || c.name === 'latency' || c.name === 'slab-vs-connections' || c.name === 'slab-by-cache' || c.name === 'ports') {
      t.true(shown.includes('run-ramp-499') && shown.includes('run-ramp-499-b'), `${c.name}: both runs`);
    }
  }
  const md = comparisonReport(a, b, charts.map((c) => ({title: c.title, file: `charts/x-${c.name}.svg`})));
  t.snapshot(md);
  t.regex(md, /\| connections established \| 499 \| 499 \|/);
});

test('tcp-trace report writes report.md, report.html, and each chart as spec, SVG and PNG', async (t) => {
  const out = tempDir(t, 'report');
  const write = process.stdout.write;
  process.stdout.write = (() => true) as any;
  try {
    t.is(await reportCommand({values: {format: 'html', out}, positionals: [dir]}), 0);
  } finally {
    process.stdout.write = write;
  }
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  t.regex(html, /<table>/);
  t.regex(html, /<img src="charts\/slab-vs-connections\.svg"/);
  for (const name of ['slab-vs-connections', 'slab-by-cache', 'ports', 'latency', 'connections']) {
    for (const ext of ['vl.json', 'svg', 'png']) t.true(existsSync(join(out, 'charts', `${name}.${ext}`)), `${name}.${ext}`);
  }
  t.is(readFileSync(join(out, 'report.md'), 'utf8'), runReport(await loadRun(dir), chartFiles(await loadRun(dir))));
});

test('a run with warnings: a Warnings section names them and the numbers withheld; withheld numbers show as missing', async (t) => {
  const run = structuredClone(await loadRun(dir));
  run.summary.warnings = ['portAllocation: @ports full at 4096 keys: new keys were dropped; port counts per destination and the 4-tuple correlation are low'];
  run.summary.incomplete = {'ports.perDestination': 'portAllocation: @ports full at 4096 keys', 'kernel.established': 'connections: helper error'};
  run.summary.ports.perDestination = null;
  run.summary.ports.correlation = null;
  run.summary.kernel.established = null;
  // bpftrace 0.17's open-ended bucket (2^31 ns and more), null in JSON
  run.summary.kernel.histograms.socketNs.push({min: 2 ** 31, max: null, count: 3});
  const md = runReport(run, chartFiles(run));
  t.regex(md, /## Warnings\n\n- portAllocation: @ports full at 4096 keys: new keys were dropped;/);
  t.regex(md, /Withheld \(not printed, since a warning makes them wrong\): `ports\.perDestination` \(portAllocation: @ports full at 4096 keys\) and `kernel\.established`/);
  t.regex(md, /The kernel's counts of connections established are withheld \(see Warnings\)\./);
  t.regex(md, /\| established \(client side\) \| 499 \| - \|/);
  const latency = texts(await renderSvg(runCharts(run).find((c) => c.name === 'latency')!.spec));
  t.true(latency.includes('≥ 2 s'), latency.join(' '));
});

test('connections.csv: rows by the header\'s names; a row cut by a kill is skipped', (t) => {
  const csv = 'worker,local_addr,local_port,remote_addr,remote_port,connect_ns,errno,at_ms\n0,127.0.0.1,60000,127.0.0.1,12000,25000,,5\n0,127.0.0.1,0,127.0.0.1,12000,9000,EADDRNOTAVAIL,7\n0,127.0.0.1,6000';
  t.deepEqual(parseConnections(csv), [
    {remotePort: 12000, localPort: 60000, connectNs: 25000, errno: null, atMs: 5},
    {remotePort: 12000, localPort: 0, connectNs: 9000, errno: 'EADDRNOTAVAIL', atMs: 7},
  ]);
});

test('connect() latency by tenth of the port range in use: the k-th connect to a destination fills k / range size', async (t) => {
  const run = structuredClone(await loadRun(dir));
  run.summary.ports.range = {low: 60000, high: 60009, size: 10};
  // two destinations, 10 connects each, the i-th taking (i + 1) ms; then one EADDRNOTAVAIL, left out
  run.connections = [12000, 12001].flatMap((p) => Array.from({length: 10}, (_, i) => ({remotePort: p, localPort: 60000 + i, connectNs: (i + 1) * 1e6, errno: null, atMs: i})));
  run.connections.push({remotePort: 12000, localPort: 0, connectNs: 5e9, errno: 'EADDRNOTAVAIL', atMs: 99});
  const points = fillLatencyPoints(run);
  t.is(points.length, 10);
  t.deepEqual(points[0], {decile: 0, p50Ns: 1e6, p99Ns: 1e6, connects: 2});
  t.deepEqual(points[9], {decile: 9, p50Ns: 10e6, p99Ns: 10e6, connects: 2});
  const chart = runCharts(run).find((c) => c.name === 'fill-latency');
  t.truthy(chart, 'the chart is there when a tenth of the range or more filled');
  const shown = texts(await renderSvg(chart!.spec));
  for (const w of ['share of the port range in use', 'connect() (ms, log scale)', '0-10%', '90-100%', 'p50', 'p99']) t.true(shown.includes(w), w);
  // the fixture's 125 of 28 232 ports: no fill chart
  t.false(runCharts(await loadRun(dir)).some((c) => c.name === 'fill-latency'));
});

test('the ramp by tenths (million, one-port): the rate chart, and the bind() chart where the kernel counted binds', async (t) => {
  const run = structuredClone(await loadRun(dir));
  t.false(runCharts(run).some((c) => c.name.startsWith('ramp-')), 'no byTenth evidence: no chart');
  const rows = Array.from({length: 10}, (_, i) => ({tenth: i + 1, established: 10_000 * (i + 1), perAddress: 2500 * (i + 1), rangeShare: (2500 * (i + 1)) / 28_232, perSecond: 9000 - 800 * i, binds: 10_000, bindP50Ns: 4095 * 2 ** i, bindP99Ns: 16_383 * 2 ** i}));
  run.summary.claims = [{claim: 'c', held: true, evidence: {byTenth: rows}}];
  const charts = runCharts(run).filter((c) => c.name.startsWith('ramp-'));
  t.deepEqual(charts.map((c) => c.name), ['ramp-rate-tenths', 'ramp-bind-tenths']);
  t.deepEqual((charts[0]!.spec as any).data.values[9], {series: 'rate', tenth: 10, established: 100_000, perSecond: 1800});
  t.deepEqual((charts[1]!.spec as any).data.values.slice(0, 2), [{series: 'bind() p50 (up to, log2 bucket)', tenth: 1, established: 10_000, ms: 0.004095}, {series: 'bind() p99 (up to, log2 bucket)', tenth: 1, established: 10_000, ms: 0.016383}]);
  const shown = texts(await renderSvg(charts[1]!.spec));
  for (const w of ['bind() (ms, log scale)', 'tenth of the ramp', 'bind() p50 (up to, log2 bucket)']) t.true(shown.includes(w), w);
  // no bind() counted (the kernel chose the ports): the rate chart only
  run.summary.claims = [{claim: 'c', held: true, evidence: {byTenth: rows.map((r) => ({...r, binds: 0}))}}];
  t.deepEqual(runCharts(run).filter((c) => c.name.startsWith('ramp-')).map((c) => c.name), ['ramp-rate-tenths']);
});

test('a folder that is not a run directory: one line naming it and the fix', async (t) => {
  await t.throwsAsync(loadRun(FIXTURES), {message: /is not a tcp-trace run directory \(no manifest\.json\): give a folder that `tcp-trace run` wrote/});
});

test('a run killed before its summary: one line saying so, and where its samples are', async (t) => {
  const killed = mkdtempSync(join(tmpdir(), 'tcp-trace-killed-'));
  t.teardown(() => rmSync(killed, {recursive: true, force: true}));
  cpSync(join(dir, 'manifest.json'), join(killed, 'manifest.json'));
  writeFileSync(join(killed, 'samples.ndjson'), '{"t":0}\n{"t":1000}\n{"t":20');
  await t.throwsAsync(loadRun(killed), {message: /holds a run that did not finish \(no summary\.json; samples\.ndjson keeps its 2 samples\)/});
});

test("Reproduce's report line names the newest run directory the command writes under its --out, in sh, quotes and all", (t) => {
  const base = mkdtempSync(join(tmpdir(), 'tcp-trace-rerun-'));
  t.teardown(() => rmSync(base, {recursive: true, force: true}));
  for (const out of [join(base, 'runs'), join(base, "it's runs")]) {
    for (const name of ['2026-12-02T01-00-00-ramp', '2026-12-02T02-00-00-ramp', '2026-12-02T03-00-00-port-search']) mkdirSync(join(out, name), {recursive: true});
    const word = rerunDir({name: 'x', manifest: {scenario: 'ramp', parameters: {out: `${out}/`}}, summary: {}, samples: []});
    t.is(execFileSync('sh', ['-c', `printf '%s' ${word}`], {encoding: 'utf8'}), join(out, '2026-12-02T02-00-00-ramp'));
  }
  // a manifest without --out: the recorded name
  t.is(rerunDir({name: 'run-ramp-499', manifest: {scenario: 'ramp', parameters: {}}, summary: {}, samples: []}), 'run-ramp-499');
});

test('overhead: runs the kernel skipped are said beside bpftrace\'s lost events, by measurement', async (t) => {
  const run = structuredClone(await loadRun(dir));
  const withRuns = (runs: Record<string, {eventsMissed: number | null}>) => runReport({...run, summary: {...run.summary, runs}}, []);
  const missed = withRuns({connections: {eventsMissed: 0}, slab: {eventsMissed: 4}, receiveLookup: {eventsMissed: 385}});
  t.regex(missed, /bpftrace reported 0 lost events\.\nThe kernel skipped runs of the probes' programs \(recursion_misses: [^)]*\): slab 4 and receiveLookup 385;/);
  t.regex(withRuns({connections: {eventsMissed: 0}, slab: {eventsMissed: null}}), /The kernel skipped no run of the probes' programs \(this kernel does not say for slab\)\./);
  t.regex(withRuns({slab: {eventsMissed: null}}), /This kernel does not say whether it skipped runs/);
  // a run recorded before runs were: nothing claimed either way
  t.notRegex(runReport(run, []), /skipped/);
});

test('evidence: a null number with a why beside it reads "not measured (why)", never "none"; other nulls stay "none"', (t) => {
  t.is(evidenceText({twRecycled: 10, kernelReused: null, kernelReusedWhy: 'no function probe served timeWait'}), 'tw recycled 10, kernel reused not measured (no function probe served timeWait)');
  // measured: the why (null) is left out
  t.is(evidenceText({kernelReused: 10, kernelReusedWhy: null}), 'kernel reused 10');
  t.is(evidenceText({stoppedBy: null}), 'stopped by none');
});

test('findings: connections all closed by the run (each handed to TIME_WAIT) are not said to hold slab', async (t) => {
  const run = structuredClone(await loadRun(dir));
  const est = run.summary.connections.established;
  const held = runReport(run, []);
  t.regex(held, new RegExp(`${est} connections held [0-9.]+ [kM]B of slab`));
  const closed = runReport({...run, summary: {...run.summary, kernel: {...run.summary.kernel, timeWait: {entered: est, reused: null}}}}, []);
  t.notRegex(closed, /connections held/);
  t.regex(closed, new RegExp(`${est} connections were made and closed \\(each handed to TIME_WAIT\\); slab the lab's tasks still held at the end: .* per connection made \\(TCP .*\\); not a connection's cost\\.`));
});
