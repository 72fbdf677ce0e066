import { formatShape, ShapeError, zeros, type FloatDType, type Tensor } from '@graphgrad/core';
import { uniform, type Initializer } from '../module/init.ts';
import { checkSize, parameterOptions, type LayerOptions } from './layer-options.ts';

/** Options of a recurrent cell, and of the recurrent layers built from cells. */
export interface RecurrentCellOptions extends LayerOptions {
  /** The weights' initialiser (default PyTorch's: U(±1/√hidden)). */
  readonly init?: Initializer;
  /** The biases' initialiser (default PyTorch's: U(±1/√hidden); the book's is `init.zeros`). */
  readonly biasInit?: Initializer;
}

/**
 * One layer of a recurrence, one time step at a time: what `RNN`, `LSTM` and `GRU` run over a
 * sequence. `S` is the state a step carries (h, or h and c).
 */
export interface RecurrentCell<S> {
  /** Features of each input. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** The input's share of every step, for a whole sequence at once: x·Wx (+ bias), `[…, D]` to `[…, G]`. */
  project(x: Tensor): Tensor;
  /** One step from the projected input `[N, G]` and the previous state. */
  step(projected: Tensor, state: S): S;
  /** The hidden state h of a state (what the layer outputs). */
  output(state: S): Tensor;
  /** The zero state for a batch of `batch`, in `dtype` on `like`'s backend. */
  zeroState(batch: number, like: Tensor): S;
}

/** The parameters of a cell of `gates` gates: Wx `[D, G·H]`, Wh `[H, G·H]` and a bias `[G·H]`. */
export function cellParameters(
  cell: string,
  inputSize: number,
  hiddenSize: number,
  gates: number,
  options: RecurrentCellOptions,
  biases = 1,
): { Wx: Tensor; Wh: Tensor; biases: Tensor[] } {
  checkSize(cell, 'inputSize', inputSize);
  checkSize(cell, 'hiddenSize', hiddenSize);
  const create = parameterOptions(options);
  const bound = 1 / Math.sqrt(hiddenSize);
  const pytorchDefault: Initializer = (shape, o) => uniform(shape, { ...o, low: -bound, high: bound });
  const weight = options.init ?? pytorchDefault;
  const bias = options.biasInit ?? pytorchDefault;
  const width = gates * hiddenSize;
  return {
    Wx: weight([inputSize, width], { ...create, fanIn: inputSize, fanOut: width }),
    Wh: weight([hiddenSize, width], { ...create, fanIn: hiddenSize, fanOut: width }),
    biases: Array.from({ length: biases }, () => bias([width], { ...create, fanIn: hiddenSize, fanOut: width })),
  };
}

/** Zeros `[batch, hidden]` like `like` (dtype and backend). */
export function zeroHidden(batch: number, hiddenSize: number, like: Tensor): Tensor {
  return zeros([batch, hiddenSize], { dtype: like.dtype as FloatDType, backend: like.backend });
}

/** Throws a `ShapeError` naming the cell unless `x` is `[N, inputSize]`. */
export function checkStepInput(cell: string, x: Tensor, inputSize: number): void {
  if (x.rank !== 2 || x.shape[1] !== inputSize)
    throw new ShapeError(`${cell}: the input is ${formatShape(x.shape)}, expected [N, ${inputSize}]`);
}

/** Throws a `ShapeError` naming the cell unless `h` is `[batch, hiddenSize]`. */
export function checkHidden(cell: string, name: string, h: Tensor, batch: number, hiddenSize: number): void {
  if (h.rank !== 2 || h.shape[0] !== batch || h.shape[1] !== hiddenSize)
    throw new ShapeError(`${cell}: the state ${name} is ${formatShape(h.shape)}, expected [${batch}, ${hiddenSize}]`);
}
