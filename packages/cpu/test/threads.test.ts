import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, sizeOf } from '@graphgrad/core';
import { cpuBackend } from '../src/cpu-backend.ts';
import { matmul } from '../src/matmul.ts';
import { heapThreadPool } from '../src/wasm/heap-threads.ts';
import { wasmHeap } from '../src/wasm/heap.ts';
import { canStartWorkers } from '../src/wasm/threads.ts';
import { ledger, readValues, stridedArray, type Layout } from './strided-arrays.ts';

// Large float32 products are split over worker threads sharing the wasm heap, by bands of C's rows
// or columns: every element keeps its sums and their order, so the threaded product must equal the
// single-threaded one bit for bit, on odd shapes, transposed, strided and batched operands.

const heap = wasmHeap();

beforeAll(async () => {
  // Node's main thread can always start workers over shared memory; wait until one is ready, so
  // that the products below are split rather than run whole while the workers start.
  expect(canStartWorkers()).toBe(true);
  expect(heap?.shared).toBe(true);
  await heapThreadPool(heap!, 2)!.whenReady();
});

/** Deterministic values with every bit of the mantissa in use, and some negative. */
const values = (n: number, seed: number): number[] =>
  Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 0.618) * (1 + ((i * 13) % 5)));

interface Case {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly ta: boolean;
  readonly tb: boolean;
  readonly la: Layout;
  readonly lb: Layout;
  readonly batch?: readonly number[];
}

// Each at least 2^20 multiply-adds (the threshold for splitting); wider than tall splits by
// columns, taller than wide by rows; k above one packed block (256) in some.
const CASES: readonly Case[] = [
  { m: 129, k: 131, n: 67, ta: false, tb: false, la: 'contiguous', lb: 'contiguous' },
  { m: 67, k: 300, n: 131, ta: true, tb: false, la: 'offset', lb: 'contiguous' },
  { m: 133, k: 257, n: 45, ta: false, tb: true, la: 'padded', lb: 'transposed' },
  { m: 41, k: 263, n: 201, ta: true, tb: true, la: 'transposed', lb: 'padded' },
  { m: 257, k: 65, n: 129, ta: false, tb: false, la: 'transposed', lb: 'offset' },
  { m: 37, k: 100, n: 301, ta: false, tb: false, la: 'contiguous', lb: 'contiguous', batch: [3] },
  { m: 301, k: 37, n: 100, ta: true, tb: false, la: 'contiguous', lb: 'padded', batch: [2, 2] },
];

describe('matrix products split over worker threads', () => {
  it.each(CASES)(
    '$m×$k·$k×$n (transposed $ta/$tb, layouts $la/$lb, batch $batch) equals the single-threaded product bit for bit',
    (c) => {
      const batch = c.batch ?? [];
      const shapeA = [...batch, ...(c.ta ? [c.k, c.m] : [c.m, c.k])];
      const shapeB = [...batch, ...(c.tb ? [c.n, c.k] : [c.k, c.n])];
      const a = stridedArray(shapeA, values(sizeOf(shapeA), 1), 'float32', c.la);
      const b = stridedArray(shapeB, values(sizeOf(shapeB), 2), 'float32', c.lb);
      const pool = heapThreadPool(heap!, 2)!;
      const single = readValues(matmul(ledger, a, b, c.ta, c.tb, 1));
      const before = pool.handed;
      const threaded = readValues(matmul(ledger, a, b, c.ta, c.tb, 2));
      expect(pool.handed).toBeGreaterThan(before); // a worker did take a share
      expect(threaded.length).toBe(sizeOf([...batch, c.m, c.n]));
      const differ = threaded.findIndex((v, i) => !Object.is(v, single[i]));
      expect(differ).toBe(-1);
    },
  );

  it('keeps products below the threshold, and every product of a one-thread backend, on the calling thread', () => {
    const pool = heapThreadPool(heap!, 2)!;
    const before = pool.handed;
    const small = stridedArray([64, 64], values(64 * 64, 3), 'float32', 'contiguous');
    matmul(ledger, small, small, false, false, 2);
    const big = cpuBackend({ threads: 1 });
    const x = big.fromData(Float32Array.from(values(256 * 256, 4)), [256, 256], 'float32');
    big.dispose(big.kernels.MatMul(x, x, false, true));
    expect(pool.handed).toBe(before);
  });

  it('refuses a thread count that is not a whole number of at least 1', () => {
    expect(() => cpuBackend({ threads: 0 })).toThrow(ArgumentError);
    expect(() => cpuBackend({ threads: 1.5 })).toThrow(ArgumentError);
    expect(cpuBackend({ threads: 3 }).threads).toBe(3);
  });
});
