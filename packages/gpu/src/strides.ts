import type { Shape } from '@graphgrad/core';

/** True when the view's elements are `[offset, offset + size)` in row-major order. */
export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** A shape and the strides of several operands over it, after `collapse`. */
interface Collapsed {
  readonly shape: number[];
  readonly strides: number[][];
}

/**
 * Drops axes of length 1 and merges neighbouring axes that every operand walks as one (stride of
 * the outer axis = stride × length of the inner one): the same element order with fewer axes, so
 * the kernels' index arithmetic is short and a contiguous operand becomes one flat axis.
 */
export function collapse(shape: Shape, strides: readonly (readonly number[])[]): Collapsed {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * shape[d]);
    if (mergeable) {
      outShape[last] *= shape[d];
      strides.forEach((s, k) => (outStrides[k][last] = s[d]));
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, k) => outStrides[k].push(s[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** Strides of `shape` for an operand broadcast to it (0 along broadcast and missing axes). */
export function broadcastStrides(from: Shape, fromStrides: readonly number[], to: Shape): number[] {
  const lead = to.length - from.length;
  return to.map((_, i) => {
    const j = i - lead;
    return j < 0 || from[j] === 1 ? 0 : fromStrides[j];
  });
}

/** Row-major strides of a contiguous array of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}
