/**
 * The book's figure of validation accuracy against epochs, one
 * line per model, as a Vega-Lite chart rendered to SVG by the same `renderSvg` the Trainer's loss
 * plot uses.
 */
import { renderSvg, saveFile, type VegaLiteSpec } from 'graphgrad';

/** One model's accuracy after each epoch (a fraction, epoch 1 first). */
export interface AccuracySeries {
  readonly name: string;
  readonly accuracy: readonly number[];
}

/** The chart: accuracy in percent against the epoch, a coloured line with points per series. */
export function accuracySpec(title: string, series: readonly AccuracySeries[]): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 300,
    background: 'white',
    data: {
      values: series.flatMap(({ name, accuracy }) =>
        accuracy.map((a, i) => ({ model: name, epoch: i + 1, accuracy: a * 100 })),
      ),
    },
    mark: { type: 'line', point: true, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: {
        field: 'accuracy',
        type: 'quantitative',
        title: 'validation accuracy (%)',
        scale: { domain: [0, 100] },
      },
      color: { field: 'model', type: 'nominal', sort: series.map((s) => s.name), title: null },
    },
  };
}

/** Writes the chart as an SVG file at `path` and returns its absolute path. */
export async function plotAccuracy(path: string, title: string, series: readonly AccuracySeries[]): Promise<string> {
  return saveFile(path, await renderSvg(accuracySpec(title, series)));
}
