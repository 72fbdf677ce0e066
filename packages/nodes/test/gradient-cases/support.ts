// What every gradient case file shares: an application of a node drawn by fast-check, and the
// helpers that draw unary, binary and reduction applications over random shapes.
import fc from 'fast-check';
import { arbitraries } from '@graphgrad/core/testing';
import { sizeOf, tensor, type Shape, type Tensor } from '@graphgrad/core';

/** One random application of a node: the function gradCheck differentiates and its inputs. */
export interface Instance {
  readonly fn: (...inputs: Tensor[]) => Tensor;
  readonly inputs: readonly Tensor[];
  readonly label: string;
}

/** A gradient case: which node export it exercises and how to draw applications of it. */
export interface GradientCase {
  readonly name: string;
  /** The `XxxNode` export of @graphgrad/nodes this case goes through (null for a mix of nodes). */
  readonly node: string | null;
  readonly instance: fc.Arbitrary<Instance>;
}

export const show = (s: Shape): string => `[${s.join(',')}]`;

export function instance(label: string, fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[]): Instance {
  // fast-check prints counterexamples with this, instead of dumping tensor internals.
  return { fn, inputs, label, [fc.toStringMethod]: () => label } as Instance;
}

export const SMOOTH = { min: -2, max: 2 };
// log, sqrt and the divisor of div stay on positive values away from 0, where they are smooth.
export const POSITIVE = { min: 0.25, max: 3 };

/** A float64 tensor of `shape` whose values are at least 0.1 away from 0 (abs has a kink there). */
export function awayFromZero(shape: Shape): fc.Arbitrary<Tensor> {
  const n = sizeOf(shape);
  return fc
    .tuple(arbitraries.values(n, { min: 0.1, max: 2 }), fc.array(fc.boolean(), { minLength: n, maxLength: n }))
    .map(([v, signs]) =>
      tensor(
        v.map((x, i) => (signs[i] ? -x : x)),
        { shape, dtype: 'float64' },
      ),
    );
}

export function unary(name: string, node: string, fn: (x: Tensor) => Tensor, values = SMOOTH): GradientCase {
  return {
    name,
    node,
    instance: arbitraries
      .tensorOf(arbitraries.shape(), values)
      .map((x) => instance(`${name} ${show(x.shape)}`, fn, [x])),
  };
}

/** Binary nodes over pairs of shapes that broadcast (same shapes, size-1 axes, dropped axes, scalars). */
export function binary(
  name: string,
  node: string,
  fn: (a: Tensor, b: Tensor) => Tensor,
  bValues = SMOOTH,
): GradientCase {
  return {
    name,
    node,
    instance: arbitraries
      .broadcastPair()
      .chain(([sa, sb]) => fc.tuple(arbitraries.tensorOf(sa, SMOOTH), arbitraries.tensorOf(sb, bValues)))
      .map(([a, b]) => instance(`${name} ${show(a.shape)} ${show(b.shape)}`, fn, [a, b])),
  };
}

/** A random set of axes of a rank-`rank` tensor, some written negative, or undefined (every axis). */
export function axesOf(rank: number): fc.Arbitrary<number[] | number | undefined> {
  const axes = Array.from({ length: rank }, (_, i) => i);
  return fc.oneof(
    fc.constant(undefined),
    fc
      .subarray(axes)
      .chain((list) =>
        fc
          .array(fc.boolean(), { minLength: list.length, maxLength: list.length })
          .map((negative) => list.map((a, i) => (negative[i] ? a - rank : a))),
      ),
    ...(rank > 0 ? [fc.integer({ min: -rank, max: rank - 1 })] : []),
  );
}

export function reduction(
  name: string,
  node: string,
  fn: (x: Tensor, axes: number[] | number | undefined, keepDims: boolean) => Tensor,
): GradientCase {
  return {
    name,
    node,
    instance: arbitraries
      .shape()
      .chain((s) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), axesOf(s.length), fc.boolean()))
      .map(([x, axes, keepDims]) =>
        instance(
          `${name} ${show(x.shape)} axes=${JSON.stringify(axes)} keepDims=${keepDims}`,
          (t) => fn(t, axes, keepDims),
          [x],
        ),
      ),
  };
}

/** A shape of rank ≥ 1 and an axis of it (possibly negative). */
export const shapeAndAxis = arbitraries
  .shape({ minRank: 1 })
  .chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 })));

/** Shapes of the same size as `s`: flat, reversed, padded with 1s, or with one length inferred (-1). */
export function reshapeTargets(s: Shape): fc.Arbitrary<number[]> {
  const n = sizeOf(s);
  return fc.oneof<fc.Arbitrary<number[]>[]>(
    fc.constant([n]),
    fc.constant([-1]),
    fc.constant([...s].reverse()),
    fc.constant([1, ...s, 1]),
    s.length === 0
      ? fc.constant([1, 1])
      : fc.integer({ min: 0, max: s.length - 1 }).map((i) => s.map((d, j) => (i === j ? -1 : d))),
  );
}

export const int32 = (values: number[], shape: Shape): Tensor => tensor(values, { shape, dtype: 'int32' });
