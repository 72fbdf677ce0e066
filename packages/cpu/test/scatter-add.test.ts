import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contiguousStrides, sizeOf, type DType } from '@graphgrad/core';
import { BufferLedger } from '../src/buffers.ts';
import { gather } from '../src/layout.ts';
import { scatterAdd } from '../src/scatter-add.ts';
import { layoutArb, ledger, readValues, stridedArray } from './strided-arrays.ts';

// ScatterAdd against a plain loop over random shapes, axes, repeated and out-of-range indices and
// value layouts; and the clean buffers it comes from: what a released output wrote is zeroed again,
// so the next output of its size starts from zeros without a pass over it.

/** out[outer, indices[p], inner] += values[outer, p, inner], by the definition. */
function expected(values: number[], shape: number[], idx: number[], k: number, axis: number, size: number): number[] {
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + k));
  const picks = idx.length;
  const out = new Array<number>(outer * size * inner).fill(0);
  for (let q = 0; q < outer; q++)
    for (let p = 0; p < picks; p++)
      for (let j = 0; j < inner; j++) {
        const r = idx[p];
        if (r >= 0 && r < size) out[(q * size + r) * inner + j] += values[(q * picks + p) * inner + j];
      }
  return out;
}

const caseArb = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
    fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }),
    fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
    fc.integer({ min: 0, max: 5 }),
    layoutArb,
    fc.constantFrom<DType>('float32', 'float64', 'int32'),
  )
  .chain(([outer, indexShape, inner, size, layout, dtype]) =>
    fc.record({
      outer: fc.constant(outer),
      indexShape: fc.constant(indexShape),
      inner: fc.constant(inner),
      size: fc.constant(size),
      layout: fc.constant(layout),
      dtype: fc.constant(dtype),
      // mostly inside [0, size), some outside
      idx: fc.array(fc.integer({ min: -1, max: size }), {
        minLength: sizeOf(indexShape),
        maxLength: sizeOf(indexShape),
      }),
    }),
  );

describe('ScatterAdd', () => {
  it('agrees with the definition (repeated indices add up, indices out of range add nowhere)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const shape = [...c.outer, ...c.indexShape, ...c.inner];
        const values = Array.from({ length: sizeOf(shape) }, (_, i) => ((i * 7) % 11) - 5);
        const v = stridedArray(shape, values, c.dtype, c.layout);
        const indices = stridedArray(c.indexShape, c.idx, 'int32', 'contiguous');
        const out = scatterAdd(ledger, v, indices, c.outer.length, c.size);
        expect(out.shape).toEqual([...c.outer, c.size, ...c.inner]);
        expect(readValues(out)).toEqual(expected(values, shape, c.idx, c.indexShape.length, c.outer.length, c.size));
      }),
      { numRuns: 150 },
    );
  });

  it('is the adjoint of Gather: ⟨gather(x), v⟩ = ⟨x, scatterAdd(v)⟩', () => {
    const x = stridedArray(
      [4, 6, 3],
      Array.from({ length: 72 }, (_, i) => Math.sin(i)),
      'float64',
      'padded',
    );
    const indices = stridedArray([2, 2], [5, 0, 5, 2], 'int32', 'contiguous');
    const v = Array.from({ length: 4 * 4 * 3 }, (_, i) => Math.cos(i));
    const g = readValues(gather(ledger, x, indices, 1));
    const s = readValues(scatterAdd(ledger, stridedArray([4, 2, 2, 3], v, 'float64', 'contiguous'), indices, 1, 6));
    const dot = (p: number[], q: number[]): number => p.reduce((acc, pi, i) => acc + pi * q[i], 0);
    expect(dot(g, v)).toBeCloseTo(dot(readValues(x), s), 12);
  });

  it('takes a large output from the clean buffers: the slices a released one wrote are zero again', () => {
    const own = new BufferLedger();
    const rows = 5000;
    const values = (n: number): number[] => Array.from({ length: n * 20 }, (_, i) => i + 1);
    const first = scatterAdd(
      own,
      stridedArray([3, 20], values(3), 'float32', 'contiguous'),
      idx([10, 4000, 10]),
      0,
      rows,
    );
    const buffer = first.data;
    own.release(first);
    const second = scatterAdd(own, stridedArray([2, 20], values(2), 'float32', 'contiguous'), idx([7, 7]), 0, rows);
    // the same buffer, holding the second result alone
    expect(second.data).toBe(buffer);
    const got = readValues(second);
    const want = new Array<number>(rows * 20).fill(0);
    for (let j = 0; j < 20; j++) want[7 * 20 + j] = j + 1 + (20 + j + 1);
    expect(got).toEqual(want);
    own.release(second);
    expect(own.live).toBe(0);
  });

  it('zeroes the buffer again only when its last view is released', () => {
    const own = new BufferLedger();
    const out = scatterAdd(own, stridedArray([1, 20], values20(), 'float32', 'contiguous'), idx([3]), 0, 4000);
    const view = own.view(out, [4000 * 20], contiguousStrides([4000 * 20]), out.offset);
    own.release(out);
    expect(view.data[3 * 20 + 5]).toBe(6);
    own.release(view);
    const next = own.allocClean([4000, 20], 'float32');
    expect(next.data).toBe(out.data);
    expect(next.data.every((v) => v === 0)).toBe(true);
  });

  it('leaves small outputs and outputs written everywhere to the ordinary pool', () => {
    const own = new BufferLedger();
    const small = scatterAdd(own, stridedArray([2, 3], [1, 2, 3, 4, 5, 6], 'float32', 'contiguous'), idx([0, 1]), 0, 3);
    own.release(small);
    const full = scatterAdd(
      own,
      stridedArray([5000, 20], new Array<number>(100000).fill(1), 'float32', 'contiguous'),
      idx(Array.from({ length: 5000 }, (_, i) => i)),
      0,
      5000,
    );
    own.release(full);
    // neither was kept clean: an array of the large size is zeroed in full
    const next = own.allocClean([5000, 20], 'float32');
    expect(next.data.every((v) => v === 0)).toBe(true);
  });
});

function idx(values: number[]) {
  return stridedArray([values.length], values, 'int32', 'contiguous');
}

function values20(): number[] {
  return Array.from({ length: 20 }, (_, i) => i + 1);
}
