import { ArgumentError, describeValue, formatShape, noGrad, ShapeError, tensor, type Tensor } from '@graphgrad/core';
import { add } from '../add.ts';
import { gather } from '../gather.ts';
import { Embedding } from '../layers/embedding.ts';
import { GRUCell } from '../layers/gru-cell.ts';
import { LayerNorm } from '../layers/layer-norm.ts';
import { Linear } from '../layers/linear.ts';
import { LSTMCell } from '../layers/lstm-cell.ts';
import { Recurrent } from '../layers/recurrent.ts';
import { RNNCell } from '../layers/rnn-cell.ts';
import { transpose } from '../transpose.ts';
import { Module as ModuleClass, type AnyModule, type Module } from './module.ts';
import { requireTensor } from '../validate.ts';
import type { StateDict } from './state-dict.ts';

/** A PyTorch tensor's name within its module, and the tensor. */
type Local = Map<string, Tensor>;

function expectShape(key: string, t: Tensor, shape: readonly number[]): void {
  if (t.rank !== shape.length || t.shape.some((n, i) => n !== shape[i]))
    throw new ShapeError(`fromPyTorch: '${key}' is ${formatShape(t.shape)}, expected ${formatShape(shape)}`);
}

/** The rows of a `[G·H, …]` gate matrix (or `[G·H]` bias) in the order `order` of PyTorch's gate blocks. */
function reorderGates(t: Tensor, hidden: number, order: readonly number[]): Tensor {
  const rows = order.flatMap((block) => Array.from({ length: hidden }, (_, i) => block * hidden + i));
  return gather(t, tensor(rows, { dtype: 'int32', backend: t.backend }));
}

/**
 * One cell's tensors from PyTorch's `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh` (suffixed by
 * `suffix`, `'_l0'` in a multi-layer module): the weights transposed to `[in, G·H]` with the gate
 * blocks in graphgrad's order, and the biases summed (or kept apart for a GRU).
 */
function cellFromPyTorch(
  cell: RNNCell | LSTMCell | GRUCell,
  local: Local,
  prefix: string,
  suffix: string,
): Map<string, Tensor> {
  const H = cell.hiddenSize;
  const gates = cell instanceof LSTMCell ? 4 : cell instanceof GRUCell ? 3 : 1;
  // PyTorch's LSTM gates are i, f, g, o; the book's (graphgrad's) f, g, i, o. RNN and GRU agree.
  const order = cell instanceof LSTMCell ? [1, 2, 0, 3] : Array.from({ length: gates }, (_, i) => i);
  const take = (name: string, shape: readonly number[]): Tensor | undefined => {
    const t = local.get(`${name}${suffix}`);
    if (t === undefined) return undefined;
    local.delete(`${name}${suffix}`);
    expectShape(`${prefix}${name}${suffix}`, t, shape);
    return reorderGates(t, H, order);
  };
  const out = new Map<string, Tensor>();
  const weightIh = take('weight_ih', [gates * H, cell.inputSize]);
  const weightHh = take('weight_hh', [gates * H, H]);
  const biasIh = take('bias_ih', [gates * H]);
  const biasHh = take('bias_hh', [gates * H]);
  if (weightIh !== undefined) out.set('Wx', transpose(weightIh));
  if (weightHh !== undefined) out.set('Wh', transpose(weightHh));
  if (cell instanceof GRUCell) {
    if (biasIh !== undefined) out.set('bx', biasIh);
    if (biasHh !== undefined) out.set('bh', biasHh);
  } else if (biasIh !== undefined || biasHh !== undefined) {
    out.set('b', biasIh !== undefined && biasHh !== undefined ? add(biasIh, biasHh) : (biasIh ?? biasHh)!);
  }
  return out;
}

/** graphgrad's names and tensors for one module of a PyTorch state dict, or null for a module it does not map. */
function mapModule(m: AnyModule, local: Local, prefix: string): Map<string, Tensor> | null {
  const out = new Map<string, Tensor>();
  const rename = (from: string, to: string, convert: (t: Tensor) => Tensor = (t) => t): void => {
    const t = local.get(from);
    if (t === undefined) return;
    local.delete(from);
    out.set(to, convert(t));
  };
  if (m instanceof Linear) {
    // PyTorch's weight is [out, in] (y = x·weightᵀ); graphgrad's W is [in, out].
    rename('weight', 'W', (t) => {
      expectShape(`${prefix}weight`, t, [m.outFeatures, m.inFeatures]);
      return transpose(t);
    });
    rename('bias', 'b');
  } else if (m instanceof Embedding) rename('weight', 'W');
  else if (m instanceof LayerNorm) {
    rename('weight', 'gamma');
    rename('bias', 'beta');
  } else if (m instanceof RNNCell || m instanceof LSTMCell || m instanceof GRUCell) {
    return cellFromPyTorch(m, local, prefix, '');
  } else if (m instanceof Recurrent) {
    (m.cells as readonly (RNNCell | LSTMCell | GRUCell)[]).forEach((cell, l) => {
      for (const [name, t] of cellFromPyTorch(cell, local, prefix, `_l${l}`)) out.set(`cells.${l}.${name}`, t);
    });
  } else return null;
  return out;
}

/**
 * A PyTorch `state_dict` (read from a safetensors file written by PyTorch, or by numpy in its
 * layout) as a state dict of `model`, the same architecture built from graphgrad's layers, for
 * `model.loadStateDict`. Module paths are the same on both sides (fields named like PyTorch's
 * attributes, `Sequential` positions); within each layer the names and layouts map as follows:
 *
 * | graphgrad | PyTorch |
 * | --- | --- |
 * | `Linear` `W` `[in, out]`, `b` | `weight` `[out, in]` (transposed), `bias` |
 * | `Embedding` `W` | `weight` |
 * | `LayerNorm` `gamma`, `beta` | `weight`, `bias` |
 * | `RNN`/`LSTM`/`GRU` `cells.k.Wx` `[in, G·H]` | `weight_ih_lk` `[G·H, in]` (transposed) |
 * | `cells.k.Wh` `[H, G·H]` | `weight_hh_lk` (transposed) |
 * | RNN, LSTM `cells.k.b` | `bias_ih_lk + bias_hh_lk` (summed: only their sum acts) |
 * | GRU `cells.k.bx`, `cells.k.bh` | `bias_ih_lk`, `bias_hh_lk` (kept apart: r multiplies the second) |
 * | `RNNCell`/`LSTMCell`/`GRUCell` | the same without the `_lk` suffix |
 *
 * An LSTM's gate blocks are reordered from PyTorch's i, f, g, o to the book's f, g, i, o. Tensors
 * of other modules keep their names (a custom module's own fields load when named alike); names
 * nothing claims stay as they are, so a strict load reports them. The tensors made here are the
 * caller's to dispose; those passed through are the dict's own.
 *
 * @example
 * const torch = await load('model.safetensors'); // written by PyTorch
 * await model.loadStateDict(fromPyTorch(model, torch));
 */
export function fromPyTorch(model: Module<never, unknown>, torch: Readonly<Record<string, Tensor>>): StateDict {
  if (!(model instanceof ModuleClass))
    throw new ArgumentError(`fromPyTorch: model must be a Module, got ${describeValue(model)}`);
  const given: unknown = torch;
  if (given === null || typeof given !== 'object')
    throw new ArgumentError(`fromPyTorch: torch must be an object of tensors, got ${describeValue(given)}`);
  for (const [key, t] of Object.entries(torch)) requireTensor('fromPyTorch', t, `torch[${describeValue(key)}]`);
  return noGrad(() => {
    const remaining = new Map(Object.entries(torch));
    const out: StateDict = {};
    const set = (key: string, t: Tensor): void => {
      Object.defineProperty(out, key, { value: t, enumerable: true, writable: true, configurable: true });
    };
    // A mapped module takes its own tensors (names with no further dot); its submodules are its own.
    const claimed: string[] = [];
    for (const [path, m] of model.namedModules()) {
      if (claimed.some((c) => c === '' || path === c || path.startsWith(`${c}.`))) continue;
      const prefix = path === '' ? '' : `${path}.`;
      const own = [...remaining.keys()].filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('.'));
      const local: Local = new Map(own.map((k) => [k.slice(prefix.length), remaining.get(k)!]));
      const mapped = mapModule(m, local, prefix);
      if (mapped === null) continue;
      claimed.push(path);
      for (const k of own) if (!local.has(k.slice(prefix.length))) remaining.delete(k);
      for (const [name, t] of mapped) set(`${prefix}${name}`, t);
    }
    for (const [k, t] of remaining) set(k, t);
    return out;
  });
}
