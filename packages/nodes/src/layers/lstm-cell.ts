import type { Tensor } from '@graphgrad/core';
import { add } from '../add.ts';
import { lstmCell } from '../lstm-cell.ts';
import { matmul } from '../matmul.ts';
import { Module } from '../module/module.ts';
import {
  cellParameters,
  checkHidden,
  checkStepInput,
  zeroHidden,
  type RecurrentCell,
  type RecurrentCellOptions,
} from './recurrent-cell.ts';

/** An LSTM's state: the hidden state h and the memory cell c. */
export interface LSTMCellState {
  /** The hidden state, `[N, H]` (what the layer outputs). */
  readonly h: Tensor;
  /** The memory cell, `[N, H]`. */
  readonly c: Tensor;
}

/**
 * One step of the book's LSTM (PyTorch's `nn.LSTMCell`): with A = x·Wx + h·Wh + b split into four
 * gates in the book's order f, g, i, o,
 * c' = σ(f)⊙c + tanh(g)⊙σ(i); h' = σ(o)⊙tanh(c').
 * Wx is `[D, 4H]`, Wh `[H, 4H]`, b `[4H]` (PyTorch keeps the gates in the order i, f, g, o, as
 * `weight_ih` `[4H, D]`, with two biases that sum to b; `fromPyTorch` maps them).
 *
 * @example
 * const cell = new LSTMCell(3, 5, { seed: 1 });
 * const { h, c } = cell.call(x0); // from h = c = 0
 * const next = cell.call(x1, { h, c });
 */
export class LSTMCell
  extends Module<[x: Tensor, state?: LSTMCellState | null], LSTMCellState>
  implements RecurrentCell<LSTMCellState>
{
  /** Input weights, `[inputSize, 4·hiddenSize]`, gates f, g, i, o. */
  readonly Wx: Tensor;
  /** Recurrent weights, `[hiddenSize, 4·hiddenSize]`. */
  readonly Wh: Tensor;
  /** The bias, `[4·hiddenSize]`. */
  readonly b: Tensor;

  constructor(
    /** Features of each input. */
    readonly inputSize: number,
    /** Features of the hidden state. */
    readonly hiddenSize: number,
    options: RecurrentCellOptions = {},
  ) {
    super();
    const { Wx, Wh, biases } = cellParameters('LSTMCell', inputSize, hiddenSize, 4, options);
    this.Wx = Wx;
    this.Wh = Wh;
    this.b = biases[0];
  }

  /** x·Wx + b, the four gates' input share. */
  project(x: Tensor): Tensor {
    return add(matmul(x, this.Wx), this.b);
  }

  /** The book's cell equations from the projected input (the gate arithmetic one fused node, `lstmCell`). */
  step(projected: Tensor, { h, c }: LSTMCellState): LSTMCellState {
    const [hNext, cNext] = lstmCell(add(projected, matmul(h, this.Wh)), c);
    return { h: hNext, c: cNext };
  }

  /** The hidden state h. */
  output(state: LSTMCellState): Tensor {
    return state.h;
  }

  /** h = c = 0. */
  zeroState(batch: number, like: Tensor): LSTMCellState {
    return { h: zeroHidden(batch, this.hiddenSize, like), c: zeroHidden(batch, this.hiddenSize, like) };
  }

  /** The next h and c for x `[N, D]` from a state (zeros when omitted). */
  forward(x: Tensor, state?: LSTMCellState | null): LSTMCellState {
    checkStepInput('LSTMCell', x, this.inputSize);
    if (state != null) {
      checkHidden('LSTMCell', 'h', state.h, x.shape[0], this.hiddenSize);
      checkHidden('LSTMCell', 'c', state.c, x.shape[0], this.hiddenSize);
    }
    return this.step(this.project(x), state ?? this.zeroState(x.shape[0], x));
  }
}
