import { allocTypedArray, generatorFor, type FloatDType, type Generator, type TypedArray } from '@graphgrad/core';

/** Where a sampling operation draws its random numbers from. */
export interface SamplingOptions {
  /** Seed of a fresh generator for this call; without it (and without `generator`) the global one (`manualSeed`). */
  readonly seed?: number;
  /** A generator to draw from (advanced by the call). */
  readonly generator?: Generator;
}

/** The generator a sampling call draws from. */
export function samplingGenerator(options: SamplingOptions): Generator {
  return options.generator ?? generatorFor(options.seed);
}

/**
 * `n` uniform values in [0, 1) drawn on the host with `generator`, each exactly representable in
 * `dtype`, for the sampling operations (bernoulli, dropout) to upload.
 *
 * NOTE: drawing on the host with the one seeded generator (rather than with a counter-based
 * generator in a kernel) makes the numbers identical on every backend by construction, with no
 * kernel to keep at parity; the cost is one upload per sample. A float32 value is floored to a
 * multiple of 2⁻²⁴: rounding the float64 draw to nearest instead could give exactly 1, which a
 * probability of 1 would then fail to exceed.
 */
export function hostUniform(generator: Generator, n: number, dtype: FloatDType): TypedArray {
  const out = allocTypedArray(dtype, n);
  if (dtype === 'float64') for (let i = 0; i < n; i++) out[i] = generator.uniform();
  else for (let i = 0; i < n; i++) out[i] = Math.floor(generator.uniform() * 2 ** 24) / 2 ** 24;
  return out;
}
