import type { ShapedArray } from './shaped-array.ts';
import { checkWordIds } from './word-ids.ts';
import { requireCorpus, requireOptions } from './arguments.ts';

/**
 * The book's `convert_one_hot` (chapter 3): each id as a row of `vocabSize` zeros with a 1 at the
 * id, so ids of shape [N] give [N, vocabSize] and contexts of shape [N, C] give
 * [N, C, vocabSize]. `tensor(oneHot.data, { shape: oneHot.shape, dtype: 'float32' })` makes the
 * matrix product's input of it.
 *
 * @example
 * convertOneHot(Int32Array.from([1, 0]), 3).data; // Int32Array [0, 1, 0, 1, 0, 0]  (shape [2, 3])
 */
export function convertOneHot(ids: Int32Array | ShapedArray<Int32Array>, vocabSize: number): ShapedArray<Int32Array> {
  const given: unknown = ids;
  if (!(given instanceof Int32Array)) {
    requireOptions('convertOneHot', given);
    requireCorpus('convertOneHot', (given as { data?: unknown } | undefined)?.data, 'ids');
  }
  const { data, shape } = ids instanceof Int32Array ? { data: ids, shape: [ids.length] } : ids;
  checkWordIds('convertOneHot', 'ids', data, vocabSize);
  const oneHot = new Int32Array(data.length * vocabSize);
  data.forEach((id, position) => {
    oneHot[position * vocabSize + id] = 1;
  });
  return { data: oneHot, shape: [...shape, vocabSize] };
}
