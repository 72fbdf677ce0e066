import { ArgumentError, describeValue } from '@graphgrad/core';
import type { VegaLiteSpec } from './render-svg.ts';

/**
 * The book's loss plot as a Vega-Lite chart: the mean loss of each evaluation interval against
 * the interval's number, the x axis labelled `iterations (x<evalInterval>)`.
 *
 * @example
 * const svg = await renderSvg(lossCurveSpec(trainer.lossList, 10));
 */
export function lossCurveSpec(lossList: readonly number[], evalInterval: number): VegaLiteSpec {
  if (!Array.isArray(lossList) || !lossList.every((loss) => typeof loss === 'number'))
    throw new ArgumentError(`lossCurveSpec: lossList must be an array of numbers, got ${describeValue(lossList)}`);
  if (!Number.isInteger(evalInterval) || evalInterval < 1)
    throw new ArgumentError(`lossCurveSpec: evalInterval must be an integer ≥ 1, got ${describeValue(evalInterval)}`);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Training loss',
    width: 480,
    height: 300,
    background: 'white',
    data: { values: lossList.map((loss, i) => ({ iteration: i, loss })) },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'iteration', type: 'quantitative', title: `iterations (x${evalInterval})` },
      y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: true } },
    },
  };
}
