import type { Tensor } from '@graphgrad/core';
import { LSTMCell, type LSTMCellState } from './lstm-cell.ts';
import { Recurrent, type RecurrentOptions } from './recurrent.ts';

/** An LSTM layer's state: h and c, each `[numLayers, N, H]` (PyTorch's `(h_n, c_n)`). */
export interface LSTMState {
  /** The hidden states. */
  readonly h: Tensor;
  /** The memory cells. */
  readonly c: Tensor;
}

/**
 * The book's TimeLSTM, PyTorch's `nn.LSTM`: `numLayers` of `LSTMCell` (gates f, g, i, o, the
 * book's order) over a batch-first sequence `[N, T, D]`, giving `[N, T, H]`; the state is h and c,
 * each `[numLayers, N, H]`. Stateful, it carries the final state into the next call cut from the
 * graph, as the book's language model does for truncated BPTT.
 *
 * @example
 * const lstm = new LSTM(650, 650, { numLayers: 2, dropout: 0.5, stateful: true, seed: 1 });
 * const hs = lstm.call(embedded);        // [N, T, 650]
 * const { state } = encoder.forwardWithState(source);
 * const decoded = decoder.call(target, state); // a decoder started from the encoder's state
 */
export class LSTM extends Recurrent<LSTMState, LSTMCellState, LSTMCell> {
  protected readonly partNames = ['h', 'c'] as const;

  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('LSTM', inputSize, hiddenSize, options, (i, h, o) => new LSTMCell(i, h, o));
  }

  protected parts({ h, c }: LSTMState): Tensor[] {
    return [h, c];
  }

  protected fromParts([h, c]: readonly Tensor[]): LSTMState {
    return { h, c };
  }

  protected cellParts({ h, c }: LSTMCellState): Tensor[] {
    return [h, c];
  }

  protected cellFromParts([h, c]: readonly Tensor[]): LSTMCellState {
    return { h, c };
  }
}
