// Where a run's progress goes: JSON lines (headless) or a compact live text view (terminal).
import type {Sample} from '../correlate/sample.js';
import type {Summary} from '../correlate/summary.js';
import {statusLine, summaryLines} from '../dashboard/text-view.js';

// The sink of a run's notes, samples and summary.
export type RunView = {note: (text: string) => void; sample: (s: Sample) => void; summary: (s: Summary) => void; close: () => void};

// Headless: one JSON object per line on stdout; terminal: status lines, then the summary as text.
export function createView(headless: boolean, requested: number): RunView {
  if (headless) {
    const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
    return {note: (text) => out({type: 'note', text}), sample: out, summary: out, close: () => undefined};
  }
  return {
    note: (text) => process.stdout.write(`${text}\n`),
    sample: (s) => process.stdout.write(`${statusLine(s, requested)}\n`),
    summary: (s) => process.stdout.write(`${summaryLines(s).join('\n')}\n`),
    close: () => undefined,
  };
}
