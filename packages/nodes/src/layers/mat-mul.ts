import type { Tensor } from '@graphgrad/core';
import { matmul } from '../matmul.ts';
import { gradsOf, type Layer } from './layer.ts';

/**
 * The book's MatMul layer: y = x·W.
 *
 * @example
 * const layer = new MatMul(randn([2, 10], { requiresGrad: true }));
 */
export class MatMul implements Layer {
  readonly params: readonly Tensor[];

  constructor(
    /** The weights, [input, output]. */
    readonly W: Tensor,
  ) {
    this.params = [W];
  }

  get grads(): readonly (Tensor | null)[] {
    return gradsOf(this.params);
  }

  /** x·W for a batch x of shape [N, input]. */
  forward(x: Tensor): Tensor {
    return matmul(x, this.W);
  }
}
