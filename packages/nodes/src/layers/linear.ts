import { formatShape, ShapeError, type Tensor } from '@graphgrad/core';
import { add } from '../add.ts';
import { matmul } from '../matmul.ts';
import { uniform, type Initializer } from '../module/init.ts';
import { Module } from '../module/module.ts';
import { checkSize, parameterOptions, type LayerOptions } from './layer-options.ts';

/** Options of `Linear`. */
export interface LinearOptions extends LayerOptions {
  /** Add a learned bias (default true). */
  readonly bias?: boolean;
  /** The weight's initialiser (default PyTorch's: U(±1/√in)). */
  readonly init?: Initializer;
  /** The bias's initialiser (default PyTorch's: U(±1/√in); the book's is `init.zeros`). */
  readonly biasInit?: Initializer;
}

/**
 * A fully connected layer, PyTorch's `nn.Linear`: y = x·W + b on inputs `[…, in]` (any leading
 * axes: a batch `[N, in]`, a sequence `[N, T, in]`), giving `[…, out]`. The weight is stored in
 * the book's layout, `W: [in, out]` (PyTorch's `weight` is its transpose, `[out, in]`; see
 * `fromPyTorch`).
 *
 * @example
 * const fc = new Linear(784, 100, { seed: 1 });
 * fc.call(x); // [N, 784] -> [N, 100]
 */
export class Linear extends Module<[x: Tensor], Tensor> {
  /** The weight, `[in, out]`. */
  readonly W: Tensor;
  /** The bias, `[out]`, or null without one. */
  readonly b: Tensor | null;

  constructor(
    /** Features of each input. */
    readonly inFeatures: number,
    /** Features of each output. */
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    const create = { ...parameterOptions(options), fanIn: inFeatures, fanOut: outFeatures };
    const bound = 1 / Math.sqrt(inFeatures);
    const pytorchDefault: Initializer = (shape, o) => uniform(shape, { ...o, low: -bound, high: bound });
    this.W = (options.init ?? pytorchDefault)([inFeatures, outFeatures], create);
    this.b = options.bias === false ? null : (options.biasInit ?? pytorchDefault)([outFeatures], create);
  }

  /** x·W + b for x of shape `[…, in]`. */
  forward(x: Tensor): Tensor {
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures)
      throw new ShapeError(`Linear: the input is ${formatShape(x.shape)}, expected [..., ${this.inFeatures}]`);
    const y = matmul(x, this.W);
    return this.b === null ? y : add(y, this.b);
  }
}
