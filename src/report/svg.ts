// Render a vega-lite specification to SVG text in Node (no browser, no canvas), and SVG to PNG (resvg, no browser).
import * as vega from 'vega';
import {compile} from 'vega-lite';
import {Resvg} from '@resvg/resvg-js';

// The SVG of spec.
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const compiled = compile(spec as any).spec;
  const view = new vega.View(vega.parse(compiled), {renderer: 'none'});
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

// The PNG of an SVG at `scale` times its size (2: sharp on high-density screens), drawn with the system's fonts.
export function renderPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: {mode: 'zoom', value: scale},
    background: 'white',
    font: {loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans'},
  });
  return resvg.render().asPng();
}
