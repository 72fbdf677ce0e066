import type { Tensor } from '@graphgrad/core';
import { add } from '../add.ts';
import { matmul } from '../matmul.ts';
import { gruCell } from '../gru-cell.ts';
import { Module } from '../module/module.ts';
import {
  cellParameters,
  checkHidden,
  checkStepInput,
  zeroHidden,
  type RecurrentCell,
  type RecurrentCellOptions,
} from './recurrent-cell.ts';

/**
 * One step of a GRU, as PyTorch's `nn.GRUCell` (and cuDNN): with the gates in the order r, z, n,
 * r = σ(x·Wxr + bxr + h·Whr + bhr); z = σ(x·Wxz + bxz + h·Whz + bhz);
 * n = tanh(x·Wxn + bxn + r⊙(h·Whn + bhn)); h' = (1 - z)⊙n + z⊙h.
 * Wx is `[D, 3H]`, Wh `[H, 3H]`, and the two biases bx, bh `[3H]` (kept apart: r multiplies bhn).
 *
 * @example
 * const cell = new GRUCell(3, 5, { seed: 1 });
 * const h1 = cell.call(x0);
 */
export class GRUCell extends Module<[x: Tensor, h?: Tensor | null], Tensor> implements RecurrentCell<Tensor> {
  /** Input weights, `[inputSize, 3·hiddenSize]`, gates r, z, n. */
  readonly Wx: Tensor;
  /** Recurrent weights, `[hiddenSize, 3·hiddenSize]`. */
  readonly Wh: Tensor;
  /** The input bias, `[3·hiddenSize]`. */
  readonly bx: Tensor;
  /** The recurrent bias, `[3·hiddenSize]`. */
  readonly bh: Tensor;

  constructor(
    /** Features of each input. */
    readonly inputSize: number,
    /** Features of the hidden state. */
    readonly hiddenSize: number,
    options: RecurrentCellOptions = {},
  ) {
    super();
    const { Wx, Wh, biases } = cellParameters('GRUCell', inputSize, hiddenSize, 3, options, 2);
    this.Wx = Wx;
    this.Wh = Wh;
    [this.bx, this.bh] = biases;
  }

  /** x·Wx + bx, the three gates' input share. */
  project(x: Tensor): Tensor {
    return add(matmul(x, this.Wx), this.bx);
  }

  /** PyTorch's GRU equations from the projected input (the gate arithmetic one fused node, `gruCell`). */
  step(projected: Tensor, h: Tensor): Tensor {
    return gruCell(projected, add(matmul(h, this.Wh), this.bh), h);
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
    checkStepInput('GRUCell', x, this.inputSize);
    if (h != null) checkHidden('GRUCell', 'h', h, x.shape[0], this.hiddenSize);
    return this.step(this.project(x), h ?? this.zeroState(x.shape[0], x));
  }
}
