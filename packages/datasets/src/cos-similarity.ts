import { ArgumentError, describeValue, ShapeError } from '@graphgrad/core';
import { requireNumbers } from './arguments.ts';

/**
 * The book's `cos_similarity` (chapter 2): the cosine of the angle between x and y,
 * x·y / ((|x| + eps)(|y| + eps)); eps keeps a zero vector from dividing by zero (its similarity is 0).
 *
 * @example
 * cosSimilarity([1, 0], [1, 1]); // 0.7071…
 */
export function cosSimilarity(x: ArrayLike<number>, y: ArrayLike<number>, eps = 1e-8): number {
  requireNumbers('cosSimilarity', x, 'x');
  requireNumbers('cosSimilarity', y, 'y');
  if (typeof eps !== 'number' || !(eps >= 0))
    throw new ArgumentError(`cosSimilarity: eps must be a number ≥ 0, got ${describeValue(eps)}`);
  if (x.length !== y.length)
    throw new ShapeError(`cosSimilarity: x has ${x.length} elements and y ${y.length}, expected the same number`);
  let dot = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    dot += x[i] * y[i];
    xx += x[i] * x[i];
    yy += y[i] * y[i];
  }
  return dot / ((Math.sqrt(xx) + eps) * (Math.sqrt(yy) + eps));
}
