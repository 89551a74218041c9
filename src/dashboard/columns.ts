// Pure text layout of a panel: columns sized from their content, numbers right-aligned, names cut with an ellipsis.
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

// How a column behaves when the table is too wide: numbers never shrink; names shrink, highest `shrink` first.
export type Column = {
  align: 'left' | 'right';
  // 0 (or absent): never cut; otherwise the order in which columns are cut (higher first)
  shrink?: number;
  // narrowest a cut column gets (ellipsis included)
  min?: number;
  // dropped whole when cutting every shrinkable column to its minimum is not enough
  optional?: boolean;
};

// Spaces between two columns: two, so that a number never reads as part of its neighbour.
export const GAP = 2;

const pad = (text: string, width: number, align: 'left' | 'right') => {
  const room = Math.max(0, width - stringWidth(text));
  return align === 'right' ? ' '.repeat(room) + text : text + ' '.repeat(room);
};

// `text` cut to `width` columns with an ellipsis at the end when it does not fit.
export function fitLine(text: string, width: number): string {
  if (width <= 0) return '';
  return stringWidth(text) <= width ? text : cliTruncate(text, width, {position: 'end'});
}

// `text` wrapped at words to lines of at most `width` columns (a word longer than a line is broken).
export function wrapLines(text: string, width: number): string[] {
  if (width <= 0) return [];
  return wrapAnsi(text, width, {hard: true, trim: true}).split('\n');
}

// The widths of the columns that fit `width` (0 for a column dropped), from the content of every row.
export function columnWidths(rows: string[][], columns: Column[], width: number): number[] {
  const widths = columns.map((_, i) => Math.max(0, ...rows.map((r) => stringWidth(r[i] ?? ''))));
  const shown = () => widths.filter((w) => w > 0);
  const total = () => shown().reduce((a, b) => a + b, 0) + GAP * Math.max(0, shown().length - 1);
  const order = columns.map((c, i) => ({c, i})).filter(({c}) => (c.shrink ?? 0) > 0).sort((a, b) => b.c.shrink! - a.c.shrink!);
  for (const {c, i} of order) {
    const excess = total() - width;
    if (excess <= 0) break;
    const min = Math.min(widths[i]!, c.min ?? 6);
    widths[i] = Math.max(min, widths[i]! - excess);
  }
  for (const {c, i} of order) {
    if (total() <= width) break;
    if (c.optional) widths[i] = 0;
  }
  return widths;
}

// The table as lines of at most `width` columns: a header line (when `headers` is given), then one line per row.
export function fitTable(headers: string[] | null, rows: string[][], columns: Column[], width: number): string[] {
  const all = headers ? [headers, ...rows] : rows;
  const widths = columnWidths(all, columns, width);
  const line = (cells: string[]) =>
    widths
      .flatMap((w, i) => (w > 0 ? [pad(fitLine(cells[i] ?? '', w), w, columns[i]!.align)] : []))
      .join(' '.repeat(GAP))
      .trimEnd();
  // a table that still does not fit (a terminal narrower than its numbers) is cut at the edge, with an ellipsis
  return all.map((cells) => fitLine(line(cells), width));
}

// At most `height` lines: when some are left out, the last one says how many ("… 4 more").
export function fitHeight(lines: string[], height: number, what = 'more'): string[] {
  if (lines.length <= height) return lines;
  if (height <= 0) return [];
  const kept = lines.slice(0, height - 1);
  return [...kept, `… ${lines.length - kept.length} ${what}`];
}
