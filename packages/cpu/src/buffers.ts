import ndarray, { type NdArray } from 'ndarray';
import ops from 'ndarray-ops';
import type { DType, TypedArray } from '@graphgrad/core';
import { allocTypedArray, dtypeOfTypedArray } from '@graphgrad/core';
import { contiguousStrides, type Shape } from '@graphgrad/core';
import { freeIfInHeap, HEAP_MIN_BYTES, heapHolding, wasmHeap } from './wasm/heap.ts';

/** The CPU backend's array: an ndarray view (shape, strides, offset) over a typed array. */
export type CpuArray = NdArray<TypedArray>;

// The compiled view classes ndarray builds per (dtype, rank), fetched once: calling their
// constructors directly skips ndarray()'s dtype sniffing (Object.prototype.toString, is-buffer),
// which cost about as much as a whole small kernel.
type ViewClass = new (...args: unknown[]) => CpuArray;
const MAX_DIRECT_RANK = 4;
// Indexed by rank, one list per dtype (no key string built per view: this runs for every array).
const VIEW_CLASSES = { float32: [] as ViewClass[], float64: [] as ViewClass[], int32: [] as ViewClass[] };

/** An ndarray view over `data`, like `ndarray(data, shape, stride, offset)` but cheaper. */
export function makeView(data: TypedArray, shape: Shape, stride: readonly number[], offset: number): CpuArray {
  const rank = shape.length;
  if (rank > MAX_DIRECT_RANK) return ndarray(data, [...shape], [...stride], offset);
  const dtype = dtypeOfTypedArray(data);
  const classes = VIEW_CLASSES[dtype];
  let View = classes[rank];
  if (View === undefined) {
    View = (
      ndarray(allocTypedArray(dtype, 0), new Array<number>(rank).fill(0), new Array<number>(rank).fill(0), 0) as {
        constructor: unknown;
      }
    ).constructor as ViewClass;
    classes[rank] = View;
  }
  switch (rank) {
    case 0:
      return new View(data, offset);
    case 1:
      return new View(data, shape[0], stride[0], offset);
    case 2:
      return new View(data, shape[0], shape[1], stride[0], stride[1], offset);
    case 3:
      return new View(data, shape[0], shape[1], shape[2], stride[0], stride[1], stride[2], offset);
    default:
      return new View(data, shape[0], shape[1], shape[2], shape[3], stride[0], stride[1], stride[2], stride[3], offset);
  }
}

// NOTE: V8 gives each typed array above 64 bytes its own off-heap backing store, which costs
// several times a small kernel (about 1.5 µs for 300 floats against 0.3 µs for a view into an
// existing buffer). So arrays of up to SMALL_BYTES are carved, zeroed and never reused, from shared
// slabs; a slab is garbage once no array over it is reachable. The smallest arrays come from slabs
// too, so that the ledger accounts for them per slab (see BufferLedger's groups).
const SLAB_BYTES = 32768;
const SMALL_BYTES = 2048;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

const BYTES = { float32: 4, float64: 8, int32: 4 } as const;
const VIEWS = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;

/** A zeroed typed array: from a slab when small, on its own buffer otherwise. */
function allocSmallOrLarge(dtype: DType, size: number): TypedArray {
  const bytes = size * BYTES[dtype];
  if (bytes > SMALL_BYTES) return allocTypedArray(dtype, size);
  if (slabUsed + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const data = new VIEWS[dtype](slab, slabUsed, size);
  slabUsed += (bytes + 7) & ~7; // the next array starts 8-byte aligned, as float64 needs
  return data;
}

const DISPOSED = Symbol('disposed');
const POOL_MIN_BYTES = 65536;
// NOTE: every array above the slabs' SMALL_BYTES is reused, not only large ones: a recurrent step's
// [20, 400] arrays (32 KB) were each a new ArrayBuffer, whose allocation and collection cost more
// than the [20, 100]·[100, 400] product that made them (about 13 µs of 50). A step holds dozens of
// arrays of one size at once, hence the number kept per size.
const REUSE_MIN_BYTES = SMALL_BYTES + 1;
const POOL_MAX_BYTES = 64 * 1024 * 1024;
const POOL_MAX_PER_SIZE = 64;

/** Buffers of one slab (or one large buffer) handed out and not released. */
interface Group {
  outstanding: number;
}

/**
 * Reference counts of the typed arrays behind CPU arrays: views (transpose, broadcast, reshape)
 * share their parent's buffer, and a buffer counts as live until its last handle is disposed, or
 * until the garbage collector reclaims the memory of one dropped without `dispose()`.
 */
export class BufferLedger {
  // NOTE: a buffer with no entry has exactly one handle; only buffers shared by views get an
  // entry. Inserting into a WeakMap (or WeakSet) on every allocation was a large part of a small
  // kernel's cost, as ephemeron tables are expensive for the garbage collector.
  #refs = new WeakMap<TypedArray, number>();
  #live = 0;
  // NOTE: for the same reason the collector is watched per group, not per array: a group is a slab
  // of small arrays (keyed by its ArrayBuffer), or one buffer of its own (a large ArrayBuffer, or a
  // typed array in the wasm heap, whose memory is shared). When a group's memory is reclaimed, the
  // buffers of it still counted live were dropped without dispose(), and leave the count.
  #groups = new WeakMap<object, Group>();
  #collected = new FinalizationRegistry<Group>((group) => {
    this.#live -= group.outstanding;
    group.outstanding = 0;
  });
  // NOTE: released large buffers are kept for reuse: a fresh 4 MB typed array costs about as much as
  // adding two 1e6-float arrays (the allocator zeroes it and the first writes fault its pages in).
  #pool = new Map<string, TypedArray[]>();
  #pooledBytes = 0;
  // NOTE: buffers known to hold only zeros, for outputs that start from zeros and are written in a
  // few places (ScatterAdd, the gradient of a gather): zeroing a large array, or taking a fresh one
  // (whose pages the OS zeroes as they are first touched), costs as much as the array is long, which
  // a gradient of 700 picked rows of a 50,000-row table must not. Such an output records how to put
  // its zeros back (`keepClean`), and when it is released only the places written are zeroed again.
  #clean = new Map<string, TypedArray[]>();
  #restores = new WeakMap<TypedArray, () => void>();

  /**
   * A new contiguous array. Its elements are zero unless `uninitialized` is set, which a kernel
   * that writes every element passes to skip the zeroing of a reused buffer.
   */
  alloc(shape: Shape, dtype: DType, uninitialized = false): CpuArray {
    let size = 1;
    for (let i = 0; i < shape.length; i++) size *= shape[i];
    const bytes = size * BYTES[dtype];
    if (dtype === 'float32' && bytes >= HEAP_MIN_BYTES) {
      // large float32 arrays live where the SIMD kernels can work on them in place (wasm/heap.ts)
      const placed = wasmHeap()?.alloc(size, uninitialized);
      if (placed != null) return this.adopt(placed, shape);
    }
    if (bytes >= REUSE_MIN_BYTES) {
      const reused = this.#pool.get(dtype + size)?.pop();
      if (reused !== undefined) {
        this.#pooledBytes -= bytes;
        if (!uninitialized) reused.fill(0);
        return this.adopt(reused, shape);
      }
    }
    return this.adopt(allocSmallOrLarge(dtype, size), shape);
  }

  /**
   * A new contiguous array of zeros for a kernel that writes only some of its elements, taken from
   * the buffers kept clean by `keepClean` when one of the size is free (no pass over it), else
   * allocated zeroed.
   */
  allocClean(shape: Shape, dtype: DType): CpuArray {
    let size = 1;
    for (let i = 0; i < shape.length; i++) size *= shape[i];
    const clean = this.#clean.get(dtype + size)?.pop();
    if (clean === undefined) return this.alloc(shape, dtype);
    this.#pooledBytes -= clean.byteLength;
    return this.adopt(clean, shape);
  }

  /**
   * Declares that `x` (from `allocClean`) differs from zeros only where `restore` writes zeros back:
   * when its last handle is released, `restore` runs and the buffer waits, all zeros again, for the
   * next `allocClean` of its size. Worth it for large arrays written in few places.
   */
  keepClean(x: CpuArray, restore: () => void): void {
    if (x.data.byteLength >= POOL_MIN_BYTES) this.#restores.set(x.data, restore);
  }

  #recycle(data: TypedArray): void {
    const restore = this.#restores.get(data);
    if (restore !== undefined) {
      this.#restores.delete(data);
      if (this.#keepZeros(data, restore)) return;
    }
    if (data instanceof Float32Array && freeIfInHeap(data)) return;
    if (data.byteLength < REUSE_MIN_BYTES || this.#pooledBytes + data.byteLength > POOL_MAX_BYTES) return;
    const key = dtypeOfTypedArray(data) + data.length;
    let list = this.#pool.get(key);
    if (list === undefined) this.#pool.set(key, (list = []));
    if (list.length >= POOL_MAX_PER_SIZE) return;
    list.push(data);
    this.#pooledBytes += data.byteLength;
  }

  /** Zeroes what `restore` knows was written and keeps `data` for `allocClean`; false when the pool is full. */
  #keepZeros(data: TypedArray, restore: () => void): boolean {
    const key = dtypeOfTypedArray(data) + data.length;
    let list = this.#clean.get(key);
    if (list === undefined) this.#clean.set(key, (list = []));
    if (list.length >= POOL_MAX_PER_SIZE || this.#pooledBytes + data.byteLength > POOL_MAX_BYTES) return false;
    restore();
    list.push(data);
    this.#pooledBytes += data.byteLength;
    return true;
  }

  /** A contiguous array over `data`, which the ledger now owns. */
  adopt(data: TypedArray, shape: Shape): CpuArray {
    this.#live++;
    const key = groupKey(data);
    let group = this.#groups.get(key);
    if (group === undefined) {
      this.#groups.set(key, (group = { outstanding: 0 }));
      this.#collected.register(key, group);
    }
    group.outstanding++;
    return makeView(data, shape, contiguousStrides(shape), 0);
  }

  /** A view sharing `base`'s buffer. */
  view(base: CpuArray, shape: Shape, stride: readonly number[], offset: number): CpuArray {
    this.#refs.set(base.data, (this.#refs.get(base.data) ?? 1) + 1);
    return makeView(base.data, shape, stride, offset);
  }

  release(x: CpuArray): void {
    const tagged = x as CpuArray & { [DISPOSED]?: true };
    if (tagged[DISPOSED] === true) return;
    tagged[DISPOSED] = true;
    const refs = this.#refs.get(x.data);
    if (refs === undefined) {
      this.#live--;
      this.#groups.get(groupKey(x.data))!.outstanding--;
      this.#recycle(x.data);
    } else if (refs > 2) this.#refs.set(x.data, refs - 1);
    else this.#refs.delete(x.data);
  }

  get live(): number {
    return this.#live;
  }
}

/** What the collector reclaims with `data`: its ArrayBuffer, unless that is the wasm heap's shared memory. */
function groupKey(data: TypedArray): object {
  return data instanceof Float32Array && heapHolding(data) !== null ? data : data.buffer;
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
 * `x` as rows of its last axis some stride apart: true when that axis is contiguous and the axes
 * before it fold into one axis of rows `rowStride` apart (0: one row repeated). A time step of a
 * sequence [N, T, C] (rows T·C apart), a slice of columns, a broadcast row; null for other views.
 */
export function rowsOf(x: CpuArray): { rows: number; cols: number; rowStride: number } | null {
  const r = x.shape.length;
  if (r === 0) return { rows: 1, cols: 1, rowStride: 1 };
  const cols = x.shape[r - 1];
  if (cols !== 1 && x.stride[r - 1] !== 1) return null;
  // NOTE: a row stride may be negative (a reversed slice), so "no row axis yet" is a flag, not -1
  let rowStride = cols;
  let found = false;
  let expected = 0;
  for (let i = r - 2; i >= 0; i--) {
    if (x.shape[i] === 1) continue;
    if (!found) rowStride = x.stride[i];
    else if (x.stride[i] !== expected) return null;
    found = true;
    expected = x.stride[i] * x.shape[i];
  }
  return { rows: cols === 0 ? 0 : x.size / cols, cols, rowStride };
}

/**
 * The elements of `x` as a row-major typed array and the index of its first element: `x`'s own
 * buffer when it is contiguous, otherwise an untracked temporary copy.
 */
export function rowMajor(x: CpuArray): { data: TypedArray; offset: number } {
  if (isContiguous(x)) return { data: x.data, offset: x.offset };
  const data = allocTypedArray(x.dtype, x.size);
  ops.assign(ndarray(data, [...x.shape], contiguousStrides(x.shape), 0), x);
  return { data, offset: 0 };
}
