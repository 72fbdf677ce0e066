import { MAX_THREADS, type WasmHeap } from './heap.ts';
import { SIMD_BINARY } from './simd-kernels.ts';
import { ThreadPool } from './threads.ts';

/** The heap module's functions a worker may be asked to run. */
const WORKER_FUNCTIONS = ['gemm', 'sigmoid', ...SIMD_BINARY] as const;

let pool: ThreadPool | null | undefined;

/**
 * The threads the host has, as many as a product may be split over by default (at most
 * MAX_THREADS): Node's `os.availableParallelism()`, a browser's `navigator.hardwareConcurrency`.
 */
export function hardwareThreads(): number {
  const nodeProcess = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = nodeProcess?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  const n =
    os?.availableParallelism?.() ??
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.max(1, Math.min(MAX_THREADS, n ?? 1));
}

/**
 * The worker threads over the heap's shared memory, started on first use by a caller that wants
 * `threads` threads: one fewer than that or the host's threads, whichever is more (the calling
 * thread computes a share too), at most MAX_THREADS - 1. Null where the heap is not shared.
 */
export function heapThreadPool(heap: WasmHeap, threads: number): ThreadPool | null {
  if (pool !== undefined) return pool;
  pool = null;
  const workers = Math.min(MAX_THREADS, Math.max(threads, hardwareThreads())) - 1;
  if (!heap.shared || workers < 1) return null;
  const k = heap.kernels;
  const exports: Record<(typeof WORKER_FUNCTIONS)[number], (...args: number[]) => void> = {
    gemm: k.gemm,
    sigmoid: k.sigmoid,
    ...k.binary,
  };
  try {
    pool = new ThreadPool(heap.module, k.memory, exports, WORKER_FUNCTIONS, workers);
  } catch {
    pool = null; // a worker could not be started (a browser's content security policy, say)
  }
  return pool;
}
