// Render a vega-lite specification to SVG text in Node (no browser, no canvas).
import * as vega from 'vega';
import {compile} from 'vega-lite';

// The SVG of spec.
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const compiled = compile(spec as any).spec;
  const view = new vega.View(vega.parse(compiled), {renderer: 'none'});
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
