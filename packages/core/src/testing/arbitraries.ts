import fc from 'fast-check';
import type { Backend } from '../backend.ts';
import { tensor } from '../creation.ts';
import type { Shape } from '../shape.ts';
import type { Tensor } from '../tensor.ts';

/**
 * fast-check arbitraries for property-testing nodes: random shapes (size-1 axes included), pairs of
 * shapes that broadcast, and float64 tensors of bounded values.
 *
 * @example
 * await fc.assert(fc.asyncProperty(arbitraries.tensorOf(arbitraries.shape()), async (x) => {
 *   expect((await gradCheck((t) => sum(tanh(t)), [x])).passed).toBe(true);
 * }));
 * @module
 */

/** Options of `shape` and `broadcastPair`. */
export interface ShapeOptions {
  /** Fewest axes (default 0: scalars included). */
  minRank?: number;
  /** Most axes (default 3). */
  maxRank?: number;
  /** Smallest axis length (default 1; pass 0 to include empty tensors). */
  minDim?: number;
  /** Largest axis length (default 4). */
  maxDim?: number;
}

/** A random shape: rank in [minRank, maxRank] (default 0–3), each axis in [minDim, maxDim] (default 1–4). */
export function shape(options: ShapeOptions = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 3, minDim = 1, maxDim = 4 } = options;
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/**
 * Two shapes that broadcast against each other: the second drops some leading axes and sets some
 * axes to 1, the way a bias broadcasts over a batch.
 */
export function broadcastPair(options: ShapeOptions = {}): fc.Arbitrary<[number[], number[]]> {
  return shape({ minRank: 1, ...options }).chain((full) =>
    fc
      .tuple(
        fc.integer({ min: 0, max: full.length }),
        fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
        fc.boolean(),
      )
      .map(([drop, ones, swap]) => {
        const other = full.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
        return swap ? [other, full] : [full, other];
      }),
  );
}

/** Options of `values` and `tensor`. */
export interface ValueOptions {
  /** Lower bound of the values (default -2). */
  min?: number;
  /** Upper bound of the values (default 2). */
  max?: number;
}

/** `size` finite doubles in [min, max]. */
export function values(size: number, options: ValueOptions = {}): fc.Arbitrary<Float64Array> {
  const { min = -2, max = 2 } = options;
  return fc
    .array(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), { minLength: size, maxLength: size })
    .map((v) => Float64Array.from(v));
}

/** A float64 tensor of the given shape (or a random one) with values in [min, max]. */
export function tensorOf(
  shapeArb: fc.Arbitrary<Shape> | Shape,
  options: ValueOptions & { backend?: Backend } = {},
): fc.Arbitrary<Tensor> {
  const shapes = Array.isArray(shapeArb) ? fc.constant(shapeArb as Shape) : (shapeArb as fc.Arbitrary<Shape>);
  return shapes.chain((s) =>
    values(
      s.reduce((n, d) => n * d, 1),
      options,
    ).map((v) => tensor(v, { shape: s, dtype: 'float64', backend: options.backend })),
  );
}

/** Shapes of a matrix product: [m, k] and [k, n] with each length in [1, maxDim]. */
export function matmulShapes(maxDim = 5): fc.Arbitrary<[[number, number], [number, number]]> {
  return fc
    .tuple(
      fc.integer({ min: 1, max: maxDim }),
      fc.integer({ min: 1, max: maxDim }),
      fc.integer({ min: 1, max: maxDim }),
    )
    .map(([m, k, n]) => [
      [m, k],
      [k, n],
    ]);
}
