import type { UnaryKernelName } from '@graphgrad/core';
import type { TypedArray } from '@graphgrad/core';

/** A unary loop: `out[i] = f(x[offset + i])` for i < n (both contiguous). */
type UnaryLoop = (out: TypedArray, x: TypedArray, offset: number, n: number) => void;

// NOTE: one loop per operation, written out, so that V8 inlines each Math call (see binary-loops.ts).

function neg(o: TypedArray, x: TypedArray, off: number, n: number): void {
  for (let i = 0; i < n; i++) o[i] = -x[off + i];
}

function exp(o: TypedArray, x: TypedArray, off: number, n: number): void {
  for (let i = 0; i < n; i++) o[i] = Math.exp(x[off + i]);
}

function log(o: TypedArray, x: TypedArray, off: number, n: number): void {
  for (let i = 0; i < n; i++) o[i] = Math.log(x[off + i]);
}

function sqrt(o: TypedArray, x: TypedArray, off: number, n: number): void {
  for (let i = 0; i < n; i++) o[i] = Math.sqrt(x[off + i]);
}

function abs(o: TypedArray, x: TypedArray, off: number, n: number): void {
  for (let i = 0; i < n; i++) o[i] = Math.abs(x[off + i]);
}

function tanh(o: TypedArray, x: TypedArray, off: number, n: number): void {
  for (let i = 0; i < n; i++) o[i] = Math.tanh(x[off + i]);
}

// NOTE: sigmoid takes the form whose exponential cannot overflow, so ±1e3 gives exactly 1 and 0;
// e^-|v| is computed once for both signs.
function sigmoid(o: TypedArray, x: TypedArray, off: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[off + i];
    const e = Math.exp(-Math.abs(v));
    o[i] = v >= 0 ? 1 / (1 + e) : e / (1 + e);
  }
}

/** The plain-loop unary kernels, by kernel name. */
export const UNARY_LOOPS: { readonly [K in UnaryKernelName]: UnaryLoop } = {
  Neg: neg,
  Exp: exp,
  Log: log,
  Sqrt: sqrt,
  Abs: abs,
  Sigmoid: sigmoid,
  Tanh: tanh,
};
