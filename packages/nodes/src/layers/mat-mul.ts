import type { Tensor } from '@graphgrad/core';
import { matmul } from '../matmul.ts';
import { Module } from '../module/module.ts';

/**
 * The book's MatMul layer: y = x·W, a `Module` holding the given `W`.
 *
 * @example
 * const layer = new MatMul(randn([2, 10], { requiresGrad: true }));
 */
export class MatMul extends Module<[x: Tensor], Tensor> {
  constructor(
    /** The weights, [input, output]. */
    readonly W: Tensor,
  ) {
    super();
  }

  /** x·W for a batch x of shape [N, input]. */
  forward(x: Tensor): Tensor {
    return matmul(x, this.W);
  }
}
