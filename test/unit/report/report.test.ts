// The report of a recorded fixture run (a real 499-connection ramp on Linux 6.18): markdown as a snapshot,
// charts as well-formed SVG with their series.
import test from 'ava';
import {join} from 'node:path';
import {cpSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {loadRun} from '../../../src/report/load.js';
import {runCharts} from '../../../src/report/charts.js';
import {comparisonReport, runReport} from '../../../src/report/markdown.js';
import {renderSvg} from '../../../src/report/svg.js';
import {FIXTURES} from '../../helpers/paths.js';
import {XMLValidator} from 'fast-xml-parser';

const dir = join(FIXTURES, 'run-ramp-499');

test('the markdown report reads as a document (snapshot)', async (t) => {
  const run = await loadRun(dir);
  const md = runReport(run, runCharts(run).map((c) => ({title: c.title, file: `charts/${c.name}.svg`})));
  t.snapshot(md);
  t.regex(md, /\| established \(client side\) \| 499 \| 499 \|/);
});

test('comparing a run with itself gives equal columns', async (t) => {
  const run = await loadRun(dir);
  const md = comparisonReport(run, run);
  t.regex(md, /\| connections established \| 499 \| 499 \|/);
  t.snapshot(md);
});

test('every chart renders to well-formed SVG holding its series', async (t) => {
  const run = await loadRun(dir);
  const charts = runCharts(run);
  t.deepEqual(charts.map((c) => c.name), ['connections-slab', 'slab-by-cache', 'latency', 'ports']);
  const svgs = await Promise.all(charts.map((c) => renderSvg(c.spec)));
  for (const svg of svgs) {
    t.true(svg.startsWith('<svg'), svg.slice(0, 40));
    t.true(svg.trimEnd().endsWith('</svg>'));
    t.is(XMLValidator.validate(svg), true);
  }
  t.true(svgs[0]!.includes('connections (generator)') && svgs[0]!.includes('connections (kernel)') && svgs[0]!.includes('slab held (MiB)'));
  t.true(svgs[1]!.includes('sock_inode_cache') && svgs[1]!.includes('TCP'));
  t.true(svgs[2]!.includes('socket()') && svgs[2]!.includes('connect()'));
  t.true(svgs[3]!.includes(':12000'));
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
