// `tcp-trace report DIR [DIR2]`: markdown (and HTML) with charts (vega-lite spec, SVG, PNG) from recorded runs; no root needed.
import {flagString, type FlagValues} from '../options.js';
import {mkdir, writeFile} from 'node:fs/promises';
import {basename, join} from 'node:path';
import {marked} from 'marked';
import {UsageError} from '../errors.js';
import {loadRun} from '../report/load.js';
import {runCharts, type Chart} from '../report/charts.js';
import {comparisonReport, runReport} from '../report/markdown.js';
import {renderPng, renderSvg} from '../report/svg.js';

// An HTML page of the markdown (tables as tables, charts as the SVG files beside it).
export function htmlPage(title: string, markdown: string): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const style = 'body{font-family:DejaVu Sans,Verdana,sans-serif;max-width:760px;margin:2em auto;line-height:1.45}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}img{max-width:100%}code,pre{background:#f4f4f4}';
  return `<!doctype html>\n<meta charset="utf-8">\n<title>${escape(title)}</title>\n<style>${style}</style>\n${marked.parse(markdown, {async: false}) as string}\n`;
}

// Each chart's files in `dir`/charts: NAME.vl.json (the spec), NAME.svg and NAME.png; returns the paths written.
async function writeCharts(dir: string, prefix: string, charts: Chart[]): Promise<string[]> {
  await mkdir(join(dir, 'charts'), {recursive: true});
  const files: string[] = [];
  for (const c of charts) {
    const svg = await renderSvg(c.spec);
    const base = join(dir, 'charts', `${prefix}${c.name}`);
    await writeFile(`${base}.vl.json`, `${JSON.stringify(c.spec, null, 2)}\n`);
    await writeFile(`${base}.svg`, svg);
    await writeFile(`${base}.png`, renderPng(svg));
    files.push(`${base}.vl.json`, `${base}.svg`, `${base}.png`);
  }
  return files;
}

// Write the report(s); exit 0.
export async function run({values, positionals}: {values: FlagValues; positionals: string[]}): Promise<number> {
  const format = flagString(values, 'format') ?? 'md';
  if (format !== 'md' && format !== 'html') throw new UsageError(`Expected \`--format\` to be md or html, got \`${format}\``);
  if (positionals.length === 0 || positionals.length > 2) {
    throw new UsageError(`\`tcp-trace report\` takes one run directory (or two to compare), got ${positionals.length}: e.g. tcp-trace report tcp-trace-runs/<time>-ramp`);
  }
  const runs = await Promise.all(positionals.map(loadRun));
  if (runs.length === 2 && runs[0]!.name === runs[1]!.name) {
    throw new UsageError(`Both run directories are named \`${runs[0]!.name}\`: give two different runs to compare`);
  }
  const out = flagString(values, 'out') ?? positionals[0]!;
  const written: string[] = [];
  let md: string;
  let stem: string;
  let title: string;
  const charts = runCharts(runs);
  if (runs.length === 2) {
    stem = `compare-${basename(positionals[1]!)}`;
    title = `${runs[0]!.name} vs ${runs[1]!.name}`;
    written.push(...(await writeCharts(out, `${stem}-`, charts)));
    md = comparisonReport(runs[0]!, runs[1]!, charts.map((c) => ({title: c.title, file: `charts/${stem}-${c.name}.svg`})));
  } else {
    stem = 'report';
    title = runs[0]!.name;
    written.push(...(await writeCharts(out, '', charts)));
    md = runReport(runs[0]!, charts.map((c) => ({title: c.title, file: `charts/${c.name}.svg`})));
  }
  await writeFile(join(out, `${stem}.md`), md);
  process.stdout.write(`${join(out, `${stem}.md`)}\n`);
  if (format === 'html') {
    await writeFile(join(out, `${stem}.html`), htmlPage(title, md));
    process.stdout.write(`${join(out, `${stem}.html`)}\n`);
  }
  for (const f of written) process.stdout.write(`${f}\n`);
  return 0;
}
