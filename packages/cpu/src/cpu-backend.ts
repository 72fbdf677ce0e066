import { BINARY_KERNELS, REDUCE_KERNELS, UNARY_KERNELS } from '@graphgrad/core';
import type { Backend, BackendArray, Kernels } from '@graphgrad/core';
import type { DType, TypedArray } from '@graphgrad/core';
import { formatShape, sizeOf, type Shape } from '@graphgrad/core';
import { ArgumentError, ShapeError } from '@graphgrad/core';
import { BufferLedger, rowMajor, type CpuArray } from './buffers.ts';
import { binary, unary, where } from './elementwise.ts';
import { broadcastTo, cast, gather, oneHot, reshape, transpose } from './layout.ts';
import { matmul } from './matmul.ts';
import { argMax, reduce } from './reduce.ts';
import { gruCell, gruCellBackward, lstmCell, lstmCellBackward } from './recurrent-cells.ts';
import { cumsum } from './scan.ts';
import { scatterAdd } from './scatter-add.ts';
import { concat, slice, sliceScatter } from './slicing.ts';
import { softmax, softmaxCrossEntropy } from './softmax.ts';
import { hardwareThreads } from './wasm/heap-threads.ts';

const cpu = (x: BackendArray): CpuArray => x as unknown as CpuArray;
const handle = (x: CpuArray): BackendArray => x;

function buildKernels(ledger: BufferLedger, threads: number): Kernels {
  const unaryKernels = Object.fromEntries(
    UNARY_KERNELS.map((name) => [name, (x: BackendArray) => handle(unary(ledger, name, cpu(x)))]),
  );
  const binaryKernels = Object.fromEntries(
    BINARY_KERNELS.map((name) => [
      name,
      (a: BackendArray, b: BackendArray) => handle(binary(ledger, name, cpu(a), cpu(b))),
    ]),
  );
  const reduceKernels = Object.fromEntries(
    REDUCE_KERNELS.map((name) => [
      name,
      (x: BackendArray, axes: readonly number[], keepDims: boolean) =>
        handle(reduce(ledger, name, cpu(x), axes, keepDims)),
    ]),
  );
  return {
    ...(unaryKernels as Pick<Kernels, (typeof UNARY_KERNELS)[number]>),
    ...(binaryKernels as Pick<Kernels, (typeof BINARY_KERNELS)[number]>),
    ...(reduceKernels as Pick<Kernels, (typeof REDUCE_KERNELS)[number]>),
    ArgMax: (x, axis) => handle(argMax(ledger, cpu(x), axis)),
    MatMul: (a, b, ta, tb) => handle(matmul(ledger, cpu(a), cpu(b), ta, tb, threads)),
    Transpose: (x, perm) => handle(transpose(ledger, cpu(x), perm)),
    BroadcastTo: (x, shape) => handle(broadcastTo(ledger, cpu(x), shape)),
    Reshape: (x, shape) => handle(reshape(ledger, cpu(x), shape)),
    Gather: (x, indices, axis) => handle(gather(ledger, cpu(x), cpu(indices), axis)),
    OneHot: (indices, depth, dtype) => handle(oneHot(ledger, cpu(indices), depth, dtype)),
    Cast: (x, dtype) => handle(cast(ledger, cpu(x), dtype)),
    Softmax: (x) => handle(softmax(ledger, cpu(x))),
    SoftmaxCrossEntropy: (logits, target) => handle(softmaxCrossEntropy(ledger, cpu(logits), cpu(target))),
    ScatterAdd: (values, indices, axis, size) => handle(scatterAdd(ledger, cpu(values), cpu(indices), axis, size)),
    Slice: (x, starts, steps, shape) => handle(slice(ledger, cpu(x), starts, steps, shape)),
    SliceScatter: (x, starts, steps, shape) => handle(sliceScatter(ledger, cpu(x), starts, steps, shape)),
    Concat: (xs, axis) => handle(concat(ledger, xs.map(cpu), axis)),
    Where: (cond, a, b) => handle(where(ledger, cpu(cond), cpu(a), cpu(b))),
    Cumsum: (x, axis, reverse) => handle(cumsum(ledger, cpu(x), axis, reverse)),
    LSTMCell: (gates, c) => handle(lstmCell(ledger, cpu(gates), cpu(c))),
    LSTMCellBackward: (gates, c, dh, dc) => handle(lstmCellBackward(ledger, cpu(gates), cpu(c), cpu(dh), cpu(dc))),
    GRUCell: (xg, hg, h) => handle(gruCell(ledger, cpu(xg), cpu(hg), cpu(h))),
    GRUCellBackward: (xg, hg, h, dy) => handle(gruCellBackward(ledger, cpu(xg), cpu(hg), cpu(h), cpu(dy))),
  };
}

/** Options of {@link cpuBackend}. */
export interface CpuBackendOptions {
  /**
   * Threads a large float32 matrix product is split over (default: the host's logical cores, at
   * most 8). Worker threads need shared WebAssembly memory and a thread that may block: Node, or a
   * browser's worker on a cross-origin isolated page; elsewhere every kernel runs on the calling
   * thread whatever this says. 1 keeps every kernel on the calling thread.
   */
  readonly threads?: number;
}

/**
 * The CPU backend: ndarray views over typed arrays. Contiguous operands go through plain loops,
 * float32 matrix products, sigmoid and large elementwise operations through WebAssembly SIMD
 * kernels emitted at run time, other strided views through ndarray-ops and ndarray-gemm. Holds
 * float32, float64 and int32, and reads back synchronously too.
 */
export class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly dtypes: readonly DType[] = ['float32', 'float64', 'int32'];
  readonly kernels: Kernels;
  /** Threads a large matrix product may be split over (see {@link CpuBackendOptions}). */
  readonly threads: number;
  readonly #ledger = new BufferLedger();

  constructor(options: CpuBackendOptions = {}) {
    const { threads = hardwareThreads() } = options;
    if (!Number.isInteger(threads) || threads < 1)
      throw new ArgumentError(`cpuBackend: threads must be a whole number ≥ 1, got ${String(threads)}`);
    this.threads = threads;
    this.kernels = buildKernels(this.#ledger, threads);
  }

  fromData(data: TypedArray, shape: Shape, dtype: DType): BackendArray {
    if (data.length !== sizeOf(shape))
      throw new ShapeError(`cpu fromData: ${data.length} values cannot take shape ${formatShape(shape)}`);
    // the ledger's allocation, so that a large float32 upload lands where the SIMD kernels work in place
    const out = this.#ledger.alloc(shape, dtype, true);
    out.data.set(data);
    return handle(out);
  }

  fill(shape: Shape, value: number, dtype: DType): BackendArray {
    const out = this.#ledger.alloc(shape, dtype);
    // NOTE: Object.is, so that -0 (which equals 0) is written and keeps its sign.
    if (!Object.is(value, 0)) out.data.fill(value);
    return handle(out);
  }

  read(x: BackendArray): Promise<TypedArray> {
    return Promise.resolve(this.readSync(x));
  }

  readSync(x: BackendArray): TypedArray {
    const a = cpu(x);
    const { data, offset } = rowMajor(a);
    return data === a.data ? data.slice(offset, offset + a.size) : data;
  }

  dispose(x: BackendArray): void {
    this.#ledger.release(cpu(x));
  }

  liveBuffers(): number {
    return this.#ledger.live;
  }
}

/**
 * Creates a CPU backend (each has its own buffer accounting).
 *
 * @example
 * setBackend(cpuBackend()); // large products on every core
 * const single = cpuBackend({ threads: 1 }); // every kernel on the calling thread
 */
export function cpuBackend(options: CpuBackendOptions = {}): CpuBackend {
  return new CpuBackend(options);
}
