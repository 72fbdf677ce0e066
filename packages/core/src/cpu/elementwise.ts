import ndarray, { type NdArray } from 'ndarray';
import ops from 'ndarray-ops';
import type { BinaryKernelName, UnaryKernelName } from '../backend.ts';
import type { DType } from '../dtype.ts';
import { broadcastShapes, type Shape } from '../shape.ts';
import { rowMajor, type BufferLedger, type CpuArray } from './buffers.ts';

type Loop = (out: NdArray, x: NdArray) => void;

/** A unary loop applying `f` to each element (for functions ndarray-ops lacks). */
function mapLoop(f: (v: number) => number): Loop {
  return (out, x) => {
    const { data, offset } = rowMajor(x as CpuArray);
    const o = out.data as Float64Array;
    for (let i = 0; i < out.size; i++) o[i] = f(data[offset + i]);
  };
}

// NOTE: sigmoid takes the form whose exponential cannot overflow, so ±1e3 gives exactly 1 and 0.
function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

const UNARY: { readonly [K in UnaryKernelName]: Loop } = {
  Neg: ops.neg,
  Exp: ops.exp,
  Log: ops.log,
  Sqrt: ops.sqrt,
  Abs: ops.abs,
  Sigmoid: mapLoop(sigmoid),
  Tanh: mapLoop(Math.tanh),
};

const BINARY: { readonly [K in BinaryKernelName]: (out: NdArray, a: NdArray, b: NdArray) => void } = {
  Add: ops.add,
  Sub: ops.sub,
  Mul: ops.mul,
  Div: ops.div,
  // NOTE: Math.max propagates NaN, as numpy's maximum does.
  Maximum: ops.max,
  Greater: ops.gt,
};

export function unary(ledger: BufferLedger, name: UnaryKernelName, x: CpuArray): CpuArray {
  const out = ledger.alloc(x.shape, x.dtype as DType);
  UNARY[name](out, x);
  return out;
}

/** A stride-0 view of `x` broadcast to `shape` (no copy, untracked: for use inside a kernel). */
export function broadcastView(x: CpuArray, shape: Shape): CpuArray {
  const lead = shape.length - x.shape.length;
  const stride = shape.map((d, i) => {
    const j = i - lead;
    return j < 0 || x.shape[j] === 1 ? 0 : x.stride[j];
  });
  return ndarray(x.data, [...shape], stride, x.offset);
}

export function binary(ledger: BufferLedger, name: BinaryKernelName, a: CpuArray, b: CpuArray): CpuArray {
  const shape = broadcastShapes(name, a.shape, b.shape);
  const out = ledger.alloc(shape, a.dtype as DType);
  BINARY[name](out, broadcastView(a, shape), broadcastView(b, shape));
  return out;
}
