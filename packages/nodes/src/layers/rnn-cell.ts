import type { Tensor } from '@graphgrad/core';
import { add } from '../add.ts';
import { matmul } from '../matmul.ts';
import { Module } from '../module/module.ts';
import { tanh } from '../tanh.ts';
import {
  cellParameters,
  checkHidden,
  checkStepInput,
  zeroHidden,
  type RecurrentCell,
  type RecurrentCellOptions,
} from './recurrent-cell.ts';

/**
 * One step of the book's RNN (PyTorch's `nn.RNNCell` with tanh): h' = tanh(x·Wx + h·Wh + b), with
 * Wx `[D, H]`, Wh `[H, H]` and b `[H]` (PyTorch's `weight_ih` is Wxᵀ, and its two biases sum to b).
 *
 * @example
 * const cell = new RNNCell(3, 5, { seed: 1 });
 * const h1 = cell.call(x0);      // [N, 3] -> [N, 5], from h = 0
 * const h2 = cell.call(x1, h1);
 */
export class RNNCell extends Module<[x: Tensor, h?: Tensor | null], Tensor> implements RecurrentCell<Tensor> {
  /** Input weights, `[inputSize, hiddenSize]`. */
  readonly Wx: Tensor;
  /** Recurrent weights, `[hiddenSize, hiddenSize]`. */
  readonly Wh: Tensor;
  /** The bias, `[hiddenSize]`. */
  readonly b: Tensor;

  constructor(
    /** Features of each input. */
    readonly inputSize: number,
    /** Features of the hidden state. */
    readonly hiddenSize: number,
    options: RecurrentCellOptions = {},
  ) {
    super();
    const { Wx, Wh, biases } = cellParameters('RNNCell', inputSize, hiddenSize, 1, options);
    this.Wx = Wx;
    this.Wh = Wh;
    this.b = biases[0];
  }

  /** x·Wx + b. */
  project(x: Tensor): Tensor {
    return add(matmul(x, this.Wx), this.b);
  }

  /** tanh(projected + h·Wh). */
  step(projected: Tensor, h: Tensor): Tensor {
    return tanh(add(projected, matmul(h, this.Wh)));
  }

  /** The state is h itself. */
  output(h: Tensor): Tensor {
    return h;
  }

  /** h = 0. */
  zeroState(batch: number, like: Tensor): Tensor {
    return zeroHidden(batch, this.hiddenSize, like);
  }

  /** The next h for x `[N, D]` from h `[N, H]` (zeros when omitted). */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    checkStepInput('RNNCell', x, this.inputSize);
    if (h != null) checkHidden('RNNCell', 'h', h, x.shape[0], this.hiddenSize);
    return this.step(this.project(x), h ?? this.zeroState(x.shape[0], x));
  }
}
