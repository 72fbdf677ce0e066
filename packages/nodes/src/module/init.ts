/**
 * Weight initialisers, PyTorch's `nn.init` in graphgrad's layout (a weight is `[in, out]`, used as
 * `x·W`, so its fan-in is its first axis). Each is a function `(shape, options) => Tensor`, seeded
 * like `randn`; a layer's `init` option takes any of them (or an arrow that fixes its extra options).
 *
 * @example
 * const W = init.xavierUniform([784, 100], { seed: 1, requiresGrad: true });
 * const fc = new Linear(784, 100, { init: init.kaimingNormal });
 * const emb = new Embedding(10000, 100, { init: (shape, o) => init.normal(shape, { ...o, std: 0.01 }) });
 * @module
 */
import {
  ArgumentError,
  full,
  generatorFor,
  rand,
  randn,
  type Backend,
  type FloatDType,
  type Generator,
  type Shape,
  type Tensor,
} from '@graphgrad/core';

/** Options every initialiser takes. */
export interface InitOptions {
  /** Inputs per output unit (default: the first axis of a 2-D shape, the only one of a 1-D shape). */
  readonly fanIn?: number;
  /** Outputs per input unit (default: the last axis). */
  readonly fanOut?: number;
  /** A generator to draw from (advanced). */
  readonly generator?: Generator;
  /** Seed of a fresh generator, when no `generator` is given (otherwise the global one). */
  readonly seed?: number;
  /** float32 (default) or float64. */
  readonly dtype?: FloatDType;
  /** The backend to create the tensor on (default: `getBackend()`). */
  readonly backend?: Backend;
  /** Make the tensor a parameter. */
  readonly requiresGrad?: boolean;
}

/**
 * A function that creates a weight of `shape`: what a layer's `init` option takes.
 *
 * @example
 * const init: Initializer = (shape, o) => normal(shape, { ...o, std: 0.01 });
 */
export type Initializer = (shape: Shape, options?: InitOptions) => Tensor;

/** A nonlinearity that `gain` knows. */
export type Nonlinearity = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu';

function fans(shape: Shape, options: InitOptions): { fanIn: number; fanOut: number } {
  const fanIn = options.fanIn ?? (shape.length === 0 ? 1 : shape[0]);
  const fanOut = options.fanOut ?? (shape.length === 0 ? 1 : shape[shape.length - 1]);
  if (!(fanIn > 0) || !(fanOut > 0))
    throw new ArgumentError(
      `init: fanIn and fanOut must be positive, got ${fanIn} and ${fanOut} for shape [${shape.join(',')}]`,
    );
  return { fanIn, fanOut };
}

function creation(options: InitOptions): {
  generator: Generator;
  dtype?: FloatDType;
  backend?: Backend;
  requiresGrad?: boolean;
} {
  return {
    generator: options.generator ?? generatorFor(options.seed),
    dtype: options.dtype,
    backend: options.backend,
    requiresGrad: options.requiresGrad,
  };
}

/**
 * The recommended gain for a nonlinearity, as PyTorch's `calculate_gain`: 1 for linear and
 * sigmoid, 5/3 for tanh, √2 for relu, √(2/(1 + slope²)) for leakyRelu.
 *
 * @example
 * gain('tanh'); // 5/3
 */
export function gain(nonlinearity: Nonlinearity, negativeSlope = 0.01): number {
  switch (nonlinearity) {
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu':
      return Math.sqrt(2 / (1 + negativeSlope ** 2));
    default:
      throw new ArgumentError(`gain: unknown nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/**
 * Uniform values in [low, high) (default [0, 1)).
 *
 * @example
 * uniform([3, 4], { low: -0.1, high: 0.1, seed: 1 });
 */
export function uniform(shape: Shape, options: InitOptions & { low?: number; high?: number } = {}): Tensor {
  return rand(shape, { ...creation(options), low: options.low ?? 0, high: options.high ?? 1 });
}

/**
 * Normal values (default mean 0, std 1). The book's small weights are `std: 0.01`.
 *
 * @example
 * normal([2, 10], { std: 0.01, seed: 1 }); // the book's 0.01·randn
 */
export function normal(shape: Shape, options: InitOptions & { mean?: number; std?: number } = {}): Tensor {
  return randn(shape, { ...creation(options), mean: options.mean ?? 0, std: options.std ?? 1 });
}

/**
 * Normal values scaled by 1/√fanIn: the book's initialisation of a weight (`randn(D, H) / sqrt(D)`,
 * which the book calls Xavier's).
 *
 * @example
 * scaledNormal([100, 400], { seed: 1 }); // std 0.1
 */
export function scaledNormal(shape: Shape, options: InitOptions = {}): Tensor {
  return normal(shape, { ...options, std: 1 / Math.sqrt(fans(shape, options).fanIn) });
}

/**
 * Glorot and Bengio's uniform initialisation, as PyTorch's `xavier_uniform_`:
 * U(-a, a) with a = gain·√(6 / (fanIn + fanOut)).
 *
 * @example
 * xavierUniform([100, 50], { seed: 1 });
 */
export function xavierUniform(shape: Shape, options: InitOptions & { gain?: number } = {}): Tensor {
  const { fanIn, fanOut } = fans(shape, options);
  const a = (options.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(shape, { ...options, low: -a, high: a });
}

/**
 * Glorot and Bengio's normal initialisation, as PyTorch's `xavier_normal_`:
 * N(0, std²) with std = gain·√(2 / (fanIn + fanOut)).
 *
 * @example
 * xavierNormal([100, 50], { seed: 1 });
 */
export function xavierNormal(shape: Shape, options: InitOptions & { gain?: number } = {}): Tensor {
  const { fanIn, fanOut } = fans(shape, options);
  return normal(shape, { ...options, std: (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)) });
}

/** The extra options of the Kaiming (He) initialisers. */
export interface KaimingOptions extends InitOptions {
  /** Preserve the variance of the forward pass (`'fanIn'`, the default) or of the backward (`'fanOut'`). */
  readonly mode?: 'fanIn' | 'fanOut';
  /** The nonlinearity that follows (default `'leakyRelu'` with slope `a` = 0, which is relu's gain). */
  readonly nonlinearity?: Nonlinearity;
  /** The negative slope of a leaky relu (default 0). */
  readonly a?: number;
}

function kaimingStd(shape: Shape, options: KaimingOptions): number {
  const f = fans(shape, options);
  const fan = (options.mode ?? 'fanIn') === 'fanIn' ? f.fanIn : f.fanOut;
  return gain(options.nonlinearity ?? 'leakyRelu', options.a ?? 0) / Math.sqrt(fan);
}

/**
 * He et al.'s normal initialisation, as PyTorch's `kaiming_normal_`: N(0, std²) with
 * std = gain / √fan.
 *
 * @example
 * kaimingNormal([784, 100], { nonlinearity: 'relu', seed: 1 });
 */
export function kaimingNormal(shape: Shape, options: KaimingOptions = {}): Tensor {
  return normal(shape, { ...options, std: kaimingStd(shape, options) });
}

/**
 * He et al.'s uniform initialisation, as PyTorch's `kaiming_uniform_`: U(-b, b) with
 * b = gain·√(3 / fan). With `a: √5` this is PyTorch's default for a Linear weight, U(±1/√fanIn).
 *
 * @example
 * kaimingUniform([784, 100], { nonlinearity: 'relu', seed: 1 });
 */
export function kaimingUniform(shape: Shape, options: KaimingOptions = {}): Tensor {
  const b = Math.sqrt(3) * kaimingStd(shape, options);
  return uniform(shape, { ...options, low: -b, high: b });
}

/**
 * Zeros (the book's biases).
 *
 * @example
 * zeros([10], { requiresGrad: true });
 */
export function zeros(shape: Shape, options: InitOptions = {}): Tensor {
  return constant(shape, { ...options, value: 0 });
}

/**
 * Ones (a layer norm's scale).
 *
 * @example
 * ones([10], { requiresGrad: true });
 */
export function ones(shape: Shape, options: InitOptions = {}): Tensor {
  return constant(shape, { ...options, value: 1 });
}

/**
 * Every element `value`.
 *
 * @example
 * constant([3], { value: 0.5 });
 */
export function constant(shape: Shape, options: InitOptions & { value: number }): Tensor {
  return full(shape, options.value, {
    dtype: options.dtype,
    backend: options.backend,
    requiresGrad: options.requiresGrad,
  });
}
