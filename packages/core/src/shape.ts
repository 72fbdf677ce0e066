import { requireCount, requireNumbers } from './arguments.ts';
import { describeValue } from './describe-value.ts';
import { ArgumentError, AxisError, ShapeError } from './errors.ts';

/** A tensor's shape: the length of each axis, outermost first. `[]` is a scalar. */
export type Shape = readonly number[];

/** Number of elements of a tensor of `shape` (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  requireNumbers('sizeOf', shape, 'shape');
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Formats a shape the way messages show it: `[30,2]`. */
export function formatShape(shape: Shape): string {
  requireNumbers('formatShape', shape, 'shape');
  return `[${shape.join(',')}]`;
}

/** True when both shapes have the same rank and lengths. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  requireNumbers('shapesEqual', a, 'a');
  requireNumbers('shapesEqual', b, 'b');
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The most elements a tensor may have: 2³¹ - 1, the longest typed array every engine allocates
 * (and more than a WebGPU binding holds).
 */
const MAX_ELEMENTS = 2 ** 31 - 1;

/** Throws unless `shape` is a list of non-negative integers whose product a tensor can hold. */
export function checkShape(op: string, shape: unknown): asserts shape is Shape {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new ArgumentError(`${op}: a shape is a list of non-negative integers, got ${describeValue(shape)}`);
  }
  const size = sizeOf(shape as Shape);
  if (size > MAX_ELEMENTS) {
    throw new ShapeError(
      `${op}: shape ${describeValue(shape)} has ${size} elements, more than a tensor holds (${MAX_ELEMENTS})`,
    );
  }
}

/** Row-major strides of a contiguous array of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  requireNumbers('contiguousStrides', shape, 'shape');
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * Strides under which the view of `shape` and `strides` is read as `newShape` (of the same size)
 * without a copy: the elements in the same row-major order, as numpy's reshape finds them. Null
 * when no strides can (a transposed or broadcast view whose axes merge across a gap): then a
 * reshape copies. Dropping or adding axes of length 1 is always a view.
 *
 * @example
 * reshapeStrides([4, 1, 3], [12, 3, 1], [4, 3]); // [12, 1]: h[:, t, :] of a [4, 5, 3] h
 * reshapeStrides([3, 2], [1, 3], [6]);           // null: a transpose read flat needs a copy
 */
export function reshapeStrides(shape: Shape, strides: readonly number[], newShape: Shape): number[] | null {
  checkShape('reshapeStrides', shape);
  checkShape('reshapeStrides', newShape);
  requireNumbers('reshapeStrides', strides, 'strides');
  if (strides.length !== shape.length)
    throw new ShapeError(
      `reshapeStrides: ${strides.length} strides for the ${shape.length} axes of ${formatShape(shape)}`,
    );
  if (sizeOf(shape) !== sizeOf(newShape))
    throw new ShapeError(
      `reshapeStrides: ${formatShape(shape)} and ${formatShape(newShape)} hold different numbers of elements`,
    );
  const out = new Array<number>(newShape.length).fill(0);
  const empty = sizeOf(shape) === 0;
  if (!empty) {
    // Axes of length 1 carry no layout; the others are matched in groups of equal size.
    const oldAxes = shape.flatMap((d, i) => (d === 1 ? [] : [i]));
    const newAxes = newShape.flatMap((d, i) => (d === 1 ? [] : [i]));
    let o = 0;
    let n = 0;
    while (n < newAxes.length) {
      let newLength = newShape[newAxes[n]];
      let oldLength = shape[oldAxes[o]];
      let nEnd = n + 1;
      let oEnd = o + 1;
      while (newLength !== oldLength) {
        if (newLength < oldLength) newLength *= newShape[newAxes[nEnd++]];
        else oldLength *= shape[oldAxes[oEnd++]];
      }
      // The group's old axes must nest without gaps to be read as one run.
      for (let k = o; k < oEnd - 1; k++) {
        if (strides[oldAxes[k]] !== strides[oldAxes[k + 1]] * shape[oldAxes[k + 1]]) return null;
      }
      let stride = strides[oldAxes[oEnd - 1]];
      for (let k = nEnd - 1; k >= n; k--) {
        out[newAxes[k]] = stride;
        stride *= newShape[newAxes[k]];
      }
      n = nEnd;
      o = oEnd;
    }
  }
  // Axes of length 1 (and every axis of an empty array) take the stride a row-major layout gives.
  for (let i = newShape.length - 1; i >= 0; i--) {
    if (newShape[i] === 1 || empty) out[i] = i === newShape.length - 1 ? 1 : out[i + 1] * newShape[i + 1];
  }
  return out;
}

/**
 * numpy's broadcasting: shapes are aligned at their last axis; each pair of lengths must be equal or
 * one of them 1. Throws a `ShapeError` naming `op` and both shapes otherwise.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  requireNumbers(op, a, 'a shape');
  requireNumbers(op, b, 'a shape');
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  // NOTE: the missing leading axes are tested by index: reading a[-1] is a property lookup that
  // V8 does not optimise, on a function every elementwise kernel calls.
  const leadA = rank - a.length;
  const leadB = rank - b.length;
  for (let i = 0; i < rank; i++) {
    const da = i < leadA ? 1 : a[i - leadA];
    const db = i < leadB ? 1 : b[i - leadB];
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: cannot broadcast ${formatShape(a)} with ${formatShape(b)}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** True when `from` broadcasts to exactly `to`. */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  requireNumbers('broadcastsTo', from, 'from');
  requireNumbers('broadcastsTo', to, 'to');
  if (from.length > to.length) return false;
  const lead = to.length - from.length;
  for (let i = 0; i < from.length; i++) if (from[i] !== 1 && from[i] !== to[lead + i]) return false;
  return true;
}

/**
 * True when `a` and `b` broadcast together (numpy's rules), without building the result's shape.
 *
 * @example
 * broadcastable([30, 10], [10]); // true
 * broadcastable([2, 3], [2]);    // false
 */
export function broadcastable(a: Shape, b: Shape): boolean {
  requireNumbers('broadcastable', a, 'a');
  requireNumbers('broadcastable', b, 'b');
  const rank = Math.max(a.length, b.length);
  for (let i = 1; i <= rank; i++) {
    const da = i <= a.length ? a[a.length - i] : 1;
    const db = i <= b.length ? b[b.length - i] : 1;
    if (da !== db && da !== 1 && db !== 1) return false;
  }
  return true;
}

/** Resolves a possibly negative axis against `rank`, throwing an `AxisError` that names `op`. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  requireCount(op, rank, 'rank');
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw new AxisError(`${op}: an axis is an integer, got ${describeValue(axis)}`);
  }
  if (axis < -rank || axis >= rank) {
    throw new AxisError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Resolves a list of axes (or all axes when undefined), sorted, rejecting duplicates. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  requireCount(op, rank, 'rank');
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axes !== 'number' && !Array.isArray(axes)) {
    throw new AxisError(`${op}: axes are an integer or a list of integers, got ${describeValue(axes)}`);
  }
  const given: readonly number[] = typeof axes === 'number' ? [axes] : (axes as readonly number[]);
  const list = given.map((a) => normalizeAxis(op, a, rank));
  const sorted = [...new Set(list)].sort((x, y) => x - y);
  if (sorted.length !== list.length) throw new AxisError(`${op}: axes ${describeValue(axes)} repeat an axis`);
  return sorted;
}

/** The shape left after reducing `axes` of `shape`, with the reduced axes kept as 1 or dropped. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  requireNumbers('reducedShape', shape, 'shape');
  requireNumbers('reducedShape', axes, 'axes');
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/**
 * The axes along which a gradient shaped like `from` (a broadcast result) must be summed to come
 * back to `to`, and whether the leading axes must then be dropped.
 */
export function broadcastAxes(from: Shape, to: Shape): number[] {
  requireNumbers('broadcastAxes', from, 'from');
  requireNumbers('broadcastAxes', to, 'to');
  const lead = from.length - to.length;
  const axes: number[] = [];
  for (let i = 0; i < from.length; i++) {
    if (i < lead || (to[i - lead] === 1 && from[i] !== 1)) axes.push(i);
  }
  return axes;
}
