import fc from 'fast-check';
import type { DType } from '@graphgrad/core';
import { BufferLedger, makeView, type CpuArray } from '../src/buffers.ts';
import { contiguousStrides, sizeOf, type Shape } from '@graphgrad/core';

/** How an operand's view is laid out over its buffer. */
export type Layout = 'contiguous' | 'offset' | 'transposed' | 'padded';

/** The CPU arrays a kernel test works on, with their shared ledger. */
export const ledger = new BufferLedger();

const SPECIALS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1e30, -1e30, 1e-30];

/** Element values: mostly ordinary numbers, some specials (NaN, ±Inf, 0, huge, tiny). */
export function valuesArb(n: number, dtype: DType): fc.Arbitrary<number[]> {
  if (dtype === 'int32') return fc.array(fc.integer({ min: -50, max: 50 }), { minLength: n, maxLength: n });
  const value = fc.oneof(
    { weight: 12, arbitrary: fc.double({ min: -8, max: 8, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(...SPECIALS) },
  );
  return fc.array(value, { minLength: n, maxLength: n });
}

/**
 * A view of `shape` holding `values` (row-major), laid out as `layout`: its own buffer, at an
 * offset into a larger one, as the transpose of a contiguous array of the reversed shape, or as a
 * slice of an array one element wider along its last axis.
 */
export function stridedArray(shape: Shape, values: readonly number[], dtype: DType, layout: Layout): CpuArray {
  const n = sizeOf(shape);
  const rank = shape.length;
  const base = (size: number): CpuArray => ledger.alloc([size], dtype);
  let view: CpuArray;
  if (layout === 'offset') {
    const b = base(n + 3);
    view = makeView(b.data, shape, contiguousStrides(shape), 3);
  } else if (layout === 'transposed' && rank >= 2) {
    const reversed = [...shape].reverse();
    const strides = contiguousStrides(reversed).reverse();
    view = makeView(base(n).data, shape, strides, 0);
  } else if (layout === 'padded' && rank >= 1) {
    const wide = [...shape.slice(0, -1), shape[rank - 1] + 1];
    view = makeView(base(sizeOf(wide)).data, shape, contiguousStrides(wide), 0);
  } else {
    view = makeView(base(n).data, shape, contiguousStrides(shape), 0);
  }
  // write values through the view's strides, in row-major order
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let at = view.offset;
    for (let d = 0; d < rank; d++) at += index[d] * view.stride[d];
    view.data[at] = values[i];
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return view;
}

/** The row-major values of a view (any strides). */
export function readValues(x: CpuArray): number[] {
  const rank = x.shape.length;
  const n = sizeOf(x.shape);
  const out: number[] = [];
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let at = x.offset;
    for (let d = 0; d < rank; d++) at += index[d] * x.stride[d];
    out.push(x.data[at]);
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < x.shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/** A shape of rank 0 to 4 with lengths 0 to `max` (0 rarely). */
export function shapeArb(max = 6, maxRank = 4): fc.Arbitrary<number[]> {
  const dim = fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min: 1, max }) },
    { weight: 1, arbitrary: fc.constant(0) },
  );
  return fc.array(dim, { minLength: 0, maxLength: maxRank });
}

/** One of the layouts. */
export const layoutArb: fc.Arbitrary<Layout> = fc.constantFrom('contiguous', 'offset', 'transposed', 'padded');

/** True when both lists hold the same numbers, NaN matching NaN (and -0 matching 0). */
export function sameValues(got: readonly number[], want: readonly number[]): string | null {
  if (got.length !== want.length) return `${got.length} values, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(g) && Number.isNaN(w)) continue;
    if (g !== w) return `element ${i}: got ${g}, expected ${w}`;
  }
  return null;
}
