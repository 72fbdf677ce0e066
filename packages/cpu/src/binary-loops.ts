import type { BinaryKernelName, TypedArray } from '@graphgrad/core';

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

/**
 * Each binary kernel as a JavaScript expression of its operands' values `p` and `q`; storing the
 * result into the output's typed array rounds it once (and wraps or truncates it for int32).
 */
const BINARY_EXPRESSIONS: { readonly [K in BinaryKernelName]: string } = {
  Add: 'p + q',
  Sub: 'p - q',
  Mul: 'p * q',
  Div: 'p / q',
  // NOTE: Math.max and Math.min propagate NaN, as numpy's maximum and minimum (and ndarray-ops') do.
  Maximum: 'Math.max(p, q)',
  Minimum: 'Math.min(p, q)',
  // NOTE: C's pow, as numpy and PyTorch compute it: 1ʸ = 1 and (-1)^±∞ = 1 (Math.pow gives NaN).
  Pow: 'p === 1 || (p === -1 && Math.abs(q) === Infinity) ? 1 : Math.pow(p, q)',
  // Comparisons give 1 or 0; every comparison with NaN is false, except that NaN is not equal to anything.
  Greater: 'p > q ? 1 : 0',
  GreaterEqual: 'p >= q ? 1 : 0',
  Equal: 'p === q ? 1 : 0',
  NotEqual: 'p !== q ? 1 : 0',
};

// NOTE: the loop is one template and each operation's expression is pasted into it, compiled once
// per operation with `new Function` on its first use (ndarray-ops compiles its loops the same way,
// so this asks nothing more of the page). V8 then sees the arithmetic inline in each loop: a shared
// loop calling the operation as a function ran 2-3× slower (measured on 2×2, 30×10 and 1e6 arrays),
// because the call site sees every operation and is not inlined. The layouts that occur most get
// loops without index multiplications: full with full, full with a scalar, and rows of unit stride
// (a bias row added to every row); about 2× faster on the book's 30×10 arrays than the general loop.
const TEMPLATE = `
const x = a.data, y = b.data, ao = a.offset, bo = b.offset, n = rows * cols;
const aFull = a.colStride === 1 && a.rowStride === cols;
const bFull = b.colStride === 1 && b.rowStride === cols;
if (aFull && bFull) {
  for (let i = 0; i < n; i++) { const p = x[ao + i], q = y[bo + i]; o[i] = EXPR; }
} else if (aFull && b.colStride === 0 && b.rowStride === 0) {
  const q = y[bo];
  for (let i = 0; i < n; i++) { const p = x[ao + i]; o[i] = EXPR; }
} else if (bFull && a.colStride === 0 && a.rowStride === 0) {
  const p = x[ao];
  for (let i = 0; i < n; i++) { const q = y[bo + i]; o[i] = EXPR; }
} else if (a.colStride === 1 && b.colStride === 1) {
  for (let r = 0; r < rows; r++) {
    const ab = ao + r * a.rowStride, bb = bo + r * b.rowStride, ob = r * cols;
    for (let c = 0; c < cols; c++) { const p = x[ab + c], q = y[bb + c]; o[ob + c] = EXPR; }
  }
} else {
  const as = a.colStride, bs = b.colStride;
  for (let r = 0; r < rows; r++) {
    const ab = ao + r * a.rowStride, bb = bo + r * b.rowStride, ob = r * cols;
    for (let c = 0; c < cols; c++) { const p = x[ab + c * as], q = y[bb + c * bs]; o[ob + c] = EXPR; }
  }
}`;

const compiled: Partial<Record<BinaryKernelName, BinaryLoop>> = {};

/** The plain loop of binary kernel `name`, compiled on first use. */
export function binaryLoop(name: BinaryKernelName): BinaryLoop {
  let loop = compiled[name];
  if (loop === undefined) {
    const body = TEMPLATE.replaceAll('EXPR', `(${BINARY_EXPRESSIONS[name]})`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the template above, see the NOTE
    loop = new Function('o', 'rows', 'cols', 'a', 'b', body) as BinaryLoop;
    compiled[name] = loop;
  }
  return loop;
}
