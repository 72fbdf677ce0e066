import { ArgumentError, describeValue, formatShape, ShapeError, type Tensor } from '@graphgrad/core';
import { add } from '../add.ts';
import { div } from '../div.ts';
import { mean } from '../mean.ts';
import { ones, zeros } from '../module/init.ts';
import { Module } from '../module/module.ts';
import { mul } from '../mul.ts';
import { sqrt } from '../sqrt.ts';
import { sub } from '../sub.ts';
import { variance } from '../variance.ts';
import { checkSize, type LayerOptions } from './layer-options.ts';

/** Options of `LayerNorm`. */
export interface LayerNormOptions extends Omit<LayerOptions, 'generator' | 'seed'> {
  /** Added to the variance (default 1e-5). */
  readonly eps?: number;
  /** Learn a scale γ and a shift β of the normalised shape (default true). */
  readonly elementwiseAffine?: boolean;
}

/**
 * Layer normalisation (Ba et al.), PyTorch's `nn.LayerNorm`: over the last axes of `x` (those of
 * `normalizedShape`), y = (x - mean) / √(variance + eps)·γ + β, with the biased variance. γ starts
 * at 1 and β at 0 (PyTorch's `weight` and `bias`).
 *
 * @example
 * const norm = new LayerNorm(512);
 * norm.call(x); // [N, T, 512], each row normalised
 */
export class LayerNorm extends Module<[x: Tensor], Tensor> {
  /** The scale γ, of the normalised shape (null without `elementwiseAffine`). */
  readonly gamma: Tensor | null;
  /** The shift β, of the normalised shape (null without `elementwiseAffine`). */
  readonly beta: Tensor | null;
  /** The trailing shape normalised over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance. */
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0) throw new ArgumentError('LayerNorm: normalizedShape must have at least one axis');
    shape.forEach((n, i) => checkSize('LayerNorm', `normalizedShape[${i}]`, n));
    const eps = options.eps ?? 1e-5;
    if (!(eps > 0) || !Number.isFinite(eps))
      throw new ArgumentError(`LayerNorm: eps must be a finite number > 0, got ${describeValue(eps)}`);
    this.normalizedShape = shape;
    this.eps = eps;
    const create = { dtype: options.dtype, backend: options.backend, requiresGrad: true };
    const affine = options.elementwiseAffine ?? true;
    this.gamma = affine ? ones(shape, create) : null;
    this.beta = affine ? zeros(shape, create) : null;
  }

  /** x normalised over its last `normalizedShape.length` axes. */
  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    if (x.rank < k || this.normalizedShape.some((n, i) => x.shape[x.rank - k + i] !== n))
      throw new ShapeError(
        `LayerNorm: the input is ${formatShape(x.shape)}, expected [..., ${this.normalizedShape.join(', ')}]`,
      );
    const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
    const centered = sub(x, mean(x, axes, true));
    const normalized = div(centered, sqrt(add(variance(x, axes, { correction: 0, keepDims: true }), this.eps)));
    if (this.gamma === null || this.beta === null) return normalized;
    return add(mul(normalized, this.gamma), this.beta);
  }
}
