/**
 * The book's attention map (`ch08/visualize_attention.py`): for one question, the
 * attention weights of every answer character over the question's characters, as a grey heat map
 * with the question across and the answer down (the book's `Greys_r`: weight 0 black, 1 white).
 * Several questions are stacked in one SVG: a Vega-Lite `rect` chart each, rendered like the
 * Trainer's loss plot.
 */
import { renderSvg, saveFile, type VegaLiteSpec } from 'graphgrad';

/** One question's attention map. */
export interface AttentionMap {
  /** The question's characters, in reading order (across). */
  readonly input: readonly string[];
  /** The answer's characters (down). */
  readonly output: readonly string[];
  /** `weights[o][i]`: the weight of input character i when output character o was written. */
  readonly weights: readonly (readonly number[])[];
}

// NOTE: positions, not characters, are the axes' values (a question repeats characters: the two 1s
// of "1994"); each label shows the character after the position's "<i>:". A blank shows as ␣.
const label = (i: number, c: string): string => `${String(i).padStart(2, '0')}:${c === ' ' ? '␣' : c}`;
const labelExpr = "substring(datum.value, indexof(datum.value, ':') + 1)";

/** The stacked heat maps as a Vega-Lite specification. */
export function attentionMapSpec(maps: readonly AttentionMap[]): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Attention weights: question across, answer down',
    background: 'white',
    vconcat: maps.map(({ input, output, weights }) => ({
      title: `${input.join('').trimEnd()} → ${output.join('').trimEnd()}`,
      width: input.length * 14,
      height: output.length * 14,
      data: {
        values: weights.flatMap((row, o) =>
          row.map((weight, i) => ({ input: label(i, input[i]), output: label(o, output[o]), weight })),
        ),
      },
      mark: 'rect',
      encoding: {
        x: { field: 'input', type: 'ordinal', title: null, axis: { labelExpr, labelAngle: 0 } },
        y: { field: 'output', type: 'ordinal', title: null, axis: { labelExpr } },
        color: {
          field: 'weight',
          type: 'quantitative',
          title: 'weight',
          scale: { scheme: 'greys', reverse: true, domain: [0, 1] },
        },
      },
    })),
  };
}

/** Writes the heat maps as an SVG file at `path` and returns its absolute path. */
export async function plotAttention(path: string, maps: readonly AttentionMap[]): Promise<string> {
  return saveFile(path, await renderSvg(attentionMapSpec(maps)));
}
