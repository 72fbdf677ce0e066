import type { Tensor } from '@graphgrad/core';

/**
 * A layer the book's way: parameters in `params`, their gradients in `grads` (read from the
 * parameters after `backward()`), and a `forward`. There is no hand-written `backward`: the tape
 * derives it from the nodes `forward` used.
 */
export interface Layer {
  /** The parameters this layer owns (the same tensor objects every time). */
  readonly params: readonly Tensor[];
  /** `params[i].grad` for each parameter (null before the first backward). */
  readonly grads: readonly (Tensor | null)[];
  /** The layer's output for `inputs`, recorded on the tape. */
  forward(...inputs: Tensor[]): Tensor;
}

/** A layer without parameters, holding only a function of its inputs. */
export abstract class StatelessLayer implements Layer {
  readonly params: readonly Tensor[] = [];
  get grads(): readonly (Tensor | null)[] {
    return [];
  }
  /** The layer's output for `inputs`. */
  abstract forward(...inputs: Tensor[]): Tensor;
}

/** The gradients of `params`, in order. */
export function gradsOf(params: readonly Tensor[]): (Tensor | null)[] {
  return params.map((p) => p.grad);
}

/**
 * Layers applied in order, each to the previous one's output: the book's `layers` list as an
 * object. Its `params` list every parameter once, even when layers share one (weight tying).
 *
 * @example
 * const model = new Sequential([new Affine(W1, b1), new Sigmoid(), new Affine(W2, b2)]);
 * const scores = model.forward(x);
 */
export class Sequential implements Layer {
  /** The layers, in the order they are applied. */
  readonly layers: readonly Layer[];

  constructor(layers: readonly Layer[]) {
    this.layers = [...layers];
  }

  get params(): readonly Tensor[] {
    return [...new Set(this.layers.flatMap((l) => l.params))];
  }

  get grads(): readonly (Tensor | null)[] {
    return gradsOf(this.params);
  }

  /** Each layer applied to the previous one's output, starting from `x`. */
  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, layer) => layer.forward(h), x);
  }
}
