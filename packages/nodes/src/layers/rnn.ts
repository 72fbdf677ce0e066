import type { Tensor } from '@graphgrad/core';
import { Recurrent, type RecurrentOptions } from './recurrent.ts';
import { RNNCell } from './rnn-cell.ts';

/**
 * The book's TimeRNN, PyTorch's `nn.RNN` (tanh): `numLayers` of `RNNCell` over a batch-first
 * sequence `[N, T, D]`, giving `[N, T, H]`; the state h is `[numLayers, N, H]`.
 *
 * @example
 * const rnn = new RNN(100, 100, { stateful: true, seed: 1 });
 * const hs = rnn.call(embedded); // [N, T, 100] -> [N, T, 100], continuing from the previous call
 * rnn.resetState();
 */
export class RNN extends Recurrent<Tensor, Tensor, RNNCell> {
  protected readonly partNames = ['h'] as const;

  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('RNN', inputSize, hiddenSize, options, (i, h, o) => new RNNCell(i, h, o));
  }

  protected parts(h: Tensor): Tensor[] {
    return [h];
  }

  protected fromParts([h]: readonly Tensor[]): Tensor {
    return h;
  }

  protected cellParts(h: Tensor): Tensor[] {
    return [h];
  }

  protected cellFromParts([h]: readonly Tensor[]): Tensor {
    return h;
  }
}
