import type { Backend, BackendArray } from './backend.ts';
import type { DType, TypedArray } from './dtype.ts';
import { isFloatDType } from './dtype.ts';
import { BackendError, DisposedTensorError, DTypeError, ShapeError } from './errors.ts';
import { backward, type BackwardOptions } from './engine.ts';
import type { GraphNode } from './node.ts';
import { Scoped, untrack } from './scope.ts';
import { formatShape, shapesEqual, sizeOf, type Shape } from './shape.ts';

let nextId = 0;

/** How a tensor came to be: its node and which of the node's outputs it is. */
export interface TensorOrigin {
  /** The recorded node that computed the tensor. */
  readonly node: GraphNode;
  /** Which of the node's outputs the tensor is (0 unless the node has several). */
  readonly outputIndex: number;
}

/**
 * The operations a tensor has as methods (`x.matmul(W).add(b).tanh()`). Empty here: the package
 * of the operations, `@graphgrad/nodes`, declares them (declaration merging) and adds them to
 * `Tensor.prototype` when it is imported, so core depends on no operation. Each method is the
 * function of the same name with the tensor as its first argument (`x.add(y)` is `add(x, y)`); the
 * list is in docs/ops.md.
 *
 * @example
 * const loss = x.matmul(W).add(b).tanh().sum();
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TensorMethods {}

/** The chained operations are members of every tensor (see `TensorMethods`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface Tensor extends TensorMethods {}

/**
 * An n-dimensional array on a backend, and a vertex of the computational graph when it requires
 * a gradient. Create tensors with `tensor`, `zeros`, `ones`, `full`, `randn` or `rand`; operations
 * come from `@graphgrad/nodes`.
 *
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.shape; // [2, 2]
 * await x.data(); // Float32Array [1, 2, 3, 4]
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Tensor extends Scoped {
  /** A process-wide serial number, for messages and graph pictures. */
  readonly id = nextId++;
  /** Length of each axis (`[]` for a scalar). */
  readonly shape: Shape;
  /** Element type: float32 (the default), float64 or int32. */
  readonly dtype: DType;
  /** The backend that holds the values and runs the kernels. */
  readonly backend: Backend;
  /** The accumulated gradient after `backward()`, shaped like this tensor; null before. */
  grad: Tensor | null = null;
  /** The node that produced this tensor, or null for a leaf (created, not computed). */
  readonly origin: TensorOrigin | null;
  #array: BackendArray | null;
  #requiresGrad: boolean;
  #version = 0;

  /** @internal Use the creation functions; this wraps an array a backend already owns. */
  constructor(array: BackendArray, backend: Backend, requiresGrad = false, origin: TensorOrigin | null = null) {
    // The setter's other check (a computed tensor cannot switch off) cannot apply to a new tensor.
    // Checked before the tensor joins a scope, which would otherwise dispose the caller's array.
    if (requiresGrad && !isFloatDType(array.dtype)) throw requiresGradDTypeError(array.dtype);
    super();
    this.#array = array;
    this.backend = backend;
    this.shape = array.shape;
    this.dtype = array.dtype;
    this.origin = origin;
    this.#requiresGrad = requiresGrad;
  }

  /** Whether gradients flow to (and accumulate in) this tensor. Only float tensors can require one. */
  get requiresGrad(): boolean {
    return this.#requiresGrad;
  }

  /** Makes a leaf a parameter (or no longer one); a computed tensor's flag cannot be switched off. */
  set requiresGrad(value: boolean) {
    if (value && !isFloatDType(this.dtype)) throw requiresGradDTypeError(this.dtype);
    if (!value && this.origin !== null && this.#requiresGrad) {
      throw new DTypeError('requiresGrad: cannot switch off the gradient of a computed tensor; use detach()');
    }
    this.#requiresGrad = value;
  }

  /**
   * How many times the values were replaced in place (`assign`): a node that saved this tensor for
   * its gradient checks, in `backward()`, that it is still the version it saw.
   */
  get version(): number {
    return this.#version;
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** True once `dispose()` ran (or the `tidy` scope that owned the tensor ended). */
  get isDisposed(): boolean {
    return this.#array === null;
  }

  /** @internal The backend array, for kernels; throws if the tensor was disposed. */
  get array(): BackendArray {
    if (this.#array === null) {
      throw new DisposedTensorError(
        `tensor #${this.id} ${formatShape(this.shape)} ${this.dtype} was used after dispose()`,
      );
    }
    return this.#array;
  }

  /** A copy of the values in row-major order, once they are on the host. */
  async data(): Promise<TypedArray> {
    return this.backend.read(this.array);
  }

  /** The same, synchronously; only on backends that can read without waiting (the CPU). */
  dataSync(): TypedArray {
    return this.#readSync('dataSync', 'data');
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    this.#checkOneElement('item');
    return (await this.data())[0];
  }

  /** The value of a one-element tensor, synchronously (CPU). */
  itemSync(): number {
    this.#checkOneElement('itemSync');
    return this.#readSync('itemSync', 'item')[0];
  }

  /** The values, read synchronously; a backend that reads asynchronously refuses, naming `op`. */
  #readSync(op: string, asyncName: string): TypedArray {
    if (this.backend.readSync === undefined) {
      throw new BackendError(`${op}: the ${this.backend.name} backend reads asynchronously; use await ${asyncName}()`);
    }
    return this.backend.readSync(this.array);
  }

  /** The values as nested arrays, like numpy's `tolist()`. */
  async toArray(): Promise<NestedArray> {
    return nest(await this.data(), this.shape);
  }

  /**
   * Reverse-mode differentiation from this tensor: every tensor it depends on that requires a
   * gradient gets `dL/dt` added to its `grad`. A non-scalar tensor needs a `seed` gradient of its
   * own shape. The graph is freed afterwards unless `retainGraph`; with `createGraph` the backward
   * pass is itself recorded so the gradients can be differentiated again.
   *
   * @example
   * const loss = sum(mul(x, x));
   * loss.backward();
   * await x.grad!.data(); // 2·x
   */
  backward(seed?: Tensor | BackwardOptions, options?: BackwardOptions): void {
    if (seed instanceof Tensor || seed === undefined) backward(this, seed ?? null, options ?? {});
    else backward(this, null, seed);
  }

  /** A new leaf tensor sharing this one's values, cut from the graph (no gradient flows through it). */
  detach(): Tensor {
    return new Tensor(this.backend.kernels.Reshape(this.array, this.shape), this.backend, false, null);
  }

  /**
   * Replaces this tensor's values with `value`'s (same shape and dtype), keeping its identity: how
   * optimizers update parameters. Not recorded on the tape; it bumps `version`, so a graph recorded
   * before that needs the old values refuses to differentiate (`ModifiedInPlaceError`).
   */
  assign(value: Tensor): this {
    if (value.backend !== this.backend) {
      throw new BackendError(
        `assign: value is on ${value.backend.name}, tensor #${this.id} is on ${this.backend.name}`,
      );
    }
    if (value.dtype !== this.dtype) throw new DTypeError(`assign: cannot assign ${value.dtype} to ${this.dtype}`);
    if (!shapesEqual(value.shape, this.shape)) {
      throw new ShapeError(`assign: cannot assign ${formatShape(value.shape)} to ${formatShape(this.shape)}`);
    }
    const previous = this.array; // throws for a disposed tensor before the kernel runs
    const next = this.backend.kernels.Reshape(value.array, this.shape);
    this.backend.dispose(previous);
    this.#array = next;
    this.#version++;
    return this;
  }

  /** A copy of this tensor on `backend` (a leaf; the values travel through the host). */
  async to(backend: Backend): Promise<Tensor> {
    if (backend === this.backend) {
      // The same leaf as a move to another backend gives: a parameter keeps requiring its gradient.
      const copy = this.detach();
      copy.requiresGrad = this.requiresGrad && this.origin === null;
      return copy;
    }
    if (!backend.dtypes.includes(this.dtype)) {
      throw new BackendError(`to: the ${backend.name} backend cannot hold ${this.dtype} tensors`);
    }
    const values = await this.data();
    return new Tensor(
      backend.fromData(values, this.shape, this.dtype),
      backend,
      this.requiresGrad && this.origin === null,
    );
  }

  /** Disposes the gradient and sets it to null (what optimizers' zeroGrad does for each parameter). */
  zeroGrad(): void {
    this.grad?.dispose();
    this.grad = null;
  }

  /** Releases the tensor's memory now (idempotent). Its gradient stays until disposed itself. */
  override dispose(): void {
    if (this.#array === null) return;
    this.backend.dispose(this.#array);
    this.#array = null;
    untrack(this);
  }

  /** Lets `using t = ...` dispose the tensor at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A one-line description for logs: `Tensor(#12, [30,10], float32, Sigmoid, requiresGrad)`. */
  override toString(): string {
    const kind = this.origin === null ? 'leaf' : this.origin.node.kind;
    return `Tensor(#${this.id}, ${formatShape(this.shape)}, ${this.dtype}, ${kind}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  #checkOneElement(op: string): void {
    if (this.size !== 1) throw new ShapeError(`${op}: needs a tensor of one element, got ${formatShape(this.shape)}`);
  }
}

function requiresGradDTypeError(dtype: DType): DTypeError {
  return new DTypeError(`requiresGrad: a ${dtype} tensor cannot require a gradient (only float32 and float64 can)`);
}

/** Numbers nested as deep as a tensor's rank. */
export type NestedArray = number | NestedArray[];

function nest(values: TypedArray, shape: Shape): NestedArray {
  if (shape.length === 0) return values[0];
  const build = (axis: number, offset: number): NestedArray[] => {
    const stride = sizeOf(shape.slice(axis + 1));
    return Array.from({ length: shape[axis] }, (_, i) =>
      axis === shape.length - 1 ? values[offset + i] : build(axis + 1, offset + i * stride),
    );
  };
  return build(0, 0);
}

/** True when `value` is a graphgrad tensor. */
export function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}
