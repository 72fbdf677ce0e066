import { afterEach, describe, expect, it } from 'vitest';
import { cpuBackend } from '../src/cpu-backend.ts';
import type { CpuArray } from '../src/buffers.ts';
import { HEAP_MIN_BYTES, setWasmHeapDisabled, wasmHeap } from '../src/wasm/heap.ts';
import { setSimdKernelsDisabled } from '../src/wasm/simd-kernels.ts';

// Large float32 arrays of the CPU backend live in a fixed WebAssembly memory, where the SIMD
// kernels work on them in place: what goes there, that its blocks come back (zeroed where a kernel
// does not overwrite them), and that results are the same with the heap, without it, and with
// operands from ordinary buffers. (Views at an offset into a heap block are in elementwise.test.ts.)

afterEach(() => {
  setWasmHeapDisabled(false);
  setSimdKernelsDisabled(false);
});

const heap = wasmHeap();
const inHeap = (x: unknown): boolean => heap !== null && heap.holds((x as CpuArray).data as Float32Array);
const values = (n: number, seed: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.37) * 10);

describe.skipIf(heap === null)('the wasm heap of large float32 arrays', () => {
  it('holds float32 arrays from 64 KiB; smaller ones and other dtypes stay in ordinary buffers', () => {
    const b = cpuBackend();
    const big = HEAP_MIN_BYTES / 4;
    expect(inHeap(b.fill([big], 1, 'float32'))).toBe(true);
    expect(inHeap(b.fill([big - 1], 1, 'float32'))).toBe(false);
    expect(inHeap(b.fill([big], 1, 'float64'))).toBe(false);
    const x = b.fromData(values(big, 1), [big], 'float32');
    expect(inHeap(b.kernels.Sigmoid(x))).toBe(true);
    expect(inHeap(b.kernels.Add(x, x))).toBe(true);
  });

  it('gives a block back when its last handle is disposed, and zeroes a reused block for a new array', async () => {
    const b = cpuBackend();
    const n = 40000;
    const before = heap!.bytesInUse;
    const x = b.fill([n], 7, 'float32');
    const view = b.kernels.Reshape(x, [200, 200]);
    expect(heap!.bytesInUse).toBeGreaterThan(before);
    b.dispose(x);
    expect(heap!.bytesInUse).toBeGreaterThan(before); // the view still holds the block
    expect((await b.read(view))[123]).toBe(7);
    b.dispose(view);
    expect(heap!.bytesInUse).toBe(before);
    const zeros = b.fill([n], 0, 'float32');
    expect((await b.read(zeros)).every((v) => v === 0)).toBe(true);
    b.dispose(zeros);
    expect(heap!.bytesInUse).toBe(before);
  });

  it('when the heap is full, arrays go to ordinary buffers and kernels still give the same values', async () => {
    const b = cpuBackend();
    const n = 50000;
    const x = b.fromData(values(n, 4), [n], 'float32');
    const want = await b.read(b.kernels.Sigmoid(b.kernels.Mul(x, x)));
    // Take every block the heap has left (taking address space only: untouched pages cost nothing).
    const taken: Float32Array[] = [];
    for (let block = heap!.alloc(1 << 20, true); block !== null; block = heap!.alloc(1 << 20, true)) taken.push(block);
    for (let block = heap!.alloc(n, true); block !== null; block = heap!.alloc(n, true)) taken.push(block);
    expect(taken.length).toBeGreaterThan(0);
    const square = b.kernels.Mul(x, x);
    expect(inHeap(square)).toBe(false);
    const y = b.kernels.Sigmoid(square);
    expect(inHeap(y)).toBe(false);
    expect(Array.from(await b.read(y))).toEqual(Array.from(want));
    for (const block of taken) heap!.free(block);
    expect(inHeap(b.kernels.Sigmoid(square))).toBe(true);
  });

  it('space freed by arrays of one size serves arrays of another (blocks split and merge)', () => {
    const before = heap!.bytesInUse;
    const small: Float32Array[] = [];
    for (let i = 0; i < 200; i++) small.push(heap!.alloc(16384 * (1 + (i % 3)), true)!);
    expect(small.every((a) => a !== null)).toBe(true);
    for (const a of small) a.fill(1);
    for (const a of small) heap!.free(a);
    expect(heap!.bytesInUse).toBe(before);
    // half of the whole heap in one block: only possible once the small blocks merged back
    const half = heap!.alloc(32 * 1024 * 1024);
    expect(half).not.toBeNull();
    expect(half!.every((v) => v === 0)).toBe(true); // zeroed, though small arrays were there before
    heap!.free(half!);
    expect(heap!.bytesInUse).toBe(before);
  });

  it('elementwise kernels give the same values in the heap, from ordinary operands, and without the heap or SIMD', async () => {
    const n = 70001; // not a multiple of the kernels' 16 floats
    const results: Float32Array[] = [];
    for (const [heapOff, simdOff] of [
      [false, false],
      [true, false],
      [false, true],
    ]) {
      setWasmHeapDisabled(heapOff);
      setSimdKernelsDisabled(simdOff);
      const b = cpuBackend();
      const x = b.fromData(values(n, 1), [n], 'float32'); // fromData: an ordinary buffer
      const y = b.kernels.Mul(x, b.fromData(values(n, 2), [n], 'float32'));
      expect(inHeap(y)).toBe(!heapOff);
      const z = b.kernels.Sub(b.kernels.Sigmoid(y), y); // both operands in the heap when it is on
      const w = b.kernels.Div(z, b.kernels.Reshape(b.kernels.Add(x, x), [n])); // a view operand
      results.push((await b.read(w)) as Float32Array);
    }
    const [withHeap, withoutHeap, loops] = results;
    expect(Array.from(withHeap)).toEqual(Array.from(withoutHeap));
    // the JavaScript sigmoid differs from the SIMD one by a few ulp, so compare those loosely
    let worst = 0;
    for (let i = 0; i < n; i++)
      worst = Math.max(worst, Math.abs(withHeap[i] - loops[i]) / Math.max(1, Math.abs(loops[i])));
    expect(worst).toBeLessThan(1e-5);
  });
});
