import { defineNode, DTypeError, formatShape, ShapeError, type Tensor } from '@graphgrad/core';
import { add } from './add.ts';
import { concat } from './concat.ts';
import { mul } from './mul.ts';
import { sigmoid } from './sigmoid.ts';
import { split } from './split.ts';
import { sub } from './sub.ts';
import { tanh } from './tanh.ts';
import { requireFloat } from './validate.ts';

/** The gates of the pre-activations [N, 4H] (the book's order f, g, i, o), after their activations. */
function gatesOf(gates: Tensor): { f: Tensor; g: Tensor; i: Tensor; o: Tensor } {
  const [af, ag, ai, ao] = split(gates, 4, 1);
  return { f: sigmoid(af), g: tanh(ag), i: sigmoid(ai), o: sigmoid(ao) };
}

/** s·(1 - s): the derivative of the sigmoid whose value is s. */
const sigmoidSlope = (s: Tensor): Tensor => mul(s, sub(1, s));
/** 1 - t²: the derivative of the tanh whose value is t. */
const tanhSlope = (t: Tensor): Tensor => sub(1, mul(t, t));

/**
 * The LSTMCellGrad node: the gradients of `lstmCell`'s inputs (the gates' pre-activations and the
 * cell) from those of its outputs, by the fused `LSTMCellBackward` kernel. With t = tanh(c') and
 * D = dc + dh·o·(1 - t²): d a_f = D·c·f(1-f), d a_g = D·i·(1-g²), d a_i = D·g·i(1-i),
 * d a_o = dh·t·o(1-o), d c = D·f.
 */
export const LSTMCellGradNode = defineNode({
  kind: 'LSTMCellGrad',
  inputs: ['gates', 'c', 'dh', 'dc'],
  forward: (k, [gates, c, dh, dc]) => {
    const [n, h] = c.shape;
    const flat = k.LSTMCellBackward(gates, c, dh, dc);
    return [
      k.Reshape(k.Slice(flat, [0], [1], [n * 4 * h]), [n, 4 * h]),
      k.Reshape(k.Slice(flat, [n * 4 * h], [1], [n * h]), [n, h]),
    ];
  },
  // The second derivative, from the cotangents u (of d gates: uf, ug, ui, uo) and uc (of d c):
  // W = uf·c·f' + ug·i·g' + ui·g·i' + uc·f is the cotangent of D (d dc = W, d dh = W·o·t' + uo·t·o'),
  // C' = (-2·W·dh·o·t + uo·dh·o')·t' that of c', and each gate collects what reaches it directly
  // and through c' (f', g', i', o', t' the activations' slopes).
  backward: ({ inputs: [gates, c, dh, dc] }, uGates, uc) => {
    const { f, g, i, o } = gatesOf(gates);
    const [uf, ug, ui, uo] = split(uGates, 4, 1);
    const [sf, sg, si, so] = [sigmoidSlope(f), tanhSlope(g), sigmoidSlope(i), sigmoidSlope(o)];
    const t = tanh(add(mul(f, c), mul(g, i)));
    const st = tanhSlope(t);
    const d = add(dc, mul(mul(dh, o), st));
    const w = add(add(mul(mul(uf, c), sf), mul(mul(ug, i), sg)), add(mul(mul(ui, g), si), mul(uc, f)));
    const dt = add(mul(mul(mul(w, dh), o), mul(t, -2)), mul(mul(uo, dh), so));
    const dcNext = mul(dt, st);
    const lf = add(add(mul(mul(mul(uf, d), c), sub(1, mul(f, 2))), mul(uc, d)), mul(dcNext, c));
    const lg = add(add(mul(mul(mul(ug, d), i), mul(g, -2)), mul(mul(ui, d), si)), mul(dcNext, i));
    const li = add(add(mul(mul(ug, d), sg), mul(mul(mul(ui, d), g), sub(1, mul(i, 2)))), mul(dcNext, g));
    const lo = add(mul(mul(w, dh), st), mul(mul(mul(uo, dh), t), sub(1, mul(o, 2))));
    return [
      concat([mul(lf, sf), mul(lg, sg), mul(li, si), mul(lo, so)], 1),
      add(mul(mul(uf, d), sf), mul(dcNext, f)),
      add(mul(mul(w, o), st), mul(mul(uo, t), so)),
      w,
    ];
  },
});

/**
 * The LSTMCell node: one LSTM step's gate arithmetic by the fused `LSTMCell` kernel, from the gates'
 * pre-activations [N, 4H] (f, g, i, o) and the cell c [N, H] to h' and c'.
 */
export const LSTMCellNode = defineNode({
  kind: 'LSTMCell',
  inputs: ['gates', 'c'],
  forward: (k, [gates, c]) => {
    const [n, h] = c.shape;
    const both = k.LSTMCell(gates, c);
    return [
      k.Reshape(k.Slice(both, [0, 0, 0], [1, 1, 1], [1, n, h]), [n, h]),
      k.Reshape(k.Slice(both, [1, 0, 0], [1, 1, 1], [1, n, h]), [n, h]),
    ];
  },
  // d gates, d c = LSTMCellGrad(gates, c, dh, dc) (one fused kernel)
  backward: ({ inputs: [gates, c] }, dh, dc) => LSTMCellGradNode.applyMany([gates, c, dh, dc], undefined),
});

/**
 * One step of the book's LSTM from its gates' pre-activations: with `gates` = x·Wx + h·Wh + b
 * [N, 4H] in the book's order f, g, i, o and the cell `c` [N, H],
 * c' = σ(f)·c + tanh(g)·σ(i) and h' = σ(o)·tanh(c'), returned as `[h', c']`. One fused kernel
 * forward and one backward, where the same step written with `sigmoid`, `tanh`, `mul` and `add`
 * records a dozen nodes. (PyTorch's `nn.LSTMCell` orders its gates i, f, g, o.)
 *
 * @example
 * const gates = add(add(matmul(x, Wx), matmul(h, Wh)), b); // [N, 4H]
 * const [hNext, cNext] = lstmCell(gates, c);
 */
export function lstmCell(gates: Tensor, c: Tensor): [Tensor, Tensor] {
  requireFloat('lstmCell', gates, 'gates');
  requireFloat('lstmCell', c, 'c');
  if (gates.dtype !== c.dtype) throw new DTypeError(`lstmCell: gates are ${gates.dtype}, c is ${c.dtype}`);
  if (c.rank !== 2 || gates.rank !== 2 || gates.shape[0] !== c.shape[0] || gates.shape[1] !== 4 * c.shape[1]) {
    throw new ShapeError(
      `lstmCell: gates ${formatShape(gates.shape)} and c ${formatShape(c.shape)} must be [N, 4H] and [N, H]`,
    );
  }
  const [h, cNext] = LSTMCellNode.applyMany([gates, c], undefined);
  return [h, cNext];
}
