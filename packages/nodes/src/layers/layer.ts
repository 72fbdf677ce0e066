import { ArgumentError, describeValue, type Tensor } from '@graphgrad/core';
import { requireTensor } from '../validate.ts';
import { Module } from '../module/module.ts';

/**
 * A layer the book's way: parameters in `params`, their gradients in `grads` (read from the
 * parameters after `backward()`), and a `forward`. There is no hand-written `backward`: the tape
 * derives it from the nodes `forward` used. Every `Module` is one (its `params` is
 * `parameters()`); a plain object with these members is one too.
 */
export interface Layer {
  /** The parameters this layer owns (the same tensor objects every time). */
  readonly params: readonly Tensor[];
  /** `params[i].grad` for each parameter (null before the first backward). */
  readonly grads: readonly (Tensor | null)[];
  /** The layer's output for `inputs`, recorded on the tape. */
  forward(...inputs: Tensor[]): Tensor;
}

/**
 * A layer without parameters, holding only a function of its inputs: a `Module` with no tensors.
 *
 * @example
 * class Tanh extends StatelessLayer {
 *   forward(x: Tensor): Tensor { return tanh(x); }
 * }
 */
export abstract class StatelessLayer extends Module<Tensor[], Tensor> {
  /** The layer's output for `inputs`. */
  abstract override forward(...inputs: Tensor[]): Tensor;
}

/**
 * The gradients of `params`, in order.
 *
 * @example
 * gradsOf(model.params); // [W1.grad, b1.grad, …]
 */
export function gradsOf(params: readonly Tensor[]): (Tensor | null)[] {
  const list: unknown = params;
  if (!Array.isArray(list))
    throw new ArgumentError(`gradsOf: params must be a list of tensors, got ${describeValue(list)}`);
  params.forEach((p, i) => requireTensor('gradsOf', p, `params[${i}]`));
  return params.map((p) => p.grad);
}
