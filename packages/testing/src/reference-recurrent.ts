import type { BackendArray, DType, Shape } from '@graphgrad/core';

// The reference definitions of the recurrent cells' kernels (see `OtherKernelSignatures` in core's
// backend.ts): the equations written out one element at a time, in float64.

/** A reference array: row-major values as plain numbers (reference-backend.ts's). */
interface Values extends BackendArray {
  readonly values: readonly number[];
}

type Make = (shape: Shape, dtype: DType, values: number[]) => BackendArray;

const v = (x: BackendArray): readonly number[] => (x as Values).values;
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** The four gates of unit j of row r of an LSTM's pre-activations [N, 4H], in the book's order f, g, i, o. */
function lstmGates(a: readonly number[], r: number, j: number, h: number) {
  const at = r * 4 * h + j;
  return { f: sigmoid(a[at]), g: Math.tanh(a[at + h]), i: sigmoid(a[at + 2 * h]), o: sigmoid(a[at + 3 * h]) };
}

/** `LSTMCell`: [2, N, H], h' = o·tanh(c') then c' = f·c + g·i. */
export function lstmCellReference(make: Make, gates: BackendArray, c: BackendArray): BackendArray {
  const [n, h] = c.shape;
  const hs: number[] = [];
  const cs: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < h; j++) {
      const { f, g, i, o } = lstmGates(v(gates), r, j, h);
      const next = f * v(c)[r * h + j] + g * i;
      cs.push(next);
      hs.push(o * Math.tanh(next));
    }
  }
  return make([2, n, h], c.dtype, [...hs, ...cs]);
}

/** `LSTMCellBackward`: d gates (N·4H) then d c (N·H), flat. */
export function lstmCellBackwardReference(
  make: Make,
  gates: BackendArray,
  c: BackendArray,
  dh: BackendArray,
  dc: BackendArray,
): BackendArray {
  const [n, h] = c.shape;
  const dGates = new Array<number>(n * 4 * h);
  const dPrev = new Array<number>(n * h);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < h; j++) {
      const { f, g, i, o } = lstmGates(v(gates), r, j, h);
      const k = r * h + j;
      const t = Math.tanh(f * v(c)[k] + g * i);
      // the gradient reaching c' from both outputs
      const total = v(dc)[k] + v(dh)[k] * o * (1 - t * t);
      const at = r * 4 * h + j;
      dGates[at] = total * v(c)[k] * f * (1 - f);
      dGates[at + h] = total * i * (1 - g * g);
      dGates[at + 2 * h] = total * g * i * (1 - i);
      dGates[at + 3 * h] = v(dh)[k] * t * o * (1 - o);
      dPrev[k] = total * f;
    }
  }
  return make([n * 5 * h], c.dtype, [...dGates, ...dPrev]);
}

/** The gates of unit j of row r of a GRU: r, z and n from the input's and the recurrent shares [N, 3H]. */
function gruGates(x: readonly number[], y: readonly number[], row: number, j: number, h: number) {
  const at = row * 3 * h + j;
  const r = sigmoid(x[at] + y[at]);
  const z = sigmoid(x[at + h] + y[at + h]);
  const hn = y[at + 2 * h];
  return { r, z, hn, n: Math.tanh(x[at + 2 * h] + r * hn) };
}

/** `GRUCell`: h' = (1 - z)·n + z·h, [N, H]. */
export function gruCellReference(make: Make, xg: BackendArray, hg: BackendArray, h: BackendArray): BackendArray {
  const [rows, size] = h.shape;
  const out: number[] = [];
  for (let row = 0; row < rows; row++) {
    for (let j = 0; j < size; j++) {
      const { z, n } = gruGates(v(xg), v(hg), row, j, size);
      out.push((1 - z) * n + z * v(h)[row * size + j]);
    }
  }
  return make([rows, size], h.dtype, out);
}

/** `GRUCellBackward`: d xg (N·3H), d hg (N·3H), d h (N·H), flat. */
export function gruCellBackwardReference(
  make: Make,
  xg: BackendArray,
  hg: BackendArray,
  h: BackendArray,
  dy: BackendArray,
): BackendArray {
  const [rows, size] = h.shape;
  const dx = new Array<number>(rows * 3 * size);
  const dHg = new Array<number>(rows * 3 * size);
  const dh = new Array<number>(rows * size);
  for (let row = 0; row < rows; row++) {
    for (let j = 0; j < size; j++) {
      const { r, z, hn, n } = gruGates(v(xg), v(hg), row, j, size);
      const k = row * size + j;
      const d = v(dy)[k];
      // through h' = (1 - z)·n + z·h, n = tanh(xn + r·hn), r = σ(xr + hr), z = σ(xz + hz)
      const dn = d * (1 - z) * (1 - n * n);
      const dr = dn * hn * r * (1 - r);
      const dz = d * (v(h)[k] - n) * z * (1 - z);
      const at = row * 3 * size + j;
      [dx[at], dx[at + size], dx[at + 2 * size]] = [dr, dz, dn];
      [dHg[at], dHg[at + size], dHg[at + 2 * size]] = [dr, dz, dn * r];
      dh[k] = d * z;
    }
  }
  return make([rows * 7 * size], h.dtype, [...dx, ...dHg, ...dh]);
}
