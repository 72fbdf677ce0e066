import type { Tensor } from '@graphgrad/core';
import { GRUCell } from './gru-cell.ts';
import { Recurrent, type RecurrentOptions } from './recurrent.ts';

/**
 * PyTorch's `nn.GRU`: `numLayers` of `GRUCell` over a batch-first sequence `[N, T, D]`, giving
 * `[N, T, H]`; the state h is `[numLayers, N, H]`.
 *
 * @example
 * const gru = new GRU(16, 128, { numLayers: 2, seed: 1 });
 * const { output, state } = gru.forwardWithState(x);
 */
export class GRU extends Recurrent<Tensor, Tensor, GRUCell> {
  protected readonly partNames = ['h'] as const;

  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('GRU', inputSize, hiddenSize, options, (i, h, o) => new GRUCell(i, h, o));
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
