// The committed example runs (docs/examples/<scenario>/, made by docs/examples/make-examples.mjs from real runs)
// still render to exactly their committed report, chart specs and SVGs.
import test from 'ava';
import {existsSync, readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {loadRun} from '../../../src/report/load.js';
import {runCharts} from '../../../src/report/charts.js';
import {runReport} from '../../../src/report/markdown.js';
import {renderSvg} from '../../../src/report/svg.js';
import {SCENARIO_NAMES} from '../../../src/scenarios/defaults.js';
import {ROOT} from '../../helpers/paths.js';

const EXAMPLES = join(ROOT, 'docs', 'examples');
const dirs = existsSync(EXAMPLES) ? readdirSync(EXAMPLES).filter((d) => existsSync(join(EXAMPLES, d, 'manifest.json'))) : [];

test('there is an example run for every scenario', (t) => {
  t.deepEqual([...dirs].sort(), [...SCENARIO_NAMES].sort());
});

for (const name of dirs) {
  test(`example ${name}: report.md, chart specs and SVGs render as committed`, async (t) => {
    const dir = join(EXAMPLES, name);
    const run = await loadRun(dir);
    const charts = runCharts(run);
    t.is(runReport(run, charts.map((c) => ({title: c.title, file: `charts/${c.name}.svg`}))), readFileSync(join(dir, 'report.md'), 'utf8'));
    for (const c of charts) {
      t.deepEqual(c.spec, JSON.parse(readFileSync(join(dir, 'charts', `${c.name}.vl.json`), 'utf8')), `${c.name}.vl.json`);
      t.is(await renderSvg(c.spec), readFileSync(join(dir, 'charts', `${c.name}.svg`), 'utf8'), `${c.name}.svg`);
    }
  });
}
