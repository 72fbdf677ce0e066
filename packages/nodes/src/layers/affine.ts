import type { Tensor } from '@graphgrad/core';
import { add } from '../add.ts';
import { matmul } from '../matmul.ts';
import { Module } from '../module/module.ts';

/**
 * The book's Affine layer: y = x·W + b, the bias broadcast over the batch (a Repeat, whose
 * gradient is a Sum over the batch axis). A `Module` holding the given `W` and `b` (named so in
 * a state dict); `Linear` is the same layer creating its own parameters.
 *
 * @example
 * const fc = new Affine(randn([2, 10], { std: 0.01, requiresGrad: true }), zeros([10], { requiresGrad: true }));
 */
export class Affine extends Module<[x: Tensor], Tensor> {
  constructor(
    /** The weights, [input, output]. */
    readonly W: Tensor,
    /** The bias, [output] (or [1, output]), broadcast over the batch. */
    readonly b: Tensor,
  ) {
    super();
  }

  /** x·W + b for a batch x of shape [N, input]. */
  forward(x: Tensor): Tensor {
    return add(matmul(x, this.W), this.b);
  }
}
