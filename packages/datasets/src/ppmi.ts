import { ShapeError } from '@graphgrad/core';
import type { ShapedArray } from './shaped-array.ts';
import { requireNumbers, requireOptions } from './arguments.ts';

/**
 * The book's `ppmi` (chapter 2): positive pointwise mutual information of a co-occurrence matrix
 * C, M[i, j] = max(0, log2(C[i, j]·N / (S[i]·S[j]) + eps)), with N the sum of C and S its column
 * sums, as float32.
 *
 * @example
 * const M = ppmi(createCoMatrix(preprocess('You say goodbye and I say hello.').corpus, 7));
 * M.data[1]; // 1.807… (you, say)
 */
export function ppmi(
  coMatrix: ShapedArray<Int32Array | Float32Array | Float64Array>,
  eps = 1e-8,
): ShapedArray<Float32Array> {
  requireOptions('ppmi', coMatrix);
  const given = coMatrix as { data?: unknown; shape?: unknown } | undefined;
  requireNumbers('ppmi', given?.data, 'coMatrix.data');
  requireNumbers('ppmi', given?.shape, 'coMatrix.shape');
  const { data, shape } = coMatrix;
  if (shape.length !== 2 || shape[0] !== shape[1] || data.length !== shape[0] * shape[0])
    throw new ShapeError(
      `ppmi: coMatrix must be a square matrix [V, V] holding V·V values, got shape [${shape.join(', ')}] with ${data.length} values`,
    );
  const size = shape[0];
  let total = 0;
  const columnSums = new Float64Array(size);
  data.forEach((count, index) => {
    total += count;
    columnSums[index % size] += count;
  });
  const out = new Float32Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const denominator = columnSums[i] * columnSums[j];
      // NOTE: a word that co-occurs with nothing has no PMI; numpy's NaN there becomes the book's max(0, NaN) = 0.
      if (denominator === 0) continue;
      const pmi = Math.log2((data[i * size + j] * total) / denominator + eps);
      if (pmi > 0) out[i * size + j] = pmi;
    }
  }
  return { data: out, shape: [size, size] };
}
