import { Generator, randn, zeros, type Backend, type Tensor } from '@graphgrad/core';
import { Affine, Sequential, Sigmoid, softmaxWithLoss } from '@graphgrad/nodes';
import type { TrainableModel } from '../src/index.ts';

/** The book's two-layer net (2 → hidden → 3), for the Trainer tests. */
export class TinyNet implements TrainableModel {
  readonly net: Sequential;

  constructor({ hidden = 10, seed = 0, backend }: { hidden?: number; seed?: number; backend?: Backend } = {}) {
    const generator = new Generator(seed);
    this.net = new Sequential([
      new Affine(
        randn([2, hidden], { std: 0.01, generator, backend, requiresGrad: true }),
        zeros([hidden], { backend, requiresGrad: true }),
      ),
      new Sigmoid(),
      new Affine(
        randn([hidden, 3], { std: 0.01, generator, backend, requiresGrad: true }),
        zeros([3], { backend, requiresGrad: true }),
      ),
    ]);
  }

  get params(): readonly Tensor[] {
    return this.net.params;
  }

  forward(x: Tensor, t: Tensor): Tensor {
    return softmaxWithLoss(this.net.forward(x), t);
  }
}
