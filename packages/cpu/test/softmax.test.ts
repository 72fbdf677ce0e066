import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { softmax, softmaxCrossEntropy } from '../src/softmax.ts';
import { setWasmHeapDisabled } from '../src/wasm/heap.ts';
import { setSimdKernelsDisabled } from '../src/wasm/simd-kernels.ts';
import { ledger, stridedArray } from './strided-arrays.ts';

// Softmax and the softmax cross entropy of float32 rows run in WebAssembly SIMD (a vector
// exponential, sums in four float32 lanes) from 64 elements: against the float64 formulas, for
// rows whose length is not a multiple of the vector, logits from -1e4 to 1e4 (the row maximum is
// subtracted), infinities and NaN; in the wasm heap (arrays of 64 KiB and more), through the
// kernels' scratch memory, and in JavaScript without SIMD.

afterEach(() => {
  setSimdKernelsDisabled(false);
  setWasmHeapDisabled(false);
});

const logit = fc.oneof(
  { weight: 30, arbitrary: fc.double({ min: -20, max: 20, noNaN: true }) },
  { weight: 2, arbitrary: fc.double({ min: -1e4, max: 1e4, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
);

function softmaxWant(x: readonly number[], rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = x.slice(r * cols, (r + 1) * cols).map(Math.fround);
    const max = row.reduce((m, v) => Math.max(m, v), -Infinity);
    const e = row.map((v) => Math.exp(v - max));
    const total = e.reduce((s, v) => s + v, 0);
    out.push(...e.map((v) => v / total));
  }
  return out;
}

function crossEntropyWant(x: readonly number[], w: readonly number[], rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = x.slice(r * cols, (r + 1) * cols).map(Math.fround);
    const max = row.reduce((m, v) => Math.max(m, v), -Infinity);
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    let dot = 0;
    let wsum = 0;
    for (let c = 0; c < cols; c++) {
      const wc = Math.fround(w[r * cols + c]);
      if (wc !== 0) dot += wc * (row[c] - max);
      wsum += wc;
    }
    out.push(lse - dot + max * (1 - wsum));
  }
  return out;
}

/** float32 agreement: NaN with NaN, an infinity with itself, else within 4e-6 relative to the row's scale. */
function close(got: ArrayLike<number>, want: readonly number[], scale: (i: number) => number): string | null {
  for (let i = 0; i < want.length; i++) {
    const [g, v] = [got[i], want[i]];
    if (Number.isNaN(v) || Number.isNaN(g) || !Number.isFinite(v)) {
      if (!Object.is(g, v) && !(Number.isNaN(g) && Number.isNaN(v))) return `element ${i}: got ${g}, expected ${v}`;
      continue;
    }
    if (Math.abs(g - v) > 1e-7 + 4e-6 * Math.max(Math.abs(v), scale(i))) return `element ${i}: got ${g}, expected ${v}`;
  }
  return null;
}

const shapes = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 70 }));

describe('float32 softmax and softmax cross entropy in WebAssembly SIMD', () => {
  for (const path of ['scratch memory', 'without SIMD'] as const) {
    it(`softmax agrees with the float64 formula (${path})`, () => {
      fc.assert(
        fc.property(
          shapes.chain(([r, c]) =>
            fc.tuple(fc.constant([r, c]), fc.array(logit, { minLength: r * c, maxLength: r * c })),
          ),
          ([[rows, cols], values]) => {
            setSimdKernelsDisabled(path === 'without SIMD');
            const x = stridedArray([rows, cols], values, 'float32', 'offset');
            const got = softmax(ledger, x).data;
            expect(close(got, softmaxWant(values, rows, cols), () => 0)).toBeNull();
          },
        ),
      );
    });

    it(`the cross entropy agrees with logsumexp - Σ w·x (${path})`, () => {
      fc.assert(
        fc.property(
          shapes.chain(([r, c]) =>
            fc.tuple(
              fc.constant([r, c]),
              fc.array(logit, { minLength: r * c, maxLength: r * c }),
              fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })), {
                minLength: r * c,
                maxLength: r * c,
              }),
            ),
          ),
          ([[rows, cols], values, weights]) => {
            setSimdKernelsDisabled(path === 'without SIMD');
            const x = stridedArray([rows, cols], values, 'float32', 'contiguous');
            const w = stridedArray([rows, cols], weights, 'float32', 'offset');
            const got = softmaxCrossEntropy(ledger, x, w).data;
            const want = crossEntropyWant(values, weights, rows, cols);
            // the terms cancel: the error scales with the row's largest |logit|, times Σ w
            const scale = (r: number) =>
              values.slice(r * cols, (r + 1) * cols).reduce((m, v) => Math.max(m, Math.abs(v)), 1) *
              (1 + weights.slice(r * cols, (r + 1) * cols).reduce((s, v) => s + v, 0));
            expect(close(got, want, scale)).toBeNull();
          },
        ),
      );
    });
  }

  it('gives the same values in the wasm heap, through scratch memory and without the heap, on rows of 10,000 classes', () => {
    const [rows, cols] = [7, 10001];
    const values = Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.37) * 12);
    const weights = Array.from({ length: rows * cols }, (_, i) => (i % cols === (i * 7) % 97 ? 1 : 0));
    const results: Float32Array[][] = [];
    for (const heapOff of [false, true]) {
      setWasmHeapDisabled(heapOff);
      const x = stridedArray([rows, cols], values, 'float32', 'contiguous');
      const w = stridedArray([rows, cols], weights, 'float32', 'contiguous');
      results.push([softmax(ledger, x).data as Float32Array, softmaxCrossEntropy(ledger, x, w).data as Float32Array]);
    }
    expect(results[1][0]).toEqual(results[0][0]);
    expect(results[1][1]).toEqual(results[0][1]);
    expect(close(results[0][0], softmaxWant(values, rows, cols), () => 0)).toBeNull();
    expect(close(results[0][1], crossEntropyWant(values, weights, rows, cols), () => 12)).toBeNull();
  });
});
