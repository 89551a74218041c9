// `tcp-trace report DIR [DIR2]`: markdown (and HTML) with SVG charts from recorded runs; no root needed.
import {flagString, type FlagValues} from '../options.js';
import {mkdir, writeFile} from 'node:fs/promises';
import {basename, join} from 'node:path';
import {UsageError} from '../errors.js';
import {loadRun} from '../report/load.js';
import {runCharts} from '../report/charts.js';
import {comparisonReport, runReport} from '../report/markdown.js';
import {renderSvg} from '../report/svg.js';

// A minimal HTML page around the markdown's content (tables stay as text; charts are embedded).
function htmlPage(title: string, markdown: string, svgs: string[]): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<!doctype html><meta charset="utf-8"><title>${escape(title)}</title><pre>${escape(markdown)}</pre>${svgs.join('\n')}\n`;
}

// Write the report(s); exit 0.
export async function run({values, positionals}: {values: FlagValues; positionals: string[]}): Promise<number> {
  const format = flagString(values, 'format') ?? 'md';
  if (format !== 'md' && format !== 'html') throw new UsageError(`Expected \`--format\` to be md or html, got \`${format}\``);
  if (positionals.length === 0 || positionals.length > 2) {
    throw new UsageError(`\`tcp-trace report\` takes one run directory (or two to compare), got ${positionals.length}: e.g. tcp-trace report tcp-trace-runs/<time>-ramp`);
  }
  const runs = await Promise.all(positionals.map(loadRun));
  const out = flagString(values, 'out') ?? positionals[0]!;
  await mkdir(join(out, 'charts'), {recursive: true});
  if (runs.length === 2) {
    const md = comparisonReport(runs[0]!, runs[1]!);
    const file = join(out, `compare-${basename(positionals[1]!)}.md`);
    await writeFile(file, md);
    process.stdout.write(`${file}\n`);
    return 0;
  }
  const run = runs[0]!;
  const charts = runCharts(run);
  const svgs = await Promise.all(charts.map((c) => renderSvg(c.spec)));
  await Promise.all(charts.map((c, i) => writeFile(join(out, 'charts', `${c.name}.svg`), svgs[i]!)));
  const md = runReport(run, charts.map((c) => ({title: c.title, file: `charts/${c.name}.svg`})));
  await writeFile(join(out, 'report.md'), md);
  process.stdout.write(`${join(out, 'report.md')}\n`);
  if (format === 'html') {
    await writeFile(join(out, 'report.html'), htmlPage(run.name, md, svgs));
    process.stdout.write(`${join(out, 'report.html')}\n`);
  }
  for (const c of charts) process.stdout.write(`${join(out, 'charts', `${c.name}.svg`)}\n`);
  return 0;
}
