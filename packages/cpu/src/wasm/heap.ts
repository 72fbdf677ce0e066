import { GEMM_SCRATCH_BYTES } from './gemm-body.ts';
import { compileSimdModule, instantiateKernels, relaxedSimdSupported, type SimdKernels } from './simd-kernels.ts';
import { canStartWorkers } from './threads.ts';

/**
 * Where the CPU backend keeps its large float32 arrays: one WebAssembly memory of fixed size,
 * with the SIMD kernels instantiated over it, so that elementwise kernels on such arrays run in
 * place instead of copying their operands into the kernels' scratch memory and the result out
 * (three extra passes over memory, which cost more than the arithmetic: an add of 1e6 floats took
 * 0.65 ms with the copies and 0.16 ms in place). Where this thread can start workers, the memory is
 * shared, so that worker threads run kernels on the same arrays (threads.ts).
 *
 * NOTE: the memory is never grown: growing a WebAssembly memory detaches its buffer, which would
 * empty every typed array over it (and a shared one cannot grow past its maximum). When the heap is
 * full, arrays go to ordinary buffers (and the kernels copy, as before).
 */
export interface WasmHeap {
  /**
   * A float32 array of `length` elements in the heap (zeroed unless `uninitialized`, for a kernel
   * that writes every element), or null when it does not fit.
   */
  alloc(length: number, uninitialized?: boolean): Float32Array | null;
  /** Returns an array's block to the heap (the array must not be used again). */
  free(data: Float32Array): void;
  /** Whether `data` lives in the heap. */
  holds(data: Float32Array): boolean;
  /** The kernels over the heap's memory; their addresses are `data.byteOffset`s of heap arrays. */
  readonly kernels: SimdKernels;
  /** The compiled module, which a worker instantiates over the same (shared) memory. */
  readonly module: WebAssembly.Module;
  /** Whether the memory is shared (worker threads can run kernels on it). */
  readonly shared: boolean;
  /**
   * The byte address of thread `slot`'s scratch memory for the matrix product (GEMM_SCRATCH_BYTES,
   * above the arrays), for slots below {@link MAX_THREADS}.
   */
  scratch(slot: number): number;
  /** Bytes of the heap held by arrays now. */
  readonly bytesInUse: number;
}

const PAGE = 65536;
/**
 * Blocks are 2^order pages; the largest order is the whole heap: 2^14 pages, 1 GiB of address space
 * (a language model's [700, 10000] float32 arrays take 32 MiB blocks), or 2^12 pages, 256 MiB,
 * where the runtime refuses the larger memory. Pages never touched cost address space only.
 */
const HEAP_ORDERS = [14, 12];
/** The most threads a product is split over (each has a scratch area above the arrays). */
export const MAX_THREADS = 8;
const SCRATCH_PAGES = Math.ceil(GEMM_SCRATCH_BYTES / 65536);
// NOTE: one page above the arrays is never handed out (kernels read up to 15 floats past a view's
// end); the threads' scratch areas follow it.
const scratchFrom = (maxOrder: number): number => ((1 << maxOrder) + 1) * PAGE;
const memoryPages = (maxOrder: number): number => (1 << maxOrder) + 1 + MAX_THREADS * SCRATCH_PAGES;
/** Arrays from this size go to the heap (smaller ones are cheaper in ordinary buffers). */
export const HEAP_MIN_BYTES = PAGE;

let heap: WasmHeap | null | undefined;
let disabled = false;

/** Turns the heap off (or back on) for arrays allocated from now on; for tests. Not public API. */
export function setWasmHeapDisabled(value: boolean): void {
  disabled = value;
}

/**
 * Gives `data`'s block back if it lives in the heap (even while the heap is turned off for new
 * arrays); false for any other array.
 */
export function freeIfInHeap(data: Float32Array): boolean {
  const holder = heapHolding(data);
  holder?.free(data);
  return holder !== null;
}

/** A fixed memory of `pages`, shared where this thread can start workers and the runtime allows it. */
function heapMemory(pages: number): { memory: WebAssembly.Memory; shared: boolean } | null {
  if (canStartWorkers()) {
    try {
      return { memory: new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }), shared: true };
    } catch {
      // shared memory refused (a browser page that is not cross-origin isolated), or too large
    }
  }
  try {
    return { memory: new WebAssembly.Memory({ initial: pages }), shared: false };
  } catch {
    return null; // no room for the memory
  }
}

/** The heap, created on first use, or null where WebAssembly SIMD or a 256 MiB memory is unavailable. */
export function wasmHeap(): WasmHeap | null {
  if (disabled) return null;
  if (heap !== undefined) return heap;
  heap = null;
  if (typeof WebAssembly !== 'object') return null;
  for (const maxOrder of HEAP_ORDERS) {
    const pages = memoryPages(maxOrder);
    const made = heapMemory(pages);
    if (made === null) continue;
    const { memory, shared } = made;
    const fma = relaxedSimdSupported();
    const module = compileSimdModule(shared ? { shared: { pages }, fma } : { fma });
    if (module === null) return null;
    heap = createHeap(instantiateKernels(module, memory), module, shared, maxOrder);
    return heap;
  }
  return null;
}

/**
 * A buddy allocator over the heap's pages: a block of 2^k pages starts at a multiple of 2^k; a
 * request takes the smallest free block that fits, halving it as needed, and a freed block merges
 * with its free buddy, so space freed by arrays of one size serves arrays of another.
 */
function createHeap(kernels: SimdKernels, module: WebAssembly.Module, shared: boolean, maxOrder: number): WasmHeap {
  const buffer = kernels.memory.buffer;
  // free[k]: first pages of the free blocks of 2^k pages
  const free: Set<number>[] = Array.from({ length: maxOrder + 1 }, () => new Set<number>());
  free[maxOrder].add(0);
  const orderOf = new Map<number, number>(); // first page of a block in use → its order
  // NOTE: pages from `untouched` up have never held an array, so they are still zero: a block
  // there needs no zeroing (the usual case, as blocks are taken from the bottom).
  let untouched = 0;
  let inUse = 0;
  // An array dropped without dispose() gives its block back when it is collected.
  const collected = new FinalizationRegistry<number>((page) => release(page));

  function take(order: number): number | undefined {
    let k = order;
    while (k <= maxOrder && free[k].size === 0) k++;
    if (k > maxOrder) return undefined;
    const page: number = free[k].values().next().value!;
    free[k].delete(page);
    // halve down to the order asked for, freeing the upper halves
    while (k > order) {
      k--;
      free[k].add(page + (1 << k));
    }
    return page;
  }

  function release(page: number): void {
    let order = orderOf.get(page);
    if (order === undefined) return;
    orderOf.delete(page);
    inUse -= (1 << order) * PAGE;
    while (order < maxOrder && free[order].delete(page ^ (1 << order))) {
      page &= ~(1 << order);
      order++;
    }
    free[order].add(page);
  }

  return {
    kernels,
    module,
    shared,
    scratch: (slot) => scratchFrom(maxOrder) + slot * SCRATCH_PAGES * PAGE,
    get bytesInUse() {
      return inUse;
    },
    holds: (data) => data.buffer === buffer,
    alloc(length, uninitialized = false) {
      const pages = Math.max(1, Math.ceil((length * 4) / PAGE));
      const order = Math.ceil(Math.log2(pages));
      if (order > maxOrder) return null;
      const page = take(order);
      if (page === undefined) return null;
      orderOf.set(page, order);
      inUse += (1 << order) * PAGE;
      const data = new Float32Array(buffer, page * PAGE, length);
      if (page < untouched && !uninitialized) kernels.zero(page * PAGE, length * 4);
      untouched = Math.max(untouched, page + (1 << order));
      collected.register(data, page, data);
      return data;
    },
    free(data) {
      collected.unregister(data);
      release(data.byteOffset / PAGE);
    },
  };
}

/** Where an operand of `length` floats from `offset` sits in the heap, and the temporary block holding it if it was copied in. */
interface Placed {
  readonly at: number;
  readonly temporary: Float32Array | null;
}

/**
 * The heap address of `x[offset … offset+length)`: where it is, for an array in the heap, or of a
 * temporary copy (given back with {@link releasePlaced}); null when the copy does not fit.
 */
export function placeInHeap(h: WasmHeap, x: Float32Array, offset: number, length: number): Placed | null {
  if (h.holds(x)) return { at: x.byteOffset + offset * 4, temporary: null };
  const temporary = h.alloc(length, true);
  if (temporary === null) return null;
  temporary.set(x.subarray(offset, offset + length));
  return { at: temporary.byteOffset, temporary };
}

/** Gives back the temporary copy of a placed operand, if there is one. */
export function releasePlaced(h: WasmHeap, placed: Placed): void {
  if (placed.temporary !== null) h.free(placed.temporary);
}

/** The heap that holds `data` (even while it is turned off for new arrays), or null. */
export function heapHolding(data: Float32Array): WasmHeap | null {
  return heap != null && heap.holds(data) ? heap : null;
}
