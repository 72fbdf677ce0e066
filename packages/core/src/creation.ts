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
import { describeValue } from './describe-value.ts';
import { Generator, generatorFor } from './random.ts';
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

/** Creation options, checked: every field the right type, the dtype one the backend holds. */
interface Resolved {
  readonly dtype: DType;
  readonly backend: Backend;
  readonly requiresGrad: boolean;
}

const OPTION_KEYS = new Set([
  'dtype',
  'requiresGrad',
  'backend',
  'shape',
  'seed',
  'generator',
  'mean',
  'std',
  'low',
  'high',
]);

/**
 * Checks creation options before anything is allocated, so a refused call leaves nothing behind:
 * an options object (or nothing), a known dtype the backend holds, a boolean `requiresGrad` only on
 * float dtypes, a backend.
 */
function resolve(op: string, options: unknown, defaultDType: DType): Resolved {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new ArgumentError(`${op}: options must be an object, got ${describeValue(options)}`);
  }
  const o = options as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !OPTION_KEYS.has(k));
  if (unknown.length > 0) {
    throw new ArgumentError(
      `${op}: unknown option ${describeValue(unknown[0])} (options: ${[...OPTION_KEYS].join(', ')})`,
    );
  }
  const dtype = o.dtype ?? defaultDType;
  if (!isDType(dtype)) {
    throw new ArgumentError(`${op}: unknown dtype ${describeValue(dtype)} (use float32, float64 or int32)`);
  }
  const requiresGrad = o.requiresGrad ?? false;
  if (typeof requiresGrad !== 'boolean') {
    throw new ArgumentError(`${op}: requiresGrad must be true or false, got ${describeValue(requiresGrad)}`);
  }
  if (requiresGrad && !isFloatDType(dtype)) {
    throw new DTypeError(`requiresGrad: a ${dtype} tensor cannot require a gradient (only float32 and float64 can)`);
  }
  const backend = o.backend ?? getBackend();
  if (!isBackend(backend)) {
    throw new BackendError(
      `${op}: backend must be a Backend (cpuBackend(), createWebGPUBackend()), got ${describeValue(backend)}`,
    );
  }
  if (!backend.dtypes.includes(dtype)) {
    throw new BackendError(
      `${op}: the ${backend.name} backend cannot hold ${dtype} tensors (it holds ${backend.dtypes.join(', ')})`,
    );
  }
  return { dtype, backend, requiresGrad };
}

function isBackend(value: unknown): value is Backend {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Backend).fromData === 'function' &&
    Array.isArray((value as Backend).dtypes)
  );
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Whether `value`, truncated toward zero as a C cast does, fits an int32. */
function fitsInt32(value: number): boolean {
  return Number.isFinite(value) && Math.trunc(value) >= INT32_MIN && Math.trunc(value) <= INT32_MAX;
}

/**
 * Refuses a value an int32 tensor cannot hold (NaN, ±Inf, beyond 32 bits) rather than wrapping it
 * or turning it into 0, as PyTorch refuses; a fraction is truncated toward zero, as PyTorch does.
 * Float values pass as they are (NaN included).
 */
function checkInt32Value(op: string, value: number, at: number | null): void {
  if (fitsInt32(value)) return;
  const where = at === null ? '' : ` at position ${at}`;
  throw new ArgumentError(
    `${op}: an int32 tensor holds integers in [-2147483648, 2147483647], got ${describeValue(value)}${where}`,
  );
}

function checkInt32Values(op: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!fitsInt32(v)) checkInt32Value(op, v, i);
  }
}

function create(data: TypedArray, shape: Shape, resolved: Resolved): Tensor {
  const { backend, dtype, requiresGrad } = resolved;
  return new Tensor(backend.fromData(data, shape, dtype), backend, requiresGrad);
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
  const resolvedDType = (options as { dtype?: unknown } | undefined)?.dtype;
  if (ArrayBuffer.isView(values)) {
    if (!(values instanceof Float32Array || values instanceof Float64Array || values instanceof Int32Array)) {
      throw new ArgumentError(
        `tensor: typed arrays of values are Float32Array, Float64Array or Int32Array, got ${describeValue(values)}`,
      );
    }
    const typed = values;
    const resolved = resolve('tensor', options, resolvedDType === undefined ? dtypeOfTypedArray(typed) : DEFAULT_DTYPE);
    const shape = options.shape ?? [typed.length];
    checkShape('tensor', shape);
    if (sizeOf(shape) !== typed.length) {
      throw new ShapeError(`tensor: ${typed.length} values cannot take shape ${formatShape(shape)}`);
    }
    if (resolved.dtype === 'int32' && !(typed instanceof Int32Array)) checkInt32Values('tensor', typed);
    const data = resolved.dtype === dtypeOfTypedArray(typed) ? typed : toTypedArray(resolved.dtype, typed);
    return create(data, shape, resolved);
  }
  if (typeof values !== 'number' && !Array.isArray(values)) {
    throw new ArgumentError(
      `tensor: values are a number, nested arrays of numbers or a typed array, got ${describeValue(values)}`,
    );
  }
  const resolved = resolve('tensor', options, DEFAULT_DTYPE);
  const nested = values;
  const inferred = inferShape(nested);
  checkShape('tensor', inferred);
  const flat = flatten(nested, inferred);
  const shape = options.shape ?? inferred;
  checkShape('tensor', shape);
  if (sizeOf(shape) !== flat.length) {
    throw new ShapeError(`tensor: ${flat.length} values cannot take shape ${formatShape(shape)}`);
  }
  if (resolved.dtype === 'int32') checkInt32Values('tensor', flat);
  return create(toTypedArray(resolved.dtype, flat), shape, resolved);
}

/**
 * A tensor of `shape` with every element `value`.
 *
 * @example
 * full([2, 3], 0.5);
 */
export function full(shape: Shape, value: number, options: CreateOptions = {}): Tensor {
  return fullOf('full', shape, value, options);
}

function fullOf(op: string, shape: Shape, value: number, options: CreateOptions): Tensor {
  checkShape(op, shape);
  if (typeof value !== 'number') throw new ArgumentError(`${op}: the value is a number, got ${describeValue(value)}`);
  const resolved = resolve(op, options, DEFAULT_DTYPE);
  if (resolved.dtype === 'int32') checkInt32Value(op, value, null);
  return new Tensor(resolved.backend.fill(shape, value, resolved.dtype), resolved.backend, resolved.requiresGrad);
}

/** A tensor of zeros. @example zeros([1, 10], { requiresGrad: true }) */
export function zeros(shape: Shape, options: CreateOptions = {}): Tensor {
  return fullOf('zeros', shape, 0, options);
}

/** A tensor of ones. @example ones([3]) */
export function ones(shape: Shape, options: CreateOptions = {}): Tensor {
  return fullOf('ones', shape, 1, options);
}

function random(op: string, shape: Shape, options: RandomOptions, draw: (g: Generator) => number): Tensor {
  checkShape(op, shape);
  const resolved = resolve(op, options, DEFAULT_DTYPE);
  if (resolved.dtype === 'int32') throw new ArgumentError(`${op}: random values are float32 or float64, not int32`);
  const generator = generatorOf(op, options);
  const data = allocTypedArray(resolved.dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(generator);
  return create(data, shape, resolved);
}

/** The generator a random function draws from: `generator`, a fresh one of `seed`, or the global one. */
function generatorOf(op: string, options: RandomOptions): Generator {
  const { generator, seed } = options ?? {};
  if (generator !== undefined) {
    if (!(generator instanceof Generator)) {
      throw new ArgumentError(`${op}: generator must be a Generator, got ${describeValue(generator)}`);
    }
    return generator;
  }
  return generatorFor(seed);
}

/** A finite number option, or its default. */
function finite(op: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArgumentError(`${op}: ${name} must be a finite number, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Standard normal values (times `std`, plus `mean`), seedable.
 *
 * @example
 * const W = randn([2, 10], { seed: 1, std: 0.01, requiresGrad: true });
 */
export function randn(shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const mean = finite('randn', 'mean', options?.mean, 0);
  const std = finite('randn', 'std', options?.std, 1);
  return random('randn', shape, options, (g) => mean + std * g.normal());
}

/**
 * Uniform values in [low, high) (default [0, 1)), seedable.
 *
 * @example
 * rand([3, 3], { seed: 7, low: -1, high: 1 });
 */
export function rand(shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const low = finite('rand', 'low', options?.low, 0);
  const high = finite('rand', 'high', options?.high, 1);
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
  const inInt32 = (v: unknown): boolean =>
    typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= 2 ** 31;
  if (!inInt32(low) || !inInt32(high) || low >= high) {
    throw new ArgumentError(
      `randint: low and high must be integers with low < high (within int32), got ${describeValue(low)}, ${describeValue(high)}`,
    );
  }
  const resolved = resolve('randint', options, 'int32');
  const generator = generatorOf('randint', options);
  const data = allocTypedArray(resolved.dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + generator.int(high - low);
  return create(data, shape, resolved);
}

/** A tensor of the same shape, dtype and backend as `like`, filled with `value`. */
export function fullLike(like: Tensor, value: number, options: { requiresGrad?: boolean } = {}): Tensor {
  return fullOf('fullLike', likeOf('fullLike', like).shape, value, {
    dtype: like.dtype,
    backend: like.backend,
    requiresGrad: (options ?? {}).requiresGrad,
  });
}

/** `like`, checked to be a live tensor (its shape, dtype and backend are read). */
function likeOf(op: string, like: unknown): Tensor {
  if (!(like instanceof Tensor)) throw new ArgumentError(`${op}: like must be a Tensor, got ${describeValue(like)}`);
  void like.array; // a disposed tensor throws its DisposedTensorError here
  return like;
}

/** Zeros shaped like `like`. */
export function zerosLike(like: Tensor): Tensor {
  likeOf('zerosLike', like);
  return fullLike(like, 0);
}

/** Ones shaped like `like`. */
export function onesLike(like: Tensor): Tensor {
  likeOf('onesLike', like);
  return fullLike(like, 1);
}
