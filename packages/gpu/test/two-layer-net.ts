import { Generator, randn, tensor, tidy, zeros, type Backend, type Tensor } from '@graphgrad/core';
import { loadSpiral } from '@graphgrad/datasets';
import * as nodes from '@graphgrad/nodes';
import { SGD } from '@graphgrad/optim';

const { Affine, gather, Sequential, Sigmoid, softmaxWithLoss } = nodes;

/** The book's two-layer net on the spiral data: I=2, H=10, O=3, SGD with learning rate 1.0, batch 30. */
export interface Training {
  /** One SGD step on the next minibatch (inside `tidy`); returns the loss tensor, which the caller disposes. */
  step(): Tensor;
  readonly params: readonly Tensor[];
  dispose(): void;
}

/** The same data, initial weights and minibatch order on every backend (all seeded). */
export function twoLayerNet(backend: Backend, seed = 1984): Training {
  const { x, t } = loadSpiral({ seed, backend });
  const generator = new Generator(seed);
  const W1 = randn([2, 10], { std: 0.01, generator, requiresGrad: true, backend });
  const b1 = zeros([10], { requiresGrad: true, backend });
  const W2 = randn([10, 3], { std: 0.01, generator, requiresGrad: true, backend });
  const b2 = zeros([3], { requiresGrad: true, backend });
  const model = new Sequential([new Affine(W1, b1), new Sigmoid(), new Affine(W2, b2)]);
  const optimizer = new SGD(model.params, { lr: 1.0 });
  const shuffler = new Generator(seed);
  const batch = 30;
  const rows = x.shape[0];
  let order = shuffler.permutation(rows);
  let next = 0;
  return {
    params: model.params,
    step: () =>
      tidy(() => {
        if (next + batch > rows) {
          order = shuffler.permutation(rows);
          next = 0;
        }
        const picks = tensor(order.subarray(next, next + batch), { backend });
        next += batch;
        optimizer.zeroGrad();
        const loss = softmaxWithLoss(model.forward(gather(x, picks)), gather(t, picks));
        loss.backward();
        optimizer.step();
        return loss;
      }),
    dispose: () => {
      optimizer.zeroGrad();
      for (const p of [x, t, ...model.params]) p.dispose();
    },
  };
}
