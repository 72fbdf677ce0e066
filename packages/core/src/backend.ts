import type { DType, TypedArray } from './dtype.ts';
import { BackendError } from './errors.ts';
import type { Shape } from './shape.ts';

/**
 * A backend's handle to an array it owns. Everything else about it (strides, buffers) is the
 * backend's business; the core only reads its shape and dtype.
 */
export interface BackendArray {
  /** The array's shape. */
  readonly shape: Shape;
  /** The array's element type. */
  readonly dtype: DType;
}

/**
 * Elementwise kernels of one input; the output has the input's shape and dtype. `Log1p` is
 * log(1 + x) without rounding 1 + x, `Erf` the error function.
 */
export const UNARY_KERNELS = ['Neg', 'Exp', 'Log', 'Sqrt', 'Sigmoid', 'Tanh', 'Abs', 'Log1p', 'Erf'] as const;
/** The name of an elementwise kernel of one input: `'Exp'`, `'Sigmoid'`, … */
export type UnaryKernelName = (typeof UNARY_KERNELS)[number];

/**
 * Elementwise kernels of two inputs of one dtype, broadcast numpy's way. The comparisons (`Greater`,
 * `GreaterEqual`, `Equal`, `NotEqual`) give 1 or 0 in the inputs' dtype; `Maximum` and `Minimum`
 * propagate NaN; `Pow` is C's pow (numpy's: 1 to any power, NaN included, is 1).
 */
export const BINARY_KERNELS = [
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Maximum',
  'Greater',
  'Minimum',
  'Pow',
  'GreaterEqual',
  'Equal',
  'NotEqual',
] as const;
/** The name of an elementwise kernel of two inputs: `'Add'`, `'Mul'`, … */
export type BinaryKernelName = (typeof BINARY_KERNELS)[number];

/** Reductions along a sorted list of axes (Max and Min propagate NaN). */
export const REDUCE_KERNELS = ['Sum', 'Max', 'Min'] as const;
/** The name of a reduction kernel: `'Sum'`, `'Max'` or `'Min'`. */
export type ReduceKernelName = (typeof REDUCE_KERNELS)[number];

/** The kernels that are neither elementwise nor reductions. */
export const OTHER_KERNELS = [
  'ArgMax',
  'MatMul',
  'Transpose',
  'BroadcastTo',
  'Reshape',
  'Gather',
  'OneHot',
  'Cast',
  'Softmax',
  'SoftmaxCrossEntropy',
  'ScatterAdd',
  'Slice',
  'SliceScatter',
  'Concat',
  'Where',
  'Cumsum',
  'LSTMCell',
  'LSTMCellBackward',
  'GRUCell',
  'GRUCellBackward',
] as const;

/** Every kernel a backend implements; the conformance suite has a case for each. */
export const KERNEL_NAMES = [...UNARY_KERNELS, ...BINARY_KERNELS, ...REDUCE_KERNELS, ...OTHER_KERNELS] as const;
/** The name of any kernel, the key of the `Kernels` table. */
export type KernelName = (typeof KERNEL_NAMES)[number];

type A = BackendArray;

/** The signature of every kernel other than the elementwise and reduction families. */
interface OtherKernelSignatures {
  /** Index of the largest element along `axis` (int32, the axis removed); the first one on ties. */
  ArgMax: (x: A, axis: number) => A;
  /**
   * `op(a) · op(b)` over the last two axes, where `op` swaps those two axes when its flag is set (no
   * copy is made). Both operands have at least two axes; the axes before the last two are batch axes,
   * broadcast numpy's way (`[B, T, H] · [H, V]` is `[B, T, V]`), and the output is
   * `[...broadcast batch axes, M, N]`.
   */
  MatMul: (a: A, b: A, transposeA: boolean, transposeB: boolean) => A;
  /** Permutes the axes (`perm[i]` is the input axis that becomes output axis `i`). */
  Transpose: (x: A, perm: readonly number[]) => A;
  /** Broadcasts `x` to `shape` (numpy's rules; a view where the backend can). */
  BroadcastTo: (x: A, shape: Shape) => A;
  /** The same elements in row-major order under a new shape of the same size. */
  Reshape: (x: A, shape: Shape) => A;
  /**
   * Slices of `x` along `axis` picked by the int32 `indices` (numpy's `take`): the output is
   * `[...x.shape[:axis], ...indices.shape, ...x.shape[axis+1:]]`; a slice picked by an index outside
   * [0, x.shape[axis]) is NaN (0 in int32).
   */
  Gather: (x: A, indices: A, axis: number) => A;
  /** One-hot rows of `depth` columns for int32 class `indices`, in `dtype`; a row of NaN (0 in int32) for an index outside [0, depth). */
  OneHot: (indices: A, depth: number, dtype: DType) => A;
  /** The same values in another dtype (float to int32 truncates toward zero). */
  Cast: (x: A, dtype: DType) => A;
  /** Softmax along the last axis, computed after subtracting each row's maximum. */
  Softmax: (x: A) => A;
  /**
   * Per-row cross entropy of softmax(logits) against target probabilities, both [N, C]:
   * out[n] = logsumexp(logits[n]) - Σ_c target[n, c] · logits[n, c]; the output is [N].
   */
  SoftmaxCrossEntropy: (logits: A, target: A) => A;
  /**
   * The adjoint of `Gather`: a zero array of `values.shape[:axis] + [size] + values.shape[axis +
   * indices.rank:]` into which each slice of `values` is added at its index along `axis` (slices
   * sharing an index add up, in the order of the picks). Values whose index is outside [0, size)
   * are added nowhere.
   */
  ScatterAdd: (values: A, indices: A, axis: number, size: number) => A;
  /**
   * The elements `starts[d] + i·steps[d]` for `i < shape[d]` along every axis `d` (steps non-zero,
   * every element read inside `x`): numpy's basic slice with its bounds resolved. A view when every
   * step is positive; a copy otherwise, so that no negative stride reaches another kernel.
   */
  Slice: (x: A, starts: readonly number[], steps: readonly number[], shape: Shape) => A;
  /**
   * A zero-filled array of `shape` with `x` written where `Slice(·, starts, steps, x.shape)` reads:
   * the backward of a slice (`torch.slice_scatter` into zeros).
   */
  SliceScatter: (x: A, starts: readonly number[], steps: readonly number[], shape: Shape) => A;
  /** The arrays (of one dtype and rank, of equal lengths except along `axis`) joined along `axis`. */
  Concat: (xs: readonly A[], axis: number) => A;
  /**
   * `cond ? a : b` for each element, the three broadcast together numpy's way, in the dtype of `a`
   * and `b` (one dtype); `cond` may have any dtype, and any nonzero value (NaN included) is true.
   */
  Where: (cond: A, a: A, b: A) => A;
  /** Running sums along `axis` (the first element, then the first two, …); from the last element backwards when `reverse`. */
  Cumsum: (x: A, axis: number, reverse: boolean) => A;
  /**
   * One LSTM step's gate arithmetic, from the gates' pre-activations `gates` [N, 4H] (the book's
   * order f, g, i, o) and the cell `c` [N, H]: c' = σ(f)·c + tanh(g)·σ(i) and h' = σ(o)·tanh(c'),
   * returned as one [2, N, H] array, h' then c'.
   */
  LSTMCell: (gates: A, c: A) => A;
  /**
   * The gradients of `LSTMCell`'s inputs from `dh` and `dc`, those of h' and c' ([N, H] each): one
   * flat array of N·4H elements (of the gates, [N, 4H] row-major) then N·H (of c).
   */
  LSTMCellBackward: (gates: A, c: A, dh: A, dc: A) => A;
  /**
   * One GRU step (PyTorch's), from the input's share `xg` = x·Wx + bx and the recurrent share
   * `hg` = h·Wh + bh ([N, 3H] each, gates r, z, n) and `h` [N, H]: r = σ(xr + hr),
   * z = σ(xz + hz), n = tanh(xn + r·hn), h' = (1 - z)·n + z·h, [N, H].
   */
  GRUCell: (xg: A, hg: A, h: A) => A;
  /**
   * The gradients of `GRUCell`'s inputs from `dy`, that of h' [N, H]: one flat array of N·3H (of
   * xg), N·3H (of hg) and N·H (of h) elements.
   */
  GRUCellBackward: (xg: A, hg: A, h: A, dy: A) => A;
}

/**
 * The kernel table: a mapped type over the kernel names, so a backend that forgets a kernel is a
 * compile error.
 */
export type Kernels = { readonly [K in UnaryKernelName]: (x: A) => A } & {
  readonly [K in BinaryKernelName]: (a: A, b: A) => A;
} & {
  readonly [K in ReduceKernelName]: (x: A, axes: readonly number[], keepDims: boolean) => A;
} & { readonly [K in (typeof OTHER_KERNELS)[number]]: OtherKernelSignatures[K] };

/**
 * A backend: storage (create, read back, free) plus the kernel table. Kernels only enqueue work on
 * an asynchronous device; `read` resolves once the values are on the host.
 */
export interface Backend {
  /** A short name for messages: `'cpu'`, `'webgpu'`. */
  readonly name: string;
  /** The kernel table, keyed by kernel name. */
  readonly kernels: Kernels;
  /** The dtypes this backend can hold; others are rejected with a `BackendError`. */
  readonly dtypes: readonly DType[];
  /** A new array holding a copy of `data` (row-major) under `shape`. */
  fromData(data: TypedArray, shape: Shape, dtype: DType): A;
  /** A new array of `shape` with every element `value`. */
  fill(shape: Shape, value: number, dtype: DType): A;
  /** A row-major copy of the array's values, once they are on the host. */
  read(x: A): Promise<TypedArray>;
  /** The same, synchronously, on backends whose memory the host can read directly. */
  readSync?(x: A): TypedArray;
  /**
   * The array's values when the host still holds them, on a backend without `readSync`: an
   * asynchronous backend keeps a copy of the int32 data it uploads (minibatch indices, labels), so
   * that the nodes can check indices at the call instead of waiting for the device. Undefined when
   * only the device knows the values (a kernel's output).
   */
  hostValues?(x: A): TypedArray | undefined;
  /** Releases the array; its memory goes back once no view shares it. */
  dispose(x: A): void;
  /** Number of device buffers currently allocated and not yet released. */
  liveBuffers(): number;
}

let current: Backend | null = null;

/**
 * The backend new tensors are created on: the one `setBackend` chose. The `graphgrad` package sets
 * the CPU backend when it is imported; with `@graphgrad/core` alone, call `setBackend` first (or
 * pass `{ backend }` to each creation function).
 */
export function getBackend(): Backend {
  if (current === null) {
    throw new BackendError(
      "getBackend: no backend is set; import 'graphgrad' (which sets the CPU backend) or call setBackend(cpuBackend()) from '@graphgrad/cpu'",
    );
  }
  return current;
}

/** Makes `backend` the default for tensors created from now on. Existing tensors stay where they are. */
export function setBackend(backend: Backend): void {
  if (backend === null || typeof backend !== 'object' || typeof backend.fromData !== 'function') {
    throw new BackendError('setBackend: expected a Backend (for example cpuBackend() or createWebGPUBackend())');
  }
  current = backend;
}
