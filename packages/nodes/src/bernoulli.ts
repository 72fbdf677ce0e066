import { tensor, type FloatDType, type Tensor } from '@graphgrad/core';
import { greater } from './greater.ts';
import { hostUniform, samplingGenerator, type SamplingOptions } from './host-sampling.ts';
import { requireFloat } from './validate.ts';

/**
 * 1 with probability `p`, else 0, for each element of `p` (in p's dtype), like `torch.bernoulli`.
 * The uniforms are drawn on the host with the seeded generator and compared with `p` on its
 * backend, so the same seed gives the same sample on every backend. Not differentiable.
 *
 * @example
 * const coin = bernoulli(full([10], 0.5), { seed: 1 }); // ten fair coin flips
 */
export function bernoulli(p: Tensor, options: SamplingOptions = {}): Tensor {
  requireFloat('bernoulli', p, 'p');
  void p.array; // a disposed p throws before the generator advances
  const dtype = p.dtype as FloatDType; // requireFloat checked it
  const u = hostUniform(samplingGenerator(options), p.size, dtype);
  // 1 where u < p: u ∈ [0, 1), so p = 0 never fires and p = 1 always does.
  return greater(p, tensor(u, { shape: p.shape, dtype, backend: p.backend }));
}
