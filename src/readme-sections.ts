// README's generated sections: each command's flags (from src/flags.ts) and the summary's FIELDS (from
// src/correlate/summary-fields.ts), between `<!-- name -->` and `<!-- /name -->` markers. scripts/readme.mjs
// rewrites README.md with them; a unit test fails when README.md differs.
import {COMMAND_NAMES, flagsOf, metavarOf} from './flags.js';
import {RUN_SUMMARY_FIELDS, TRACE_SUMMARY_FIELDS, type FieldDoc} from './correlate/summary-fields.js';

// A table cell: a `|` escaped, so that it does not end the cell.
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

// A table row of cells (an empty one stays `| |`).
function row(cells: string[]): string {
  return `|${cells.map((c) => (c === '' ? ' ' : ` ${c} `)).join('|')}|`;
}

// A command's flags as a markdown table (--help left out: every command has it).
export function flagsTable(command: string): string {
  const rows = flagsOf(command)
    .filter((f) => f.name !== 'help')
    .map((f) => row([cell(`\`--${`${f.name} ${metavarOf(f)}`.trim()}\``), cell(f.default), cell(f.unit), cell(f.description)]));
  return ['| flag | default | unit | what it does |', '|---|---|---|---|', ...rows].join('\n');
}

// A FIELDS table: paths in code, a sibling path (starting with `.`) after ` / `, another after `, `.
export function fieldsTable(docs: FieldDoc[]): string {
  const rows = docs.map((d) => {
    const fields = d.fields.map((p, i) => `${i === 0 ? '' : p.startsWith('.') ? ' / ' : ', '}\`${p}\``).join('');
    return row([cell(fields), cell(d.unit), d.meaning]);
  });
  return ['| field | unit | meaning |', '|---|---|---|', ...rows].join('\n');
}

// Every generated section by its marker name.
export function readmeSections(): Record<string, string> {
  const flags = COMMAND_NAMES.filter((c) => flagsOf(c).some((f) => f.name !== 'help')).map((c) => [`flags:${c}`, flagsTable(c)]);
  return {...Object.fromEntries(flags), 'fields:summary': fieldsTable(RUN_SUMMARY_FIELDS), 'fields:trace': fieldsTable(TRACE_SUMMARY_FIELDS)};
}

// README's text with every generated section written afresh; `missing` names the sections it has no markers for.
export function regenerateReadme(text: string): {text: string; missing: string[]} {
  const sections = readmeSections();
  const seen = new Set<string>();
  const out = text.replace(/<!-- ([\w:-]+) -->\n[\s\S]*?<!-- \/\1 -->/g, (whole, name: string) => {
    const body = sections[name];
    if (body === undefined) throw new Error(`README.md has a marker <!-- ${name} --> that nothing generates: one of ${Object.keys(sections).join(', ')}`);
    seen.add(name);
    return `<!-- ${name} -->\n${body}\n<!-- /${name} -->`;
  });
  return {text: out, missing: Object.keys(sections).filter((n) => !seen.has(n))};
}
