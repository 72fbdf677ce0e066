import {
  ArgumentError,
  BackendError,
  describeValue,
  DTypeError,
  formatShape,
  Generator,
  keep,
  ShapeError,
  type Backend,
  type Tensor,
} from '@graphgrad/core';
import { dropout } from '../dropout.ts';
import { Module, type AnyModule } from '../module/module.ts';
import { stack } from '../stack.ts';
import { unbind } from '../unbind.ts';
import { checkSize } from './layer-options.ts';
import type { RecurrentCell, RecurrentCellOptions } from './recurrent-cell.ts';

/** Options of `RNN`, `LSTM` and `GRU`. */
export interface RecurrentOptions extends RecurrentCellOptions {
  /** Layers stacked, each reading the previous one's outputs (default 1). */
  readonly numLayers?: number;
  /**
   * Carry the final state of each call into the next one, cut from the graph (the book's
   * `stateful` Time layers, for truncated backpropagation through time); `resetState()` forgets it.
   * Default false: each call starts from zeros unless given a state.
   */
  readonly stateful?: boolean;
  /** Dropout on the outputs of every layer but the last while training (default 0, as PyTorch). */
  readonly dropout?: number;
  /** Seed of the generator of that dropout (default: the global generator). */
  readonly dropoutSeed?: number;
}

/** A recurrent layer's output for a sequence, and its final state. */
export interface RecurrentResult<S> {
  /** The last layer's hidden state at every step, `[N, T, H]`. */
  readonly output: Tensor;
  /** The final state of every layer (`[numLayers, N, H]` each), to start the next call from. */
  readonly state: S;
}

/**
 * What `RNN`, `LSTM` and `GRU` share: a stack of cells run over a batch-first sequence `[N, T, D]`
 * (the book's layout; PyTorch's default is time first, `batch_first=False`). Each layer projects
 * the whole sequence through its input weights in one product, steps through time with its
 * recurrent weights, and stacks the hidden states along time. The state is `[numLayers, N, H]`
 * per part (h; h and c for an LSTM), as PyTorch's `h_n`.
 *
 * `forward(x, state?)` gives the outputs; `forwardWithState(x, state?)` also gives the final state,
 * still in the graph (a decoder started from an encoder's state backpropagates into it).
 *
 * @example
 * const layer: Recurrent<LSTMState, LSTMCellState, LSTMCell> = new LSTM(8, 16);
 * layer.cells.length; // 1
 */
export abstract class Recurrent<S, CellState, Cell extends AnyModule & RecurrentCell<CellState>> extends Module<
  [x: Tensor, state?: S | null],
  Tensor
> {
  /** The layers' cells, in order: `cells.0` reads the input, each next one the previous outputs. */
  readonly cells: readonly Cell[];
  /** Whether each call continues from the previous call's final state. */
  readonly stateful: boolean;
  /** Dropout between layers while training. */
  readonly dropout: number;
  readonly #name: string;
  readonly #generator: Generator | undefined;
  #carried: S | null = null;

  constructor(
    name: string,
    /** Features of each input. */
    readonly inputSize: number,
    /** Features of the hidden state. */
    readonly hiddenSize: number,
    options: RecurrentOptions,
    makeCell: (inputSize: number, hiddenSize: number, options: RecurrentCellOptions) => Cell,
  ) {
    super();
    const { numLayers = 1, stateful = false, dropout: p = 0 } = options;
    checkSize(name, 'inputSize', inputSize);
    checkSize(name, 'hiddenSize', hiddenSize);
    checkSize(name, 'numLayers', numLayers);
    if (!(p >= 0 && p < 1)) throw new ArgumentError(`${name}: dropout must be in [0, 1), got ${describeValue(p)}`);
    this.#name = name;
    this.stateful = stateful;
    this.dropout = p;
    this.#generator = options.dropoutSeed === undefined ? undefined : new Generator(options.dropoutSeed);
    // One generator for every cell, so that a seed gives each layer its own values.
    const generator = options.generator ?? (options.seed === undefined ? undefined : new Generator(options.seed));
    this.cells = Array.from({ length: numLayers }, (_, l) =>
      makeCell(l === 0 ? inputSize : hiddenSize, hiddenSize, { ...options, generator }),
    );
  }

  /** Layers stacked. */
  get numLayers(): number {
    return this.cells.length;
  }

  /** The tensors of a state, in the order of `partNames` (`[numLayers, N, H]` each). */
  protected abstract parts(state: S): Tensor[];
  /** A state from its tensors. */
  protected abstract fromParts(parts: readonly Tensor[]): S;
  /** The tensors of a cell's state (`[N, H]` each), in the same order. */
  protected abstract cellParts(state: CellState): Tensor[];
  /** A cell's state from its tensors. */
  protected abstract cellFromParts(parts: readonly Tensor[]): CellState;
  /** The parts' names for messages: `['h']`, `['h', 'c']`. */
  protected abstract readonly partNames: readonly string[];

  /**
   * The last layer's outputs `[N, T, H]` for a batch-first sequence `x` `[N, T, D]`, from `state`
   * (zeros when omitted, or the carried state of a stateful layer).
   */
  forward(x: Tensor, state?: S | null): Tensor {
    return this.forwardWithState(x, state).output;
  }

  /**
   * The outputs and the final state, for truncated BPTT by hand or an encoder–decoder.
   *
   * @example
   * const { output, state } = encoder.forwardWithState(source);
   * const decoded = decoder.call(target, state);
   */
  forwardWithState(x: Tensor, state?: S | null): RecurrentResult<S> {
    if (x.rank !== 3 || x.shape[2] !== this.inputSize || x.shape[1] < 1)
      throw new ShapeError(
        `${this.#name}: the input is ${formatShape(x.shape)}, expected [N, T, ${this.inputSize}] (batch first) with T ≥ 1`,
      );
    const batch = x.shape[0];
    const initial = state ?? (this.stateful ? this.#carriedFor(batch, x.backend) : null);
    if (initial != null) this.#checkState(initial, x, batch);
    const layerStates =
      initial == null ? this.cells.map((cell) => cell.zeroState(batch, x)) : this.#layerStates(initial);

    let input = x;
    const finals: CellState[] = [];
    this.cells.forEach((cell, l) => {
      let s = layerStates[l];
      const outputs = unbind(cell.project(input), 1).map((projected) => {
        s = cell.step(projected, s);
        return cell.output(s);
      });
      finals.push(s);
      input = stack(outputs, 1);
      if (l < this.cells.length - 1 && this.dropout > 0)
        input = dropout(input, this.dropout, { training: this.training, generator: this.#generator });
    });
    const names = this.partNames;
    const final = this.fromParts(
      names.map((_, k) =>
        stack(
          finals.map((f) => this.cellParts(f)[k]),
          0,
        ),
      ),
    );
    if (this.stateful) this.#carry(final);
    return { output: input, state: final };
  }

  /** Forgets the carried state of a stateful layer: the next call starts from zeros. */
  resetState(): void {
    if (this.#carried !== null) for (const t of this.parts(this.#carried)) t.dispose();
    this.#carried = null;
  }

  /** Moves the parameters (see `Module.to`) and forgets any carried state, which stays behind. */
  override async to(backend: Backend): Promise<this> {
    await super.to(backend);
    this.resetState();
    return this;
  }

  /** Each layer's state, from a state of `[numLayers, N, H]` parts. */
  #layerStates(state: S): CellState[] {
    const perPart = this.parts(state).map((part) => unbind(part, 0));
    return this.cells.map((_, l) => this.cellFromParts(perPart.map((layers) => layers[l])));
  }

  /**
   * The carried state as fresh views in the current scope (so that the kept originals can be
   * replaced after this call while the graph still reads the views), or null.
   */
  #carriedFor(batch: number, backend: Backend): S | null {
    const carried = this.#carried;
    if (carried === null) return null;
    const parts = this.parts(carried);
    if (parts[0].shape[1] !== batch)
      throw new ShapeError(
        `${this.#name}: the carried state is for a batch of ${parts[0].shape[1]}, the input has ${batch}; call resetState() first`,
      );
    if (parts[0].backend !== backend)
      throw new BackendError(`${this.#name}: the carried state is on another backend; call resetState() first`);
    return this.fromParts(parts.map((p) => p.detach()));
  }

  /** Keeps a copy of `final` cut from the graph, replacing the previous one. */
  #carry(final: S): void {
    const next = this.fromParts(this.parts(final).map((p) => keep(p.detach())));
    this.resetState();
    this.#carried = next;
  }

  #checkState(state: S, x: Tensor, batch: number): void {
    const parts = this.parts(state);
    const expected = [this.cells.length, batch, this.hiddenSize];
    parts.forEach((part, k) => {
      const name = this.partNames[k];
      if (part.rank !== 3 || part.shape.some((n, i) => n !== expected[i]))
        throw new ShapeError(
          `${this.#name}: the state ${name} is ${formatShape(part.shape)}, expected ${formatShape(expected)} ([numLayers, N, H])`,
        );
      if (part.dtype !== x.dtype)
        throw new DTypeError(`${this.#name}: the state ${name} is ${part.dtype}, the input ${x.dtype}`);
      if (part.backend !== x.backend)
        throw new BackendError(
          `${this.#name}: the state ${name} is on the ${part.backend.name} backend, the input on ${x.backend.name}`,
        );
    });
  }
}
