// Only places widgets on the grid: a full layout for large terminals, two pages for small ones (80x24).
import blessed from 'blessed';
import contrib from 'blessed-contrib';

// The widgets of one page; a panel not on the current page is absent.
export type Widgets = {
  connections?: any;
  slab?: any;
  ports?: any;
  socket?: any;
  receive?: any;
  limits?: any;
  plan?: any;
  status: blessed.Widgets.BoxElement;
};

// True when the terminal is large enough for every panel at once.
export function isLarge(screen: blessed.Widgets.Screen): boolean {
  return Number(screen.width) >= 120 && Number(screen.height) >= 36;
}

const line = (title: string) => ({label: ` ${title} `, showLegend: true, legend: {width: 12}, wholeNumbersOnly: true, style: {line: 'yellow', text: 'green', baseline: 'white'}, xLabelPadding: 3, xPadding: 5});
const table = (title: string, columnWidth: number[]) => ({label: ` ${title} `, keys: false, interactive: false, fg: 'white', columnSpacing: 2, columnWidth});
const SLAB_COLUMNS = [27, 8];
const PORT_COLUMNS = [16, 11, 5];
const LIMIT_COLUMNS = [20, 12, 5];
const box = (title: string) => ({label: ` ${title} `, tags: false, border: {type: 'line' as const}, style: {border: {fg: 'cyan'}}});
const bar = (title: string) => ({label: ` ${title} `, barWidth: 6, barSpacing: 9, xOffset: 1, maxHeight: 9});

// Build page `page` (0 or 1; the large layout has one page) and return its widgets.
export function buildLayout(screen: blessed.Widgets.Screen, page: number): Widgets {
  const grid = new contrib.grid({rows: 23, cols: 12, screen});
  // the status line sits under the grid, without a border (a bordered box of height 1 shows nothing)
  const status = blessed.box({parent: screen, bottom: 0, left: 0, width: '100%', height: 1, tags: false, style: {fg: 'black', bg: 'cyan'}});
  if (isLarge(screen)) {
    return {
      connections: grid.set(0, 0, 8, 7, contrib.line, line('Connections & kernel memory')),
      slab: grid.set(0, 7, 8, 5, contrib.table, table('Slab per connection, by cache', SLAB_COLUMNS)),
      ports: grid.set(8, 0, 7, 5, contrib.table, table('Port allocation', PORT_COLUMNS)),
      socket: grid.set(8, 5, 7, 4, contrib.bar, bar('Socket creation: socket() latency')),
      receive: grid.set(8, 9, 7, 3, blessed.box, box('Receive lookups')),
      limits: grid.set(15, 0, 8, 5, contrib.table, table('Limits', LIMIT_COLUMNS)),
      plan: grid.set(15, 5, 8, 7, blessed.box, box('Probe plan & events')),
      status,
    };
  }
  if (page === 0) {
    return {
      connections: grid.set(0, 0, 12, 12, contrib.line, line('Connections & kernel memory')),
      slab: grid.set(12, 0, 11, 6, contrib.table, table('Slab per connection', SLAB_COLUMNS)),
      ports: grid.set(12, 6, 11, 6, contrib.table, table('Port allocation', PORT_COLUMNS)),
      status,
    };
  }
  return {
    socket: grid.set(0, 0, 11, 6, contrib.bar, bar('socket() latency')),
    receive: grid.set(0, 6, 11, 6, blessed.box, box('Receive lookups')),
    limits: grid.set(11, 0, 12, 6, contrib.table, table('Limits', LIMIT_COLUMNS)),
    plan: grid.set(11, 6, 12, 6, blessed.box, box('Probe plan & events')),
    status,
  };
}
