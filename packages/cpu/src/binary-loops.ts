import type { BinaryKernelName } from '@graphgrad/core';
import type { TypedArray } from '@graphgrad/core';

/**
 * One operand of a binary loop over an output collapsed to `rows × cols`: element (r, c) is
 * `data[offset + r·rowStride + c·colStride]`. A full operand has strides (cols, 1), a scalar (0, 0),
 * a repeated row (0, 1) and a repeated column (1, 0).
 */
export interface LoopOperand {
  readonly data: TypedArray;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/** A binary loop writing `rows × cols` elements of `out` (contiguous, from index 0). */
type BinaryLoop = (out: TypedArray, rows: number, cols: number, a: LoopOperand, b: LoopOperand) => void;

// NOTE: each operation has its own loop functions, written out, so that V8 inlines the arithmetic;
// a shared loop taking the operation as a callback would see several callbacks and call each one
// per element (about 5× slower on 1e6 floats). Within each, the layouts that occur most get loops
// without index multiplications: full with full, full with a scalar, and rows of unit stride
// (a bias row added to every row); about 2× faster on the book's 30×10 arrays than the general loop.

function add(o: TypedArray, rows: number, cols: number, a: LoopOperand, b: LoopOperand): void {
  const x = a.data;
  const y = b.data;
  const ao = a.offset;
  const bo = b.offset;
  const n = rows * cols;
  const aFull = a.colStride === 1 && a.rowStride === cols;
  const bFull = b.colStride === 1 && b.rowStride === cols;
  if (aFull && bFull) {
    for (let i = 0; i < n; i++) o[i] = x[ao + i] + y[bo + i];
  } else if (aFull && b.colStride === 0 && b.rowStride === 0) {
    const s = y[bo];
    for (let i = 0; i < n; i++) o[i] = x[ao + i] + s;
  } else if (bFull && a.colStride === 0 && a.rowStride === 0) {
    const s = x[ao];
    for (let i = 0; i < n; i++) o[i] = s + y[bo + i];
  } else if (a.colStride === 1 && b.colStride === 1) {
    for (let r = 0; r < rows; r++) {
      const ab = ao + r * a.rowStride;
      const bb = bo + r * b.rowStride;
      const ob = r * cols;
      for (let c = 0; c < cols; c++) o[ob + c] = x[ab + c] + y[bb + c];
    }
  } else {
    const as = a.colStride;
    const bs = b.colStride;
    for (let r = 0; r < rows; r++) {
      const ab = ao + r * a.rowStride;
      const bb = bo + r * b.rowStride;
      const ob = r * cols;
      for (let c = 0; c < cols; c++) o[ob + c] = x[ab + c * as] + y[bb + c * bs];
    }
  }
}

function sub(o: TypedArray, rows: number, cols: number, a: LoopOperand, b: LoopOperand): void {
  const x = a.data;
  const y = b.data;
  const ao = a.offset;
  const bo = b.offset;
  const n = rows * cols;
  const aFull = a.colStride === 1 && a.rowStride === cols;
  const bFull = b.colStride === 1 && b.rowStride === cols;
  if (aFull && bFull) {
    for (let i = 0; i < n; i++) o[i] = x[ao + i] - y[bo + i];
  } else if (aFull && b.colStride === 0 && b.rowStride === 0) {
    const s = y[bo];
    for (let i = 0; i < n; i++) o[i] = x[ao + i] - s;
  } else if (bFull && a.colStride === 0 && a.rowStride === 0) {
    const s = x[ao];
    for (let i = 0; i < n; i++) o[i] = s - y[bo + i];
  } else if (a.colStride === 1 && b.colStride === 1) {
    for (let r = 0; r < rows; r++) {
      const ab = ao + r * a.rowStride;
      const bb = bo + r * b.rowStride;
      const ob = r * cols;
      for (let c = 0; c < cols; c++) o[ob + c] = x[ab + c] - y[bb + c];
    }
  } else {
    const as = a.colStride;
    const bs = b.colStride;
    for (let r = 0; r < rows; r++) {
      const ab = ao + r * a.rowStride;
      const bb = bo + r * b.rowStride;
      const ob = r * cols;
      for (let c = 0; c < cols; c++) o[ob + c] = x[ab + c * as] - y[bb + c * bs];
    }
  }
}

function mul(o: TypedArray, rows: number, cols: number, a: LoopOperand, b: LoopOperand): void {
  const x = a.data;
  const y = b.data;
  const ao = a.offset;
  const bo = b.offset;
  const n = rows * cols;
  const aFull = a.colStride === 1 && a.rowStride === cols;
  const bFull = b.colStride === 1 && b.rowStride === cols;
  if (aFull && bFull) {
    for (let i = 0; i < n; i++) o[i] = x[ao + i] * y[bo + i];
  } else if (aFull && b.colStride === 0 && b.rowStride === 0) {
    const s = y[bo];
    for (let i = 0; i < n; i++) o[i] = x[ao + i] * s;
  } else if (bFull && a.colStride === 0 && a.rowStride === 0) {
    const s = x[ao];
    for (let i = 0; i < n; i++) o[i] = s * y[bo + i];
  } else if (a.colStride === 1 && b.colStride === 1) {
    for (let r = 0; r < rows; r++) {
      const ab = ao + r * a.rowStride;
      const bb = bo + r * b.rowStride;
      const ob = r * cols;
      for (let c = 0; c < cols; c++) o[ob + c] = x[ab + c] * y[bb + c];
    }
  } else {
    const as = a.colStride;
    const bs = b.colStride;
    for (let r = 0; r < rows; r++) {
      const ab = ao + r * a.rowStride;
      const bb = bo + r * b.rowStride;
      const ob = r * cols;
      for (let c = 0; c < cols; c++) o[ob + c] = x[ab + c * as] * y[bb + c * bs];
    }
  }
}

function div(o: TypedArray, rows: number, cols: number, a: LoopOperand, b: LoopOperand): void {
  const x = a.data;
  const y = b.data;
  const ao = a.offset;
  const bo = b.offset;
  const n = rows * cols;
  const aFull = a.colStride === 1 && a.rowStride === cols;
  const bFull = b.colStride === 1 && b.rowStride === cols;
  if (aFull && bFull) {
    for (let i = 0; i < n; i++) o[i] = x[ao + i] / y[bo + i];
  } else if (aFull && b.colStride === 0 && b.rowStride === 0) {
    const s = y[bo];
    for (let i = 0; i < n; i++) o[i] = x[ao + i] / s;
  } else if (bFull && a.colStride === 0 && a.rowStride === 0) {
    const s = x[ao];
    for (let i = 0; i < n; i++) o[i] = s / y[bo + i];
  } else if (a.colStride === 1 && b.colStride === 1) {
    for (let r = 0; r < rows; r++) {
      const ab = ao + r * a.rowStride;
      const bb = bo + r * b.rowStride;
      const ob = r * cols;
      for (let c = 0; c < cols; c++) o[ob + c] = x[ab + c] / y[bb + c];
    }
  } else {
    const as = a.colStride;
    const bs = b.colStride;
    for (let r = 0; r < rows; r++) {
      const ab = ao + r * a.rowStride;
      const bb = bo + r * b.rowStride;
      const ob = r * cols;
      for (let c = 0; c < cols; c++) o[ob + c] = x[ab + c * as] / y[bb + c * bs];
    }
  }
}

// NOTE: Math.max propagates NaN, as numpy's maximum (and ndarray-ops' max) does.
function maximum(o: TypedArray, rows: number, cols: number, a: LoopOperand, b: LoopOperand): void {
  const x = a.data;
  const y = b.data;
  const ao = a.offset;
  const bo = b.offset;
  const n = rows * cols;
  const aFull = a.colStride === 1 && a.rowStride === cols;
  const bFull = b.colStride === 1 && b.rowStride === cols;
  if (aFull && bFull) {
    for (let i = 0; i < n; i++) o[i] = Math.max(x[ao + i], y[bo + i]);
  } else if (aFull && b.colStride === 0 && b.rowStride === 0) {
    const s = y[bo];
    for (let i = 0; i < n; i++) o[i] = Math.max(x[ao + i], s);
  } else if (bFull && a.colStride === 0 && a.rowStride === 0) {
    const s = x[ao];
    for (let i = 0; i < n; i++) o[i] = Math.max(s, y[bo + i]);
  } else if (a.colStride === 1 && b.colStride === 1) {
    for (let r = 0; r < rows; r++) {
      const ab = ao + r * a.rowStride;
      const bb = bo + r * b.rowStride;
      const ob = r * cols;
      for (let c = 0; c < cols; c++) o[ob + c] = Math.max(x[ab + c], y[bb + c]);
    }
  } else {
    const as = a.colStride;
    const bs = b.colStride;
    for (let r = 0; r < rows; r++) {
      const ab = ao + r * a.rowStride;
      const bb = bo + r * b.rowStride;
      const ob = r * cols;
      for (let c = 0; c < cols; c++) o[ob + c] = Math.max(x[ab + c * as], y[bb + c * bs]);
    }
  }
}

function greater(o: TypedArray, rows: number, cols: number, a: LoopOperand, b: LoopOperand): void {
  const x = a.data;
  const y = b.data;
  const ao = a.offset;
  const bo = b.offset;
  const n = rows * cols;
  const aFull = a.colStride === 1 && a.rowStride === cols;
  const bFull = b.colStride === 1 && b.rowStride === cols;
  if (aFull && bFull) {
    for (let i = 0; i < n; i++) o[i] = x[ao + i] > y[bo + i] ? 1 : 0;
  } else if (aFull && b.colStride === 0 && b.rowStride === 0) {
    const s = y[bo];
    for (let i = 0; i < n; i++) o[i] = x[ao + i] > s ? 1 : 0;
  } else if (bFull && a.colStride === 0 && a.rowStride === 0) {
    const s = x[ao];
    for (let i = 0; i < n; i++) o[i] = s > y[bo + i] ? 1 : 0;
  } else if (a.colStride === 1 && b.colStride === 1) {
    for (let r = 0; r < rows; r++) {
      const ab = ao + r * a.rowStride;
      const bb = bo + r * b.rowStride;
      const ob = r * cols;
      for (let c = 0; c < cols; c++) o[ob + c] = x[ab + c] > y[bb + c] ? 1 : 0;
    }
  } else {
    const as = a.colStride;
    const bs = b.colStride;
    for (let r = 0; r < rows; r++) {
      const ab = ao + r * a.rowStride;
      const bb = bo + r * b.rowStride;
      const ob = r * cols;
      for (let c = 0; c < cols; c++) o[ob + c] = x[ab + c * as] > y[bb + c * bs] ? 1 : 0;
    }
  }
}

/** The plain-loop binary kernels, by kernel name. */
export const BINARY_LOOPS: { readonly [K in BinaryKernelName]: BinaryLoop } = {
  Add: add,
  Sub: sub,
  Mul: mul,
  Div: div,
  Maximum: maximum,
  Greater: greater,
};
