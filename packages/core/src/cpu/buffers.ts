import ndarray, { type NdArray } from 'ndarray';
import ops from 'ndarray-ops';
import type { DType, TypedArray } from '../dtype.ts';
import { allocTypedArray } from '../dtype.ts';
import { contiguousStrides, type Shape } from '../shape.ts';

/** The CPU backend's array: an ndarray view (shape, strides, offset) over a typed array. */
export type CpuArray = NdArray<TypedArray>;

/**
 * Reference counts of the typed arrays behind CPU arrays: views (transpose, broadcast, reshape)
 * share their parent's buffer, and a buffer counts as live until its last handle is disposed.
 */
export class BufferLedger {
  #refs = new WeakMap<TypedArray, number>();
  #disposed = new WeakSet<CpuArray>();
  #live = 0;

  /** A new contiguous array over a fresh zeroed buffer. */
  alloc(shape: Shape, dtype: DType): CpuArray {
    const size = shape.reduce((n, d) => n * d, 1);
    return this.adopt(allocTypedArray(dtype, size), shape);
  }

  /** A contiguous array over `data`, which the ledger now owns. */
  adopt(data: TypedArray, shape: Shape): CpuArray {
    this.#refs.set(data, 1);
    this.#live++;
    return ndarray(data, [...shape], contiguousStrides(shape), 0);
  }

  /** A view sharing `base`'s buffer. */
  view(base: CpuArray, shape: Shape, stride: readonly number[], offset: number): CpuArray {
    this.#refs.set(base.data, (this.#refs.get(base.data) ?? 0) + 1);
    return ndarray(base.data, [...shape], [...stride], offset);
  }

  release(x: CpuArray): void {
    if (this.#disposed.has(x)) return;
    this.#disposed.add(x);
    const refs = (this.#refs.get(x.data) ?? 0) - 1;
    if (refs > 0) this.#refs.set(x.data, refs);
    else if (refs === 0) {
      this.#refs.delete(x.data);
      this.#live--;
    }
  }

  get live(): number {
    return this.#live;
  }
}

/** True when `x` is laid out row-major without gaps, so its elements are data[offset .. offset+size). */
export function isContiguous(x: CpuArray): boolean {
  let expected = 1;
  for (let i = x.shape.length - 1; i >= 0; i--) {
    if (x.shape[i] !== 1 && x.stride[i] !== expected) return false;
    expected *= x.shape[i];
  }
  return true;
}

/**
 * The elements of `x` as a row-major typed array and the index of its first element: `x`'s own
 * buffer when it is contiguous, otherwise an untracked temporary copy.
 */
export function rowMajor(x: CpuArray): { data: TypedArray; offset: number } {
  if (isContiguous(x)) return { data: x.data, offset: x.offset };
  const data = allocTypedArray(x.dtype as DType, x.size);
  ops.assign(ndarray(data, [...x.shape], contiguousStrides(x.shape), 0), x);
  return { data, offset: 0 };
}
