import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A Vega-Lite specification (re-exported so that callers need not depend on vega-lite). */
export type VegaLiteSpec = TopLevelSpec;

/**
 * Renders a Vega-Lite chart to an SVG document, headlessly (no DOM, no canvas): works in Node.js
 * and in a browser alike.
 *
 * @example
 * const svg = await renderSvg({ data: { values: [{ x: 0, y: 1 }] }, mark: 'point',
 *   encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
