/**
 * Chart rendering: Vega-Lite spec → Vega → SVG in Node (vega's headless renderer, no canvas),
 * and SVG → PNG with resvg. resvg draws text only with fonts it can load: it uses the system's
 * (Debian `fonts-dejavu-core`), DejaVu Sans first.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type ChartSpec = TopLevelSpec;

/** The font every chart asks for; the HTML page and the PNGs fall back along this list. */
export const CHART_FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';

/** Colours shared by the hardness histogram and the toy, so a group looks the same everywhere. */
export const GROUP_COLORS = {
  queue: '#9a9a9a',
  hardest: '#d62728',
  mixed: '#1f77b4',
  query_mixed: '#ff7f0e',
  positive: '#2ca02c',
  query: '#000000',
} as const;

/** Adds the shared look (font, white background) to a spec. */
export function withTheme(spec: ChartSpec): ChartSpec {
  const config = {
    font: CHART_FONT,
    background: 'white',
    title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start' as const },
    ...(spec.config ?? {}),
  };
  return { ...spec, config } as ChartSpec;
}

/** Renders a Vega-Lite spec to a standalone SVG string. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(withTheme(spec)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG to PNG bytes at `scale` × its size. */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
  });
  return resvg.render().asPng();
}
