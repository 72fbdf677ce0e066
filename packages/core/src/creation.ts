import { getBackend, type Backend } from './backend.ts';
import {
  allocTypedArray,
  DEFAULT_DTYPE,
  dtypeOfTypedArray,
  isDType,
  isFloatDType,
  toTypedArray,
  type DType,
  type TypedArray,
} from './dtype.ts';
import { ArgumentError, BackendError, DTypeError, ShapeError } from './errors.ts';
import { generatorFor, type Generator } from './random.ts';
import { checkShape, formatShape, sizeOf, type Shape } from './shape.ts';
import { Tensor, type NestedArray } from './tensor.ts';

/** Options shared by every creation function. */
export interface CreateOptions {
  /** Element type (default float32; a typed array's own type for `tensor(typedArray)`). */
  dtype?: DType;
  /** Record operations on this tensor so `backward()` gives it a gradient. */
  requiresGrad?: boolean;
  /** The backend to create it on (default: `getBackend()`). */
  backend?: Backend;
}

/** Options of the random creation functions. */
export interface RandomOptions extends CreateOptions {
  /** Seed of a fresh generator for this call; without it the global generator (`manualSeed`) is used. */
  seed?: number;
  /** A generator to draw from instead (advances it). */
  generator?: Generator;
}

function create(data: TypedArray, shape: Shape, options: CreateOptions, dtype: DType): Tensor {
  if (!isDType(dtype))
    throw new ArgumentError(`tensor: unknown dtype ${JSON.stringify(dtype)} (use float32, float64 or int32)`);
  const backend = options.backend ?? getBackend();
  if (!backend.dtypes.includes(dtype)) {
    throw new BackendError(
      `tensor: the ${backend.name} backend cannot hold ${dtype} tensors (it holds ${backend.dtypes.join(', ')})`,
    );
  }
  // Checked before the upload, so a refused tensor leaves no buffer behind.
  if (options.requiresGrad === true && !isFloatDType(dtype)) {
    throw new DTypeError(`requiresGrad: a ${dtype} tensor cannot require a gradient (only float32 and float64 can)`);
  }
  return new Tensor(backend.fromData(data, shape, dtype), backend, options.requiresGrad ?? false);
}

function inferShape(values: NestedArray | readonly NestedArray[]): number[] {
  const shape: number[] = [];
  let level: unknown = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

function flatten(values: NestedArray | readonly NestedArray[], shape: Shape): number[] {
  const flat: number[] = [];
  const visit = (v: unknown, axis: number): void => {
    if (axis === shape.length) {
      if (typeof v !== 'number')
        throw new ShapeError(`tensor: ragged nested array; expected numbers at depth ${axis} of ${formatShape(shape)}`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new ShapeError(
        `tensor: ragged nested array; every list at depth ${axis} must have ${shape[axis]} elements for shape ${formatShape(shape)}`,
      );
    }
    for (const item of v) visit(item, axis + 1);
  };
  visit(values, 0);
  return flat;
}

/**
 * A tensor from numbers, nested arrays or a typed array (copied). `shape` reshapes flat data.
 *
 * @example
 * tensor([[1, 2], [3, 4]]);                       // float32 [2,2]
 * tensor([0, 2, 1], { dtype: 'int32' });          // class labels
 * tensor(new Float64Array(6), { shape: [2, 3] }); // float64 [2,3]
 */
export function tensor(
  values: NestedArray | readonly NestedArray[] | TypedArray,
  options: CreateOptions & { shape?: Shape } = {},
): Tensor {
  // Checked before the values are converted: an unknown dtype has no typed array to convert into.
  if (options.dtype !== undefined && !isDType(options.dtype)) {
    throw new ArgumentError(`tensor: unknown dtype ${JSON.stringify(options.dtype)} (use float32, float64 or int32)`);
  }
  if (ArrayBuffer.isView(values)) {
    const typed = values;
    const shape = options.shape ?? [typed.length];
    checkShape('tensor', shape);
    if (sizeOf(shape) !== typed.length) {
      throw new ShapeError(`tensor: ${typed.length} values cannot take shape ${formatShape(shape)}`);
    }
    const dtype = options.dtype ?? dtypeOfTypedArray(typed);
    const data = dtype === dtypeOfTypedArray(typed) ? typed : toTypedArray(dtype, typed);
    return create(data, shape, options, dtype);
  }
  const nested = values as NestedArray;
  const inferred = inferShape(nested);
  const flat = flatten(nested, inferred);
  const shape = options.shape ?? inferred;
  checkShape('tensor', shape);
  if (sizeOf(shape) !== flat.length) {
    throw new ShapeError(`tensor: ${flat.length} values cannot take shape ${formatShape(shape)}`);
  }
  const dtype = options.dtype ?? DEFAULT_DTYPE;
  return create(toTypedArray(dtype, flat), shape, options, dtype);
}

/**
 * A tensor of `shape` with every element `value`.
 *
 * @example
 * full([2, 3], 0.5);
 */
export function full(shape: Shape, value: number, options: CreateOptions = {}): Tensor {
  checkShape('full', shape);
  const dtype = options.dtype ?? DEFAULT_DTYPE;
  if (!isDType(dtype))
    throw new ArgumentError(`full: unknown dtype ${JSON.stringify(dtype)} (use float32, float64 or int32)`);
  const backend = options.backend ?? getBackend();
  if (!backend.dtypes.includes(dtype)) {
    throw new BackendError(
      `full: the ${backend.name} backend cannot hold ${dtype} tensors (it holds ${backend.dtypes.join(', ')})`,
    );
  }
  if (options.requiresGrad === true && !isFloatDType(dtype)) {
    throw new DTypeError(`requiresGrad: a ${dtype} tensor cannot require a gradient (only float32 and float64 can)`);
  }
  return new Tensor(backend.fill(shape, value, dtype), backend, options.requiresGrad ?? false);
}

/** A tensor of zeros. @example zeros([1, 10], { requiresGrad: true }) */
export function zeros(shape: Shape, options: CreateOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A tensor of ones. @example ones([3]) */
export function ones(shape: Shape, options: CreateOptions = {}): Tensor {
  return full(shape, 1, options);
}

function random(op: string, shape: Shape, options: RandomOptions, draw: (g: Generator) => number): Tensor {
  checkShape(op, shape);
  const generator = options.generator ?? generatorFor(options.seed);
  const dtype = options.dtype ?? DEFAULT_DTYPE;
  if (dtype === 'int32') throw new ArgumentError(`${op}: random values are float32 or float64, not int32`);
  const data = allocTypedArray(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(generator);
  return create(data, shape, options, dtype);
}

/**
 * Standard normal values (times `std`, plus `mean`), seedable.
 *
 * @example
 * const W = randn([2, 10], { seed: 1, std: 0.01, requiresGrad: true });
 */
export function randn(shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const { mean = 0, std = 1 } = options;
  return random('randn', shape, options, (g) => mean + std * g.normal());
}

/**
 * Uniform values in [low, high) (default [0, 1)), seedable.
 *
 * @example
 * rand([3, 3], { seed: 7, low: -1, high: 1 });
 */
export function rand(shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const { low = 0, high = 1 } = options;
  return random('rand', shape, options, (g) => low + (high - low) * g.uniform());
}

/**
 * Uniform integers in [low, high), seedable, like `torch.randint(low, high, shape)`: int32 by
 * default (a float dtype holds the same integers). Drawn on the host with the seeded generator, so
 * the same seed gives the same integers on every backend.
 *
 * @example
 * const ids = randint(0, 10, [4, 5], { seed: 3 }); // int32 [4,5] in 0 … 9
 */
export function randint(low: number, high: number, shape: Shape, options: RandomOptions = {}): Tensor {
  checkShape('randint', shape);
  const inInt32 = (v: number): boolean => Number.isInteger(v) && v >= -(2 ** 31) && v <= 2 ** 31;
  if (!inInt32(low) || !inInt32(high) || low >= high) {
    throw new ArgumentError(
      `randint: low and high must be integers with low < high (within int32), got ${low}, ${high}`,
    );
  }
  const dtype = options.dtype ?? 'int32';
  if (!isDType(dtype))
    throw new ArgumentError(`randint: unknown dtype ${JSON.stringify(dtype)} (use int32, float32 or float64)`);
  const generator = options.generator ?? generatorFor(options.seed);
  const data = allocTypedArray(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + generator.int(high - low);
  return create(data, shape, options, dtype);
}

/** A tensor of the same shape, dtype and backend as `like`, filled with `value`. */
export function fullLike(like: Tensor, value: number, options: { requiresGrad?: boolean } = {}): Tensor {
  return full(like.shape, value, { dtype: like.dtype, backend: like.backend, requiresGrad: options.requiresGrad });
}

/** Zeros shaped like `like`. */
export function zerosLike(like: Tensor): Tensor {
  return fullLike(like, 0);
}

/** Ones shaped like `like`. */
export function onesLike(like: Tensor): Tensor {
  return fullLike(like, 1);
}
