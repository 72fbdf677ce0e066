import { ArgumentError, formatShape, ShapeError, tensor, type Generator, type Tensor } from '@graphgrad/core';
import { samplingGenerator, type SamplingOptions } from './host-sampling.ts';
import { requireFloat, requireInteger, requireOptions } from './validate.ts';

/** The most samples one call draws per row (they are drawn one by one on the host). */
const MAX_SAMPLES = 2 ** 24;

/** Options of `multinomial`. */
export interface MultinomialOptions extends SamplingOptions {
  /** Draw with replacement (default false: each row's samples are distinct categories, as PyTorch). */
  readonly replacement?: boolean;
}

/**
 * Category indices drawn from the non-negative `weights` (one distribution per row; they need not
 * sum to 1), like `torch.multinomial`: int32 `[numSamples]` for a `[K]` input, `[N, numSamples]`
 * for `[N, K]`, on the weights' backend. Without replacement each row gives distinct categories,
 * drawn one after another from the weights left.
 *
 * Asynchronous, because the weights are read back: the draw happens on the host with the seeded
 * generator (each sample inverts the cumulative sum, in float64), so the same seed and the same
 * weights give the same indices on every backend. Everything is checked before the generator
 * advances. Not differentiable.
 *
 * @example
 * const next = await multinomial(softmax(scores), 1, { seed: 7 }); // sample the next word id
 */
export async function multinomial(
  weights: Tensor,
  numSamples: number,
  options: MultinomialOptions = {},
): Promise<Tensor> {
  requireFloat('multinomial', weights, 'weights');
  if (weights.rank !== 1 && weights.rank !== 2)
    throw new ShapeError(`multinomial: weights must be [K] or [N, K], got ${formatShape(weights.shape)}`);
  requireInteger('multinomial', numSamples, 'numSamples', 1, MAX_SAMPLES);
  requireOptions('multinomial', options);
  const replacement = options.replacement ?? false;
  const k = weights.shape[weights.rank - 1];
  const rows = weights.rank === 1 ? 1 : weights.shape[0];
  const backend = weights.backend;
  const values = await weights.data();

  for (let r = 0; r < rows; r++) {
    const row = values.subarray(r * k, (r + 1) * k);
    const where = weights.rank === 1 ? '' : ` in row ${r}`;
    const bad = row.findIndex((w) => !(w >= 0) || !Number.isFinite(w));
    if (bad >= 0)
      throw new ArgumentError(
        `multinomial: weights must be finite and ≥ 0, got ${row[bad]} at category ${bad}${where}`,
      );
    let positive = 0;
    for (const w of row) if (w > 0) positive++;
    if (positive === 0) throw new ArgumentError(`multinomial: the weights${where} sum to 0`);
    if (!replacement && numSamples > positive)
      throw new ArgumentError(
        `multinomial: cannot draw ${numSamples} distinct samples without replacement from ${positive} categories of nonzero weight${where}`,
      );
  }

  const generator = samplingGenerator(options);
  const out = new Int32Array(rows * numSamples);
  for (let r = 0; r < rows; r++) {
    const row = Float64Array.from(values.subarray(r * k, (r + 1) * k));
    for (let s = 0; s < numSamples; s++) {
      const pick = drawOne(row, generator);
      out[r * numSamples + s] = pick;
      if (!replacement) row[pick] = 0;
    }
  }
  const shape = weights.rank === 1 ? [numSamples] : [rows, numSamples];
  return tensor(out, { shape, backend });
}

/** One category of `weights` (not all 0): the first whose cumulative sum exceeds u·total. */
function drawOne(weights: Float64Array, generator: Generator): number {
  let total = 0;
  for (const w of weights) total += w;
  const target = generator.uniform() * total;
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] === 0) continue;
    cumulative += weights[i];
    last = i;
    if (cumulative > target) return i;
  }
  // NOTE: rounding can leave the running sum a hair under target; the last category of nonzero
  // weight is then the right answer.
  return last;
}
