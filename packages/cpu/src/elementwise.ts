import ndarray, { type NdArray } from 'ndarray';
import ops from 'ndarray-ops';
import type { BinaryKernelName, UnaryKernelName } from '@graphgrad/core';
import { broadcastShapes, type Shape } from '@graphgrad/core';
import { binaryLoop, type LoopOperand } from './binary-loops.ts';
import { isContiguous, rowMajor, rowsOf, type BufferLedger, type CpuArray } from './buffers.ts';
import { erf } from './erf.ts';
import { unaryLoop } from './unary-loops.ts';
import { binaryF32Wasm, binaryRowsF32Wasm } from './wasm/binary-f32.ts';
import { sigmoidF32Wasm } from './wasm/sigmoid-f32.ts';
import { SIMD_BINARY, type SimdBinaryName } from './wasm/simd-kernels.ts';
import { WASM_BINARY_MIN, WASM_SIGMOID_MIN } from './tiers.ts';

type Loop = (out: NdArray, x: NdArray) => void;

/** A unary loop applying `f` to each element (for functions ndarray-ops lacks). */
function mapLoop(f: (v: number) => number): Loop {
  return (out, x) => {
    const { data, offset } = rowMajor(x as CpuArray);
    const o = out.data as Float64Array;
    for (let i = 0; i < out.size; i++) o[i] = f(data[offset + i]);
  };
}

function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

const UNARY_REFERENCE: { readonly [K in UnaryKernelName]: Loop } = {
  Neg: ops.neg,
  Exp: ops.exp,
  Log: ops.log,
  Log1p: mapLoop(Math.log1p),
  Sqrt: ops.sqrt,
  Abs: ops.abs,
  Sigmoid: mapLoop(sigmoid),
  Tanh: mapLoop(Math.tanh),
  Erf: mapLoop(erf),
};

type BinaryReference = (out: NdArray, a: NdArray, b: NdArray) => void;

/** A binary loop applying `f` to each pair of elements of views of the output's shape (for functions ndarray-ops lacks). */
function mapBinary(f: (p: number, q: number) => number): BinaryReference {
  return (out, a, b) => {
    const o = out.data as Float64Array;
    walk(out.shape, [a as CpuArray, b as CpuArray], (i, [pa, pb]) => {
      o[i] = f((a.data as Float64Array)[pa], (b.data as Float64Array)[pb]);
    });
  };
}

/** C's pow (numpy's): 1ʸ = 1 and (-1)^±∞ = 1, where Math.pow gives NaN. */
function cPow(p: number, q: number): number {
  if (p === 1 || (p === -1 && (q === Infinity || q === -Infinity))) return 1;
  return Math.pow(p, q);
}

const BINARY_REFERENCE: { readonly [K in BinaryKernelName]: BinaryReference } = {
  Add: ops.add,
  Sub: ops.sub,
  Mul: ops.mul,
  Div: ops.div,
  Maximum: ops.max,
  Minimum: ops.min,
  Pow: mapBinary(cPow),
  Greater: ops.gt,
  GreaterEqual: ops.geq,
  Equal: ops.eq,
  NotEqual: ops.neq,
};

/**
 * Calls `visit(i, positions)` for each element i of `shape` in row-major order, with the position
 * of that element in each of `views` (views of `shape`, any strides): an odometer over the axes.
 */
function walk(shape: Shape, views: readonly CpuArray[], visit: (i: number, positions: number[]) => void): void {
  const rank = shape.length;
  const size = shape.reduce((n, d) => n * d, 1);
  const index = new Array<number>(rank).fill(0);
  const at = views.map((v) => v.offset);
  for (let i = 0; i < size; i++) {
    visit(i, at);
    for (let d = rank - 1; d >= 0; d--) {
      for (let k = 0; k < views.length; k++) at[k] += views[k].stride[d];
      if (++index[d] < shape[d]) break;
      for (let k = 0; k < views.length; k++) at[k] -= views[k].stride[d] * shape[d];
      index[d] = 0;
    }
  }
}

/**
 * `name` applied to each element of `x`: a plain loop over the typed array when `x` is contiguous
 * (float32 sigmoid on large arrays in WebAssembly SIMD), ndarray-ops over a strided view otherwise.
 */
export function unary(ledger: BufferLedger, name: UnaryKernelName, x: CpuArray): CpuArray {
  const out = ledger.alloc(x.shape, x.dtype, true);
  if (!isContiguous(x)) {
    UNARY_REFERENCE[name](out, x);
    return out;
  }
  if (name === 'Sigmoid' && x.dtype === 'float32' && x.size >= WASM_SIGMOID_MIN) {
    if (sigmoidF32Wasm(out.data as Float32Array, x.data as Float32Array, x.offset, x.size)) return out;
  }
  unaryLoop(name)(out.data, x.data, x.offset, x.size);
  return out;
}

/** The ndarray-ops implementation of a unary kernel, for any strides (the fast loops' reference). */
export function unaryReference(ledger: BufferLedger, name: UnaryKernelName, x: CpuArray): CpuArray {
  const out = ledger.alloc(x.shape, x.dtype);
  UNARY_REFERENCE[name](out, x);
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

/** How a contiguous operand of shape `s` maps onto the output `shape` of `size` elements. */
type Pattern =
  | { kind: 'full' }
  | { kind: 'scalar' }
  | { kind: 'row'; cols: number } // repeats along the leading axes: a bias [C] added to [N, C]
  | { kind: 'column'; cols: number } // repeats along the trailing axes: [N, 1] against [N, C]
  | { kind: 'rows'; cols: number; rowStride: number } // the output's shape, rows apart: a step of [N, T, C] at one t
  | null;

function patternOf(x: CpuArray, shape: Shape, size: number): Pattern {
  if (x.size === 1) return SCALAR;
  if (!isContiguous(x)) return x.size === size ? stridedRows(x) : null;
  // broadcasting only ever enlarges an operand, so an operand of the output's size has its shape
  if (x.size === size) return FULL;
  // NOTE: no closures here: tsx (esbuild's keepNames) wraps each one created in a call that
  // defines its name, which cost microseconds per kernel.
  const xs = x.shape;
  const lead = shape.length - xs.length;
  let first = -1;
  let last = -1;
  for (let i = lead; i < shape.length; i++) {
    if (xs[i - lead] !== 1) {
      if (first < 0) first = i;
      last = i;
    }
  }
  let row = true;
  for (let i = first; i < shape.length; i++) if (xs[i - lead] !== shape[i]) row = false;
  if (row) return { kind: 'row', cols: x.size };
  let column = first >= lead;
  for (let i = lead; i <= last && column; i++) if (xs[i - lead] !== shape[i]) column = false;
  // a column operand must also span every leading axis of the output
  for (let i = 0; i < lead && column; i++) if (shape[i] !== 1) column = false;
  if (column) return { kind: 'column', cols: size / x.size };
  return null;
}

/** A view of the output's shape made of rows some stride apart (see `rowsOf`), or null. */
function stridedRows(x: CpuArray): Pattern {
  const rows = x.shape.length >= 2 ? rowsOf(x) : null;
  // (no kernel's operand has a negative stride: a slice with a negative step is a copy)
  return rows === null || rows.rowStride < 0 ? null : { kind: 'rows', cols: rows.cols, rowStride: rows.rowStride };
}

const SCALAR: Pattern = { kind: 'scalar' };
const FULL: Pattern = { kind: 'full' };

function operandOf(x: CpuArray, p: NonNullable<Pattern>, cols: number): LoopOperand {
  switch (p.kind) {
    case 'full':
      return { data: x.data, offset: x.offset, rowStride: cols, colStride: 1 };
    case 'scalar':
      return { data: x.data, offset: x.offset, rowStride: 0, colStride: 0 };
    case 'row':
      return { data: x.data, offset: x.offset, rowStride: 0, colStride: 1 };
    case 'column':
      return { data: x.data, offset: x.offset, rowStride: 1, colStride: 0 };
    case 'rows':
      return { data: x.data, offset: x.offset, rowStride: p.rowStride, colStride: 1 };
  }
}

/**
 * `name` applied elementwise with numpy broadcasting. Contiguous operands that are full-size,
 * scalars, repeated rows or repeated columns of the output, and views of its shape made of rows
 * some stride apart, go through plain loops over the typed arrays (large float32 ones through
 * WebAssembly SIMD); anything else (other strided views, broadcasts along middle axes) through
 * ndarray-ops.
 */
export function binary(ledger: BufferLedger, name: BinaryKernelName, a: CpuArray, b: CpuArray): CpuArray {
  const shape = broadcastShapes(name, a.shape, b.shape);
  const out = ledger.alloc(shape, a.dtype, true);
  const size = out.size;
  if (size === 0) return out;
  const pa = patternOf(a, shape, size);
  const pb = patternOf(b, shape, size);
  if (pa !== null && pb !== null) {
    const ca = pa.kind === 'row' || pa.kind === 'column' || pa.kind === 'rows' ? pa.cols : 0;
    const cb = pb.kind === 'row' || pb.kind === 'column' || pb.kind === 'rows' ? pb.cols : 0;
    if (
      pa.kind === 'full' &&
      pb.kind === 'full' &&
      a.dtype === 'float32' &&
      size >= WASM_BINARY_MIN &&
      isSimdBinary(name)
    ) {
      if (
        binaryF32Wasm(
          name,
          out.data as Float32Array,
          a.data as Float32Array,
          a.offset,
          b.data as Float32Array,
          b.offset,
          size,
        )
      )
        return out;
    }
    if (ca === 0 || cb === 0 || ca === cb) {
      const cols = ca || cb || size;
      const [la, lb] = [operandOf(a, pa, cols), operandOf(b, pb, cols)];
      if (a.dtype === 'float32' && size >= WASM_BINARY_MIN && isSimdBinary(name)) {
        const [fa, fb] = [la, lb] as { data: Float32Array; offset: number; rowStride: number; colStride: number }[];
        if (binaryRowsF32Wasm(name, out.data as Float32Array, size / cols, cols, fa, fb)) return out;
      }
      binaryLoop(name)(out.data, size / cols, cols, la, lb);
      return out;
    }
  }
  BINARY_REFERENCE[name](out, broadcastView(a, shape), broadcastView(b, shape));
  return out;
}

/** The ndarray-ops implementation of a binary kernel, for any strides (the fast loops' reference). */
export function binaryReference(ledger: BufferLedger, name: BinaryKernelName, a: CpuArray, b: CpuArray): CpuArray {
  const shape = broadcastShapes(name, a.shape, b.shape);
  const out = ledger.alloc(shape, a.dtype);
  BINARY_REFERENCE[name](out, broadcastView(a, shape), broadcastView(b, shape));
  return out;
}

function isSimdBinary(name: BinaryKernelName): name is SimdBinaryName {
  return (SIMD_BINARY as readonly string[]).includes(name);
}

/**
 * `cond ? a : b` for each element, the three broadcast together numpy's way, in `a`'s dtype (`b`
 * has it too). Any nonzero `cond`, NaN included, is true, as numpy's `bool()` of it. Contiguous
 * operands of the output's shape and scalars go through one flat loop, others through their strides.
 */
export function where(ledger: BufferLedger, cond: CpuArray, a: CpuArray, b: CpuArray): CpuArray {
  const shape = broadcastShapes('Where', broadcastShapes('Where', cond.shape, a.shape), b.shape);
  const out = ledger.alloc(shape, a.dtype, true);
  const size = out.size;
  if (size === 0) return out;
  const o = out.data;
  const c = cond.data;
  const x = a.data;
  const y = b.data;
  const flat = (v: CpuArray): boolean => v.size === 1 || (v.size === size && isContiguous(v));
  if (flat(cond) && flat(a) && flat(b)) {
    const [co, ao, bo] = [cond.offset, a.offset, b.offset];
    const [cs, as, bs] = [cond.size === 1 ? 0 : 1, a.size === 1 ? 0 : 1, b.size === 1 ? 0 : 1];
    for (let i = 0; i < size; i++) o[i] = c[co + i * cs] !== 0 ? x[ao + i * as] : y[bo + i * bs];
    return out;
  }
  walk(shape, [broadcastView(cond, shape), broadcastView(a, shape), broadcastView(b, shape)], (i, [pc, pa, pb]) => {
    o[i] = c[pc] !== 0 ? x[pa] : y[pb];
  });
  return out;
}
