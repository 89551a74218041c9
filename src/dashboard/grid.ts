// Pure geometry of the dashboard: where each panel sits at a terminal size (no blessed here, so tests can use it).

// A panel's place in terminal cells, border included.
export type Box = {top: number; left: number; width: number; height: number};

// The panels, in the order they are drawn.
export const PANELS = ['connections', 'slab', 'ports', 'socket', 'receive', 'limits', 'plan'] as const;
export type PanelName = (typeof PANELS)[number];

// True when a terminal of cols x rows shows every panel at once (otherwise two pages, Tab).
export function isLargeSize(cols: number, rows: number): boolean {
  return cols >= 120 && rows >= 36;
}

// [row, col, rowSpan, colSpan] on a 23 x 12 grid, per layout and page.
const LARGE: Partial<Record<PanelName, [number, number, number, number]>> = {
  connections: [0, 0, 8, 7],
  slab: [0, 7, 8, 5],
  ports: [8, 0, 7, 5],
  socket: [8, 5, 7, 4],
  receive: [8, 9, 7, 3],
  limits: [15, 0, 8, 5],
  plan: [15, 5, 8, 7],
};
const SMALL: Array<Partial<Record<PanelName, [number, number, number, number]>>> = [
  {connections: [0, 0, 12, 12], slab: [12, 0, 11, 6], ports: [12, 6, 11, 6]},
  {socket: [0, 0, 11, 6], receive: [0, 6, 11, 6], limits: [11, 0, 12, 6], plan: [11, 6, 12, 6]},
];

// Each panel's box on page `page` of a cols x rows terminal; the last row is the status line.
export function panelBoxes(cols: number, rows: number, page: number): Partial<Record<PanelName, Box>> {
  const cells = isLargeSize(cols, rows) ? LARGE : SMALL[page % 2]!;
  const height = Math.max(1, rows - 1);
  const y = (r: number) => Math.floor((r * height) / 23);
  const x = (c: number) => Math.floor((c * cols) / 12);
  const out: Partial<Record<PanelName, Box>> = {};
  for (const [name, [r, c, rs, cs]] of Object.entries(cells) as Array<[PanelName, [number, number, number, number]]>) {
    out[name] = {top: y(r), left: x(c), width: x(c + cs) - x(c), height: y(r + rs) - y(r)};
  }
  return out;
}

// The text area inside a box's border.
export function innerSize(box: Box): {width: number; height: number} {
  return {width: Math.max(0, box.width - 2), height: Math.max(0, box.height - 2)};
}
