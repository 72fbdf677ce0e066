/**
 * Where each CPU kernel leaves plain JavaScript for WebAssembly SIMD, and where a matrix product is
 * split over threads: every size threshold of the backend, in one place, each with the measurement
 * that set it (`bench/README.md`, "What the CPU backend's kernels do", gives the tables). A kernel
 * below its threshold runs the plain typed-array loops; float64 and int32 always do, except large
 * float64 products (ndarray-gemm above `LOOP_MAX_MACS`).
 *
 * | kernel                | plain loop below          | WebAssembly SIMD from | threads from         |
 * | --------------------- | ------------------------- | --------------------- | -------------------- |
 * | float32 MatMul        | 512 multiply-adds, 4 rows | 512 multiply-adds     | 2^20 multiply-adds   |
 * | Sigmoid               | 32 elements               | 32 elements           | —                    |
 * | Add, Sub, Mul, Div, … | 4,096 elements            | 4,096 elements        | —                    |
 * | Sum, leading axes     | 4,096 elements            | 4,096 (in the heap)   | —                    |
 * | Softmax, its loss     | 64 elements               | 64 elements           | —                    |
 */

/**
 * float32 products of this many multiply-adds (and at least `WASM_MIN_ROWS` rows, one register
 * block) go to the SIMD kernel: below it, packing panels costs more than the plain loop spends. The
 * spiral net's products (600–900) take 1.9–2.5 µs there against 2.5–4.0 µs in the loop, except
 * (30×2)ᵀ·30×10, whose 2 rows fill half a block (1.7 µs in the loop, 1.9 µs).
 */
export const WASM_MIN_MACS = 512;
/** See {@link WASM_MIN_MACS}. */
export const WASM_MIN_ROWS = 4;
/** Below this many multiply-adds any dtype takes the plain loop; above, float64 takes ndarray-gemm. */
export const LOOP_MAX_MACS = 64 * 64 * 64;
/**
 * From this many multiply-adds a float32 product is split over threads: below it, waking a worker
 * (tens of microseconds when it sleeps) costs about what its share would save. The LSTM's
 * 20×100·100×400 gate product (8e5) stays on one thread; 1024³ and a language model's output layer
 * (700×100·100×10,000) are split.
 */
export const THREAD_MIN_MACS = 1 << 20;

/**
 * From this many float32 elements sigmoid runs in WebAssembly SIMD: measured faster than the
 * Math.exp loop from about 32 elements (3.6× at 64, 5× at 300), the copies in and out included.
 */
export const WASM_SIGMOID_MIN = 32;
/**
 * From this many float32 elements a same-shape or row-broadcast binary operation runs in SIMD:
 * below it the loops of binary-loops.ts, free of index arithmetic, are as fast as the call.
 */
export const WASM_BINARY_MIN = 4096;
/**
 * From this many float32 elements a reduction along leading axes (a bias's gradient: [N, C] summed
 * over N) runs in WebAssembly SIMD when the input lives in the wasm heap.
 */
export const WASM_REDUCE_MIN = 4096;
/**
 * From this many float32 elements softmax and the cross entropy run in WebAssembly SIMD: each
 * element's Math.exp costs several nanoseconds, the vector exponential a fraction of one.
 */
export const WASM_SOFTMAX_MIN = 64;
