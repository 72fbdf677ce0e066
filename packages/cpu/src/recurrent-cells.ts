import type { TypedArray } from '@graphgrad/core';
import { rowMajor, type BufferLedger, type CpuArray } from './buffers.ts';
import { cellF32Wasm } from './wasm/cells-f32.ts';

// The gate arithmetic of one step of an LSTM and of a GRU, forward and backward, each one pass over
// the batch: what a step costs beyond its two matrix products (a dozen elementwise nodes otherwise).
// float32 runs in WebAssembly SIMD (wasm/cells-body.ts: sigmoid and tanh from a vector exponential,
// four units at a time); float64, and float32 without SIMD, in these loops: float64 arithmetic,
// each result rounded once into the output's dtype.

const sigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/** The rows of `x` as a row-major array and the index of its first element. */
const rows = (x: CpuArray): { d: TypedArray; o: number } => {
  const { data, offset } = rowMajor(x);
  return { d: data, o: offset };
};

/** The SIMD kernel `name` over float32 inputs into `out` (false where SIMD is unavailable). */
function simd(
  name: Parameters<typeof cellF32Wasm>[0],
  out: CpuArray,
  inputs: readonly CpuArray[],
  n: number,
  h: number,
): boolean {
  if (out.dtype !== 'float32') return false;
  const operands = inputs.map((x) => {
    const { d, o } = rows(x);
    return { data: d as Float32Array, offset: o, length: x.size };
  });
  return cellF32Wasm(name, out.data as Float32Array, operands, n, h);
}

/**
 * h' = σ(o)·tanh(c') and c' = σ(f)·c + tanh(g)·σ(i) from the pre-activations `gates` [N, 4H] (the
 * book's order f, g, i, o) and the cell `c` [N, H]: one [2, N, H] array, h' then c'.
 */
export function lstmCell(ledger: BufferLedger, gates: CpuArray, c: CpuArray): CpuArray {
  const [n, h] = c.shape;
  const out = ledger.alloc([2, n, h], c.dtype, true);
  if (n * h > 0 && simd('lstmCell', out, [gates, c], n, h)) return out;
  const o = out.data;
  const { d: a, o: ao } = rows(gates);
  const { d: cs, o: co } = rows(c);
  const half = n * h;
  for (let r = 0; r < n; r++) {
    const g0 = ao + r * 4 * h;
    for (let j = 0; j < h; j++) {
      const f = sigmoid(a[g0 + j]);
      const g = Math.tanh(a[g0 + h + j]);
      const i = sigmoid(a[g0 + 2 * h + j]);
      const og = sigmoid(a[g0 + 3 * h + j]);
      const next = f * cs[co + r * h + j] + g * i;
      o[half + r * h + j] = next;
      o[r * h + j] = og * Math.tanh(next);
    }
  }
  return out;
}

/**
 * The gradients of `lstmCell`'s inputs from those of its outputs (dh of h', dc of c', [N, H] each):
 * one flat array of N·4H elements (d gates, [N, 4H]) then N·H (d c). With t = tanh(c'),
 * D = dc + dh·o·(1 - t²): d a_f = D·c·f(1-f), d a_g = D·i·(1-g²), d a_i = D·g·i(1-i),
 * d a_o = dh·t·o(1-o), d c = D·f.
 */
export function lstmCellBackward(
  ledger: BufferLedger,
  gates: CpuArray,
  c: CpuArray,
  dh: CpuArray,
  dc: CpuArray,
): CpuArray {
  const [n, h] = c.shape;
  const out = ledger.alloc([n * 5 * h], c.dtype, true);
  if (n * h > 0 && simd('lstmCellBackward', out, [gates, c, dh, dc], n, h)) return out;
  const o = out.data;
  const { d: a, o: ao } = rows(gates);
  const { d: cs, o: co } = rows(c);
  const { d: dhs, o: dho } = rows(dh);
  const { d: dcs, o: dco } = rows(dc);
  const dcAt = n * 4 * h;
  for (let r = 0; r < n; r++) {
    const g0 = ao + r * 4 * h;
    const o0 = r * 4 * h;
    for (let j = 0; j < h; j++) {
      const f = sigmoid(a[g0 + j]);
      const g = Math.tanh(a[g0 + h + j]);
      const i = sigmoid(a[g0 + 2 * h + j]);
      const og = sigmoid(a[g0 + 3 * h + j]);
      const cPrev = cs[co + r * h + j];
      const t = Math.tanh(f * cPrev + g * i);
      const dy = dhs[dho + r * h + j];
      const total = dcs[dco + r * h + j] + dy * og * (1 - t * t);
      o[o0 + j] = total * cPrev * f * (1 - f);
      o[o0 + h + j] = total * i * (1 - g * g);
      o[o0 + 2 * h + j] = total * g * i * (1 - i);
      o[o0 + 3 * h + j] = dy * t * og * (1 - og);
      o[dcAt + r * h + j] = total * f;
    }
  }
  return out;
}

/**
 * PyTorch's GRU step from the input's share `xg` = x·Wx + bx and the recurrent share `hg` = h·Wh +
 * bh ([N, 3H] each, gates r, z, n) and h [N, H]: r = σ(xr + hr), z = σ(xz + hz),
 * n = tanh(xn + r·hn), h' = (1 - z)·n + z·h, [N, H].
 */
export function gruCell(ledger: BufferLedger, xg: CpuArray, hg: CpuArray, h: CpuArray): CpuArray {
  const [n, size] = h.shape;
  const out = ledger.alloc([n, size], h.dtype, true);
  if (n * size > 0 && simd('gruCell', out, [xg, hg, h], n, size)) return out;
  const o = out.data;
  const { d: x, o: xo } = rows(xg);
  const { d: y, o: yo } = rows(hg);
  const { d: hs, o: ho } = rows(h);
  for (let r = 0; r < n; r++) {
    const x0 = xo + r * 3 * size;
    const y0 = yo + r * 3 * size;
    for (let j = 0; j < size; j++) {
      const rg = sigmoid(x[x0 + j] + y[y0 + j]);
      const z = sigmoid(x[x0 + size + j] + y[y0 + size + j]);
      const ng = Math.tanh(x[x0 + 2 * size + j] + rg * y[y0 + 2 * size + j]);
      o[r * size + j] = (1 - z) * ng + z * hs[ho + r * size + j];
    }
  }
  return out;
}

/**
 * The gradients of `gruCell`'s inputs from dy, that of h' [N, H]: one flat array of N·3H (d xg),
 * N·3H (d hg) and N·H (d h). With P = dy·(1-z)·(1-n²): d xn = P, d hn = P·r,
 * d xr = d hr = P·hn·r(1-r), d xz = d hz = dy·(h - n)·z(1-z), d h = dy·z.
 */
export function gruCellBackward(ledger: BufferLedger, xg: CpuArray, hg: CpuArray, h: CpuArray, dy: CpuArray): CpuArray {
  const [n, size] = h.shape;
  const out = ledger.alloc([n * 7 * size], h.dtype, true);
  if (n * size > 0 && simd('gruCellBackward', out, [xg, hg, h, dy], n, size)) return out;
  const o = out.data;
  const { d: x, o: xo } = rows(xg);
  const { d: y, o: yo } = rows(hg);
  const { d: hs, o: ho } = rows(h);
  const { d: ds, o: dso } = rows(dy);
  const hgAt = n * 3 * size;
  const hAt = 2 * hgAt;
  for (let r = 0; r < n; r++) {
    const x0 = xo + r * 3 * size;
    const y0 = yo + r * 3 * size;
    const o0 = r * 3 * size;
    for (let j = 0; j < size; j++) {
      const rg = sigmoid(x[x0 + j] + y[y0 + j]);
      const z = sigmoid(x[x0 + size + j] + y[y0 + size + j]);
      const hn = y[y0 + 2 * size + j];
      const ng = Math.tanh(x[x0 + 2 * size + j] + rg * hn);
      const d = ds[dso + r * size + j];
      const p = d * (1 - z) * (1 - ng * ng);
      const dr = p * hn * rg * (1 - rg);
      const dz = d * (hs[ho + r * size + j] - ng) * z * (1 - z);
      o[o0 + j] = dr;
      o[o0 + size + j] = dz;
      o[o0 + 2 * size + j] = p;
      o[hgAt + o0 + j] = dr;
      o[hgAt + o0 + size + j] = dz;
      o[hgAt + o0 + 2 * size + j] = p * rg;
      o[hAt + r * size + j] = d * z;
    }
  }
  return out;
}
