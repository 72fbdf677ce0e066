import { isTensor, type Tensor } from '@graphgrad/core';
import { Module, type ModuleMember } from '../module/module.ts';
import type { Layer } from './layer.ts';

/**
 * A book-style layer that is not a `Module` (a plain object with `params`), seen as one so that a
 * container can name its parameters (`'0'`, `'1'`, … in its `params` order). Its tensors cannot be
 * replaced, so a model holding one cannot be moved with `to(backend)`.
 */
class LayerView extends Module<Tensor[], Tensor> {
  readonly #layer: Layer;

  constructor(layer: Layer) {
    super();
    this.#layer = layer;
  }

  protected override members(): ModuleMember[] {
    return this.#layer.params.filter(isTensor).map((value, i) => ({ name: String(i), value }));
  }

  forward(...inputs: Tensor[]): Tensor {
    return this.#layer.forward(...inputs);
  }
}

/**
 * Layers applied in order, each to the previous one's output: the book's `layers` list as a
 * module, PyTorch's `nn.Sequential`. Its members are named by position (`'0.W'`, `'2.b'`, as
 * PyTorch names them); `params` lists every parameter once, even when layers share one (weight
 * tying). A layer may be any `Module` or a plain book-style `Layer`.
 *
 * @example
 * const model = new Sequential([new Affine(W1, b1), new Sigmoid(), new Affine(W2, b2)]);
 * const scores = model.call(x);
 */
export class Sequential extends Module<[x: Tensor], Tensor> {
  /** The layers, in the order they are applied. */
  readonly layers: readonly (Layer | Module<[x: Tensor], Tensor>)[];
  readonly #modules: readonly Module<[x: Tensor], Tensor>[];

  constructor(layers: readonly (Layer | Module<[x: Tensor], Tensor>)[]) {
    super();
    this.layers = [...layers];
    this.#modules = this.layers.map((l) =>
      l instanceof Module ? (l as Module<[x: Tensor], Tensor>) : new LayerView(l),
    );
  }

  protected override members(): ModuleMember[] {
    return this.#modules.map((value, i) => ({ name: String(i), value }));
  }

  /** Each layer applied to the previous one's output, starting from `x`. */
  forward(x: Tensor): Tensor {
    return this.#modules.reduce((h, layer) => layer.call(h), x);
  }
}
