// Where a run's progress goes: JSON lines (headless, or stdout not a terminal) or the live dashboard.
import type {LiveState} from '../correlate/live.js';
import type {Summary} from '../correlate/summary.js';
import {summaryLines} from '../dashboard/text-view.js';
import type {DashboardHooks} from '../dashboard/dashboard.js';

// The sink of a run's notes, live states and summary.
export type RunView = {
  // JSON lines, no dashboard
  headless: boolean;
  note: (text: string) => void;
  update: (live: LiveState) => void;
  summary: (s: Summary) => void;
  // resolves when the user is done looking (the dashboard waits for q; headless does not wait)
  finished: () => Promise<void>;
  close: () => void;
};

// Headless: one JSON object per line on stdout; a sample's line is line(live) (default: the sample itself).
export function headlessView(line: (live: LiveState) => object = (live) => live.sample): RunView {
  const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  return {
    headless: true,
    note: (text) => out({type: 'note', text}),
    update: (live) => out(line(live)),
    summary: out,
    finished: async () => undefined,
    close: () => undefined,
  };
}

// The dashboard; on close the summary is printed as text on the restored terminal. Its modules (blessed,
// blessed-contrib: ~0.15 s to load) are loaded here, so that a headless run never loads them.
export async function dashboardView(hooks: DashboardHooks): Promise<RunView> {
  const {createDashboard} = await import('../dashboard/dashboard.js');
  const d = createDashboard(hooks);
  let last: Summary | null = null;
  let closed = false;
  return {
    ...d,
    headless: false,
    summary: (s) => {
      last = s;
      d.summary(s);
    },
    close: () => {
      if (closed) return;
      closed = true;
      d.close();
      if (last) process.stdout.write(`${summaryLines(last).join('\n')}\n`);
    },
  };
}
