import { ArgumentError, describeValue, tensor, type FloatDType, type Tensor } from '@graphgrad/core';
import { hostUniform, samplingGenerator, type SamplingOptions } from './host-sampling.ts';
import { mul } from './mul.ts';
import { requireFloat, requireOptions } from './validate.ts';

/** Options of `dropout`. */
export interface DropoutOptions extends SamplingOptions {
  /** Drop elements (default true); when false, dropout is the identity (a module's `eval()` mode). */
  readonly training?: boolean;
}

/**
 * Inverted dropout, like `torch.nn.functional.dropout`: while training, each element of `x` is
 * zeroed with probability `p` and the others are scaled by 1/(1 - p), so the expected value is
 * unchanged and evaluation needs no rescaling; when not training (or p = 0) it returns `x` itself.
 *
 * The mask (0 or 1/(1 - p) per element) is drawn on the host with the seeded generator and
 * uploaded, so the same seed drops the same elements on every backend. The gradient is
 * dx = dy·mask, through the Mul node.
 *
 * @example
 * const h = dropout(x, 0.5, { training: model.training, generator });
 */
export function dropout(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  requireFloat('dropout', x);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new ArgumentError(`dropout: p must be a number in [0, 1], got ${describeValue(p)}`);
  requireOptions('dropout', options);
  void x.array; // a disposed x throws before the generator advances
  if (options.training === false || p === 0) return x;
  const dtype = x.dtype as FloatDType; // requireFloat checked it
  const mask = hostUniform(samplingGenerator(options), x.size, dtype);
  // NOTE: p = 1 drops everything (PyTorch gives zeros too) rather than scaling by 1/0.
  const scale = p === 1 ? 0 : 1 / (1 - p);
  for (let i = 0; i < mask.length; i++) mask[i] = mask[i] < p ? 0 : scale;
  return mul(x, tensor(mask, { shape: x.shape, dtype, backend: x.backend }));
}
