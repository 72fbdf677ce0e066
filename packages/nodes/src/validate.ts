import {
  ArgumentError,
  BackendError,
  broadcastable,
  broadcastShapes,
  describeValue,
  DTypeError,
  formatShape,
  full,
  isFloatDType,
  ShapeError,
  shapesEqual,
  Tensor,
  type BackendArray,
  type DType,
  type TypedArray,
} from '@graphgrad/core';

/** A tensor, or a plain number that takes the other operand's dtype and backend. */
export type Operand = Tensor | number;

/** Throws an `ArgumentError` naming `op` and the input unless `x` is a Tensor (any dtype). */
export function requireTensor(op: string, x: unknown, input = 'x'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`${op}: ${input} must be a Tensor, got ${describeValue(x)}`);
}

/**
 * Throws an `ArgumentError` naming `op` unless `value` is an integer in [min, max]: a count, a
 * size or a number of classes. The default bound is what one tensor may hold (2³¹ - 1 elements).
 */
export function requireInteger(op: string, value: unknown, name: string, min = 0, max = 2 ** 31 - 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ArgumentError(`${op}: ${name} must be an integer in [${min}, ${max}], got ${describeValue(value)}`);
  }
  return value;
}

/** Throws a `DTypeError` naming `op` unless `x` holds floats. */
export function requireFloat(op: string, x: unknown, input = 'x'): asserts x is Tensor {
  requireTensor(op, x, input);
  if (!isFloatDType(x.dtype))
    throw new DTypeError(`${op}: input '${input}' is ${x.dtype}; ${op} needs float32 or float64`);
}

/** Throws a `DTypeError` naming `op` unless `x` holds float32, float64 or int32 values. */
function requireComparable(op: string, x: unknown, input: string): asserts x is Tensor {
  requireTensor(op, x, input);
  if (!isFloatDType(x.dtype) && x.dtype !== 'int32')
    throw new DTypeError(`${op}: input '${input}' is ${x.dtype as string}; ${op} needs float32, float64 or int32`);
}

/**
 * Resolves two operands of an elementwise node to tensors of one float dtype on one backend (of
 * one float or int32 dtype, with `values` `'comparable'`: the comparisons); a number becomes a
 * scalar tensor like the other operand (an integer, against int32).
 */
export function operands(
  op: string,
  a: Operand,
  b: Operand,
  values: 'float' | 'comparable' = 'float',
): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') {
    throw new DTypeError(`${op}: at least one operand must be a Tensor`);
  }
  const check: (op: string, x: unknown, input: string) => asserts x is Tensor =
    values === 'float' ? requireFloat : requireComparable;
  // The tensor operand is checked before a number becomes a tensor like it, so that a refused call
  // leaves no buffer behind (`.array` throws the DisposedTensorError of a disposed tensor).
  const only = typeof a === 'number' ? (b as Tensor) : typeof b === 'number' ? a : null;
  if (only !== null) {
    check(op, only, only === a ? 'a' : 'b');
    const number = only === a ? (b as number) : (a as number);
    if (only.dtype === 'int32' && !Number.isInteger(number)) {
      throw new ArgumentError(
        `${op}: ${only === a ? 'b' : 'a'} is ${number}, which an int32 tensor cannot hold; compare with an integer or cast the tensor to float`,
      );
    }
    void only.array;
  }
  const ta = typeof a === 'number' ? scalarLike(a, b as Tensor) : a;
  const tb = typeof b === 'number' ? scalarLike(b, ta) : b;
  check(op, ta, 'a');
  check(op, tb, 'b');
  if (ta.dtype !== tb.dtype) throw new DTypeError(`${op}: dtypes differ: a is ${ta.dtype}, b is ${tb.dtype}`);
  if (ta.backend !== tb.backend) {
    // Two instances of one kind of backend share a name; say so rather than "cpu and cpu".
    const other =
      tb.backend.name === ta.backend.name
        ? `another ${ta.backend.name} backend instance`
        : `the ${tb.backend.name} backend`;
    throw new BackendError(
      `${op}: a is on the ${ta.backend.name} backend, b on ${other}; move one with await t.to(backend)`,
    );
  }
  return [ta, tb];
}

/**
 * `operands` for an elementwise node, also checking that the shapes broadcast (without building the
 * broadcast shape: the kernel does); returns the inputs list the node is applied to.
 */
export function elementwiseOperands(
  op: string,
  a: Operand,
  b: Operand,
  values: 'float' | 'comparable' = 'float',
): [Tensor, Tensor] {
  const pair = operands(op, a, b, values);
  const sa = pair[0].shape;
  const sb = pair[1].shape;
  // broadcastShapes only to throw its message: a check that builds no shape comes first.
  if (!shapesEqual(sa, sb) && !broadcastable(sa, sb)) broadcastShapes(op, sa, sb);
  return pair;
}

/** A scalar constant with `like`'s dtype and backend. */
export function scalarLike(value: number, like: Tensor, dtype: DType = like?.dtype): Tensor {
  requireTensor('scalarLike', like, 'like');
  if (typeof value !== 'number')
    throw new ArgumentError(`scalarLike: value must be a number, got ${describeValue(value)}`);
  if (!like.backend.dtypes.includes(dtype))
    throw new DTypeError(
      `scalarLike: dtype must be one the ${like.backend.name} backend holds, got ${describeValue(dtype)}`,
    );
  // NOTE: straight to the backend: `full` would check a shape and a value that are known good.
  if (dtype === like.dtype) return new Tensor(like.backend.fill(SCALAR, value, dtype), like.backend);
  return full([], value, { dtype, backend: like.backend });
}

const SCALAR: readonly number[] = Object.freeze([]);

/**
 * The values of an int32 tensor of indices when the host can read them now: on a backend that
 * reads synchronously (the CPU), or where an asynchronous backend kept the data it uploaded
 * (`Backend.hostValues`). Undefined when only the device knows them; the kernels then write NaN
 * for an index out of range.
 */
function hostIndices(indices: Tensor): TypedArray | undefined {
  const { backend, array } = indices;
  return backend.readSync !== undefined ? backend.readSync(array) : backend.hostValues?.(array);
}

// NOTE: reading indices back is a copy; a minibatch's indices pick rows of both x and t, and
// softmaxWithLoss checks its labels before oneHot does, so the bound is remembered per backend
// array (a tensor's values only change by taking a new array).
const bounds = new WeakMap<BackendArray, number>();

/** The largest index + 1 (0 when empty), or NaN when one is negative; undefined when the host cannot read them. */
function indexBound(indices: Tensor): number | undefined {
  const array = indices.array;
  let bound = bounds.get(array);
  if (bound === undefined) {
    const values = hostIndices(indices);
    if (values === undefined) return undefined;
    let max = -1;
    let negative = false;
    for (let i = 0; i < values.length; i++) {
      if (values[i] < 0) negative = true;
      else if (values[i] > max) max = values[i];
    }
    bound = negative ? NaN : max + 1;
    bounds.set(array, bound);
  }
  return bound;
}

/**
 * The first of the int32 `indices` outside [0, limit), or undefined when all are inside or the
 * host cannot read them (then the kernels write NaN for a bad one). Read once per backend array.
 */
export function indexOutside(indices: Tensor, limit: number): number | undefined {
  const bound = indexBound(indices);
  if (bound === undefined || bound <= limit) return undefined;
  return hostIndices(indices)!.find((v) => v < 0 || v >= limit);
}

/** Throws a `ShapeError` naming `op` when a reduced axis of `x` has length 0 (an extremum of nothing). */
export function requireNonEmptyReduction(op: string, x: Tensor, axes: readonly number[]): void {
  const empty = axes.find((a) => x.shape[a] === 0);
  if (empty !== undefined) {
    throw new ShapeError(
      `${op}: axis ${empty} of ${formatShape(x.shape)} has length 0; the ${op} of no elements is undefined`,
    );
  }
}

// Nodes quote user values the way core does.
export { describeValue };

/** Throws an `ArgumentError` naming `op` unless `options` is an object (or omitted). */
export function requireOptions(op: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object'))
    throw new ArgumentError(`${op}: options must be an object, got ${describeValue(options)}`);
}
