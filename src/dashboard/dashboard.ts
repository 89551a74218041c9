// The live dashboard: redraws the panels on a timer from the latest live state; keys q, p, s, ?, Tab.
import blessed from 'blessed';
import type {LiveState} from '../correlate/live.js';
import type {Sample} from '../correlate/sample.js';
import type {Summary} from '../correlate/summary.js';
import {buildLayout, isLarge, type Widgets} from './layout.js';
import * as panels from './panels.js';
import * as vm from './view-models.js';
import {countText} from '../report/units.js';

// What the dashboard asks of the run.
export type DashboardHooks = {
  refreshMs: number;
  onStop: (why: string) => void;
  onPause: (paused: boolean) => void;
  // write the current view-models into the run directory; returns the file written
  onSnapshot: (data: unknown) => string | null;
};

const HISTORY = 120;
const HELP = 'q / Ctrl-C  stop the run (and quit once it is done)\np           pause / resume the ramp\ns           snapshot this view into the run directory\nTab         next page (small terminals)\n?           this help';

// The dashboard's view-models for the current state (what a snapshot records).
export function dashboardModel(history: Sample[], live: LiveState | null) {
  return {
    connections: vm.connectionsView(history, live),
    slab: vm.slabView(live, live?.slabSites ?? {}),
    ports: vm.portsView(live),
    socket: vm.socketView(live),
    receive: vm.receiveView(history, live),
    limits: vm.limitsView(live),
    plan: vm.planView(live),
  };
}

// Open the dashboard on the terminal.
export function createDashboard(hooks: DashboardHooks) {
  const screen = blessed.screen({smartCSR: true, title: 'tcp-trace', autoPadding: true});
  let page = 0;
  let widgets: Widgets = buildLayout(screen, page);
  const history: Sample[] = [];
  let live: LiveState | null = null;
  let summary: Summary | null = null;
  let paused = false;
  let flash = '';
  let quit!: () => void;
  const quitted = new Promise<void>((resolve) => (quit = resolve));
  const events: string[] = [];

  const rebuild = () => {
    for (const child of [...screen.children]) child.destroy();
    widgets = buildLayout(screen, page);
    draw();
  };

  const draw = () => {
    const m = dashboardModel(history, live ? {...live, events} : null);
    try {
      panels.drawConnections(widgets, m.connections);
      panels.drawSlab(widgets, m.slab);
      panels.drawPorts(widgets, m.ports);
      panels.drawSocket(widgets, m.socket);
      panels.drawReceive(widgets, m.receive);
      panels.drawLimits(widgets, m.limits);
      panels.drawPlan(widgets, live ? m.plan : {state: 'ok', rows: [], events: events.slice(-20)});
    } catch {
      // a canvas too small to draw on (terminal being resized): the next tick redraws
    }
    const phase = summary ? 'done' : (live?.phase ?? 'starting');
    const count = live ? `${countText(live.generator.established)}/${countText(live.requested)} established` : '';
    const keys = summary ? 'q quit' : 'q stop  p pause  s snapshot  ? help';
    const short = summary ? 'q quit' : 'q p s ?';
    const paging = isLarge(screen) ? '' : `  Tab page ${page + 1}/2`;
    widgets.status.setContent(panels.statusLine({phase, count, keys, short, paging, flash}, Number(screen.width)));
    screen.render();
  };

  const timer = setInterval(draw, hooks.refreshMs);
  screen.key(['q', 'C-c'], () => {
    if (summary) quit();
    else hooks.onStop('q');
  });
  screen.key(['p'], () => {
    if (summary) return;
    paused = !paused;
    hooks.onPause(paused);
    flash = paused ? 'paused' : 'resumed';
  });
  screen.key(['s'], () => {
    const file = hooks.onSnapshot(dashboardModel(history, live ? {...live, events} : null));
    flash = file ? `snapshot: ${file}` : 'no run directory';
    draw();
  });
  screen.key(['?'], () => {
    const box = blessed.message({parent: screen, border: 'line', top: 'center', left: 'center', width: 60, height: 9, label: ' help '});
    box.display(HELP, 0, () => box.destroy());
  });
  screen.key(['tab'], () => {
    page = (page + 1) % 2;
    rebuild();
  });
  screen.on('resize', rebuild);
  draw();

  return {
    note: (text: string) => {
      if (text.startsWith('plan: ')) return; // the plan panel shows the plan itself
      events.push(text);
      if (events.length > 200) events.splice(0, events.length - 200);
    },
    update: (state: LiveState) => {
      live = state;
      for (const e of state.events) events.push(e);
      history.push(state.sample);
      if (history.length > HISTORY) history.shift();
    },
    summary: (s: Summary) => {
      summary = s;
      draw();
    },
    // resolves when the user quits after the run is done
    finished: () => quitted,
    // a terminal that is gone (tmux killed, ssh dropped: EIO) cannot be restored; the run's undo must go on
    close: () => {
      clearInterval(timer);
      try {
        screen.destroy();
      } catch {
        // nothing to restore on a closed terminal
      }
    },
  };
}
