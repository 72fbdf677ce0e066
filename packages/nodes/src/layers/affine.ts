import type { Tensor } from '@graphgrad/core';
import { add } from '../add.ts';
import { matmul } from '../matmul.ts';
import { gradsOf, type Layer } from './layer.ts';

/**
 * The book's Affine layer: y = x·W + b, the bias broadcast over the batch (a Repeat, whose
 * gradient is a Sum over the batch axis).
 *
 * @example
 * const fc = new Affine(randn([2, 10], { std: 0.01, requiresGrad: true }), zeros([10], { requiresGrad: true }));
 */
export class Affine implements Layer {
  readonly params: readonly Tensor[];

  constructor(
    /** The weights, [input, output]. */
    readonly W: Tensor,
    /** The bias, [output] (or [1, output]), broadcast over the batch. */
    readonly b: Tensor,
  ) {
    this.params = [W, b];
  }

  get grads(): readonly (Tensor | null)[] {
    return gradsOf(this.params);
  }

  /** x·W + b for a batch x of shape [N, input]. */
  forward(x: Tensor): Tensor {
    return add(matmul(x, this.W), this.b);
  }
}
