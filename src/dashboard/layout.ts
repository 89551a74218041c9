// Only places widgets, at the boxes grid.ts computes: a full layout for large terminals, two pages for small ones (80x24).
import blessed from 'blessed';
import contrib from 'blessed-contrib';
import {isLargeSize, panelBoxes, type Box} from './grid.js';

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
  return isLargeSize(Number(screen.width), Number(screen.height));
}

const border = {border: {type: 'line' as const, fg: 'cyan'}, style: {border: {fg: 'cyan'}}};
const line = (title: string) => ({label: ` ${title} `, showLegend: true, legend: {width: 12}, wholeNumbersOnly: true, style: {line: 'yellow', text: 'green', baseline: 'white'}, xLabelPadding: 3, xPadding: 5});
// a text panel: the panels write lines already fitted to its width, so blessed must not wrap them again
const text = (title: string) => ({label: ` ${title} `, tags: false, wrap: false, scrollable: false, style: {fg: 'white', border: {fg: 'cyan'}}});
const bar = (title: string) => ({label: ` ${title} `, barWidth: 6, barSpacing: 9, xOffset: 1, maxHeight: 9});

// Build page `page` (0 or 1; the large layout has one page) and return its widgets.
export function buildLayout(screen: blessed.Widgets.Screen, page: number): Widgets {
  const boxes = panelBoxes(Number(screen.width), Number(screen.height), page);
  const place = (b: Box | undefined, make: (o: any) => any, options: object) => {
    if (!b) return undefined;
    const widget = make({...options, ...border, top: b.top, left: b.left, width: b.width, height: b.height});
    screen.append(widget);
    return widget;
  };
  // the status line sits under the panels, without a border (a bordered box of height 1 shows nothing)
  const status = blessed.box({parent: screen, bottom: 0, left: 0, width: '100%', height: 1, tags: false, style: {fg: 'black', bg: 'cyan'}});
  return {
    connections: place(boxes.connections, contrib.line, line('Connections & kernel memory')),
    slab: place(boxes.slab, blessed.box, text('Slab per connection, by cache')),
    ports: place(boxes.ports, blessed.box, text('Port allocation')),
    socket: place(boxes.socket, contrib.bar, bar('socket() latency')),
    receive: place(boxes.receive, blessed.box, text('Receive lookups')),
    limits: place(boxes.limits, blessed.box, text('Limits')),
    plan: place(boxes.plan, blessed.box, text('Probe plan & events')),
    status,
  };
}
