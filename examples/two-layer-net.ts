/**
 * The book's TwoLayerNet (§1.4, `ch01/two_layer_net.py`): Affine → Sigmoid → Affine, with
 * SoftmaxWithLoss on top. Shared by the spiral examples.
 *
 * Unlike the book's class there is no `backward()`: the tape records `forward`, and
 * `loss.backward()` leaves each parameter's gradient in `param.grad` (listed by `grads`).
 */
import {
  Generator,
  noGrad,
  randn,
  tidy,
  zeros,
  type Tensor,
  Affine,
  argmax,
  Sequential,
  Sigmoid,
  SoftmaxWithLoss,
  type TrainableModel,
} from 'graphgrad';

export class TwoLayerNet implements TrainableModel {
  readonly layers: Sequential;
  readonly lossLayer = new SoftmaxWithLoss();

  /**
   * @param seed seeds the weights' generator, so a run is reproducible
   * @example
   * const model = new TwoLayerNet(2, 10, 3, { seed: 1984 });
   * const loss = model.forward(x, t);
   */
  constructor(inputSize: number, hiddenSize: number, outputSize: number, { seed = 0 } = {}) {
    const generator = new Generator(seed);
    // The book's initialisation: W = 0.01·randn, b = 0 (float32, graphgrad's default dtype).
    const W1 = randn([inputSize, hiddenSize], { std: 0.01, generator, requiresGrad: true });
    const b1 = zeros([hiddenSize], { requiresGrad: true });
    const W2 = randn([hiddenSize, outputSize], { std: 0.01, generator, requiresGrad: true });
    const b2 = zeros([outputSize], { requiresGrad: true });
    this.layers = new Sequential([new Affine(W1, b1), new Sigmoid(), new Affine(W2, b2)]);
  }

  /** Every layer's parameters, as the book's `params` list. */
  get params(): readonly Tensor[] {
    return this.layers.params;
  }

  /** The parameters' gradients (filled by `loss.backward()`), as the book's `grads` list. */
  get grads(): readonly (Tensor | null)[] {
    return this.layers.grads;
  }

  /** Scores for each class (no softmax: the highest score is the predicted class). */
  predict(x: Tensor): Tensor {
    return this.layers.forward(x);
  }

  /** The mean softmax cross-entropy loss of a minibatch; `t` one-hot or int32 class indices. */
  forward(x: Tensor, t: Tensor): Tensor {
    return this.lossLayer.forward(this.predict(x), t);
  }

  /** The fraction of rows whose highest score is the target class; `t` one-hot or int32 class indices. */
  async accuracy(x: Tensor, t: Tensor): Promise<number> {
    const [predicted, expected] = noGrad(() =>
      tidy(() => [argmax(this.predict(x)), t.dtype === 'int32' ? t.detach() : argmax(t)]),
    );
    const [p, e] = await Promise.all([predicted.data(), expected.data()]);
    predicted.dispose();
    expected.dispose();
    return p.filter((c, i) => c === e[i]).length / p.length;
  }
}
