import {
  BINARY_KERNELS,
  broadcastShapes,
  UNARY_KERNELS,
  type BinaryKernelName,
  type UnaryKernelName,
  reducedShape,
  type Backend,
  type BackendArray,
  type DType,
  type Kernels,
  type Shape,
  type TypedArray,
} from '@graphgrad/core';
import {
  gruCellBackwardReference,
  gruCellReference,
  lstmCellBackwardReference,
  lstmCellReference,
} from './reference-recurrent.ts';

/** A reference array: its values in row-major order as plain numbers (no views, no sharing). */
interface RefArray extends BackendArray {
  readonly values: readonly number[];
}

const size = (shape: Shape): number => shape.reduce((n, d) => n * d, 1);

function strides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** The coordinates of flat index `i` in `shape`. */
function coords(i: number, shape: Shape): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return c;
}

/** Stores `v` the way a typed array of `dtype` would (int32 wraps and truncates, float32 rounds). */
function store(v: number, dtype: DType): number {
  if (dtype === 'int32') return v | 0;
  if (dtype === 'float32') return Math.fround(v);
  return v;
}

function make(shape: Shape, dtype: DType, values: number[]): RefArray {
  return { shape: [...shape], dtype, values: values.map((v) => store(v, dtype)) };
}

const r = (x: BackendArray): RefArray => x as RefArray;

/** Reads element `c` (output coordinates) of `x` broadcast to a shape of rank `rank`. */
function broadcastRead(x: RefArray, c: readonly number[]): number {
  const lead = c.length - x.shape.length;
  const s = strides(x.shape);
  let at = 0;
  for (let d = 0; d < x.shape.length; d++) at += (x.shape[d] === 1 ? 0 : c[lead + d]) * s[d];
  return x.values[at];
}

/**
 * erf(x) = 2/√π ∫₀ˣ e^(-t²) dt by its Maclaurin series Σ (-1)ⁿ x^(2n+1) / (n!(2n+1)) below |x| = 3
 * (cancellation costs it at most two digits there), by erfc's continued fraction above.
 */
function erf(x: number): number {
  const a = Math.abs(x);
  if (Number.isNaN(x) || x === 0) return x;
  if (a < 3) {
    let power = x;
    let total = x;
    for (let n = 1; n < 100; n++) {
      power *= (-x * x) / n;
      const term = power / (2 * n + 1);
      total += term;
      if (Math.abs(term) < 1e-17 * Math.abs(total)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * total;
  }
  if (a > 27) return Math.sign(x);
  // erfc(a) = e^(-a²)/√π · 1/(a + (1/2)/(a + (2/2)/(a + (3/2)/(a + …)))), from a deep tail
  let f = a;
  for (let k = 100; k >= 1; k--) f = a + k / 2 / f;
  return Math.sign(x) * (1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * f));
}

const UNARY: Record<UnaryKernelName, (v: number) => number> = {
  Neg: (v) => -v,
  Exp: Math.exp,
  Log: Math.log,
  Log1p: Math.log1p,
  Sqrt: Math.sqrt,
  Sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  Tanh: Math.tanh,
  Abs: Math.abs,
  Erf: erf,
};

/** C's pow (numpy's, PyTorch's): 1ʸ = 1 and (-1)^±∞ = 1, where Math.pow gives NaN. */
function pow(a: number, b: number): number {
  if (a === 1 || (a === -1 && Math.abs(b) === Infinity)) return 1;
  return Math.pow(a, b);
}

const BINARY: Record<BinaryKernelName, (a: number, b: number, dtype: DType) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b, dtype) => (dtype === 'int32' && b === 0 ? 0 : a / b),
  Maximum: (a, b) => Math.max(a, b),
  Minimum: (a, b) => Math.min(a, b),
  Pow: pow,
  Greater: (a, b) => (a > b ? 1 : 0),
  GreaterEqual: (a, b) => (a >= b ? 1 : 0),
  Equal: (a, b) => (a === b ? 1 : 0),
  NotEqual: (a, b) => (a !== b ? 1 : 0),
};

function buildKernels(): Kernels {
  const unary = {} as Record<UnaryKernelName, (x: BackendArray) => BackendArray>;
  for (const name of UNARY_KERNELS) unary[name] = (x) => make(x.shape, x.dtype, r(x).values.map(UNARY[name]));
  const binary = {} as Record<BinaryKernelName, (a: BackendArray, b: BackendArray) => BackendArray>;
  for (const name of BINARY_KERNELS) {
    binary[name] = (a, b) => {
      const shape = broadcastShapes(name, a.shape, b.shape);
      const values = Array.from({ length: size(shape) }, (_, i) => {
        const c = coords(i, shape);
        return BINARY[name](broadcastRead(r(a), c), broadcastRead(r(b), c), a.dtype);
      });
      return make(shape, a.dtype, values);
    };
  }
  const reduceWith =
    (init: number, f: (acc: number, v: number) => number) =>
    (x: BackendArray, axes: readonly number[], keepDims: boolean) => {
      const kept = reducedShape(x.shape, axes, true);
      // int32 extrema start from the ends of the int32 range
      const start = x.dtype === 'int32' && Math.abs(init) === Infinity ? (init < 0 ? -2147483648 : 2147483647) : init;
      const out = new Array<number>(size(kept)).fill(start);
      const ks = strides(kept);
      // Walks the input in row-major order with an odometer of coordinates.
      const c = new Array<number>(x.shape.length).fill(0);
      for (const v of r(x).values) {
        let at = 0;
        for (let d = 0; d < c.length; d++) if (!axes.includes(d)) at += c[d] * ks[d];
        out[at] = f(out[at], v);
        for (let d = c.length - 1; d >= 0 && ++c[d] === x.shape[d]; d--) c[d] = 0;
      }
      return make(reducedShape(x.shape, axes, keepDims), x.dtype, out);
    };
  return {
    ...unary,
    ...binary,
    Sum: reduceWith(0, (acc, v) => acc + v),
    Max: reduceWith(-Infinity, Math.max),
    Min: reduceWith(Infinity, Math.min),
    Where: (cond, a, b) => {
      const shape = broadcastShapes('Where', broadcastShapes('Where', cond.shape, a.shape), b.shape);
      const values = Array.from({ length: size(shape) }, (_, i) => {
        const c = coords(i, shape);
        // any nonzero condition, NaN included, is true (numpy's bool of it)
        return broadcastRead(r(cond), c) !== 0 ? broadcastRead(r(a), c) : broadcastRead(r(b), c);
      });
      return make(shape, a.dtype, values);
    },
    Cumsum: (x, axis, reverse) => {
      const s = strides(x.shape);
      const values = Array.from({ length: size(x.shape) }, (_, i) => {
        const c = coords(i, x.shape);
        const [from, to] = reverse ? [c[axis], x.shape[axis] - 1] : [0, c[axis]];
        let total = 0;
        for (let k = from; k <= to; k++) total += r(x).values[i + (k - c[axis]) * s[axis]];
        return total;
      });
      return make(x.shape, x.dtype, values);
    },
    ArgMax: (x, axis) => {
      const shape = reducedShape(x.shape, [axis], false);
      const s = strides(x.shape);
      const values = Array.from({ length: size(shape) }, (_, o) => {
        const c = coords(o, shape);
        c.splice(axis, 0, 0);
        const base = c.reduce((acc, ci, d) => acc + ci * s[d], 0);
        let best = 0;
        for (let k = 1; k < x.shape[axis]; k++) {
          const v = r(x).values[base + k * s[axis]];
          const b = r(x).values[base + best * s[axis]];
          if (Number.isNaN(b)) break;
          if (Number.isNaN(v) || v > b) best = k;
        }
        return best;
      });
      return make(shape, 'int32', values);
    },
    MatMul: (a, b, ta, tb) => {
      const batch = broadcastShapes('MatMul', a.shape.slice(0, -2), b.shape.slice(0, -2));
      // The matrices of an operand as [rows, cols] and where element (i, k) of op(x) sits in one.
      const matrix = (x: BackendArray, t: boolean) => {
        const [rows, cols] = x.shape.slice(-2);
        return { at: (i: number, k: number) => (t ? k * cols + i : i * cols + k), size: rows * cols, t };
      };
      const [ma, mb] = [matrix(a, ta), matrix(b, tb)];
      const [ar, ac] = a.shape.slice(-2);
      const [br, bc] = b.shape.slice(-2);
      const [M, K, N] = [ta ? ac : ar, ta ? ar : ac, tb ? br : bc];
      // The batch element of an operand that batch coordinates `c` read (size-1 axes broadcast).
      const batchOf = (x: BackendArray, c: number[]): number => {
        const own = x.shape.slice(0, -2);
        const lead = c.length - own.length;
        return own.reduce((acc, d, i) => acc * d + (d === 1 ? 0 : c[lead + i]), 0);
      };
      const values = new Array<number>(size(batch) * M * N);
      for (let e = 0; e < size(batch); e++) {
        const c = coords(e, batch);
        const aBase = batchOf(a, c) * ma.size;
        const bBase = batchOf(b, c) * mb.size;
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            let total = 0;
            for (let k = 0; k < K; k++) total += r(a).values[aBase + ma.at(i, k)] * r(b).values[bBase + mb.at(k, j)];
            values[(e * M + i) * N + j] = total;
          }
        }
      }
      return make([...batch, M, N], a.dtype, values);
    },
    Transpose: (x, perm) => {
      const shape = perm.map((p) => x.shape[p]);
      const s = strides(x.shape);
      const values = Array.from({ length: size(shape) }, (_, i) => {
        const c = coords(i, shape);
        return r(x).values[c.reduce((acc, ci, d) => acc + ci * s[perm[d]], 0)];
      });
      return make(shape, x.dtype, values);
    },
    BroadcastTo: (x, shape) =>
      make(
        shape,
        x.dtype,
        Array.from({ length: size(shape) }, (_, i) => broadcastRead(r(x), coords(i, shape))),
      ),
    Reshape: (x, shape) => make(shape, x.dtype, [...r(x).values]),
    Gather: (x, indices, axis) => {
      const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
      const rows = x.shape[axis];
      const s = strides(x.shape);
      const k = indices.shape.length;
      const values = Array.from({ length: size(shape) }, (_, i) => {
        const c = coords(i, shape);
        const row = r(indices).values[c.slice(axis, axis + k).reduce((acc, ci, d) => acc * indices.shape[d] + ci, 0)];
        if (!(row >= 0 && row < rows)) return x.dtype === 'int32' ? 0 : Number.NaN;
        const at = [...c.slice(0, axis), row, ...c.slice(axis + k)];
        return r(x).values[at.reduce((acc, ci, d) => acc + ci * s[d], 0)];
      });
      return make(shape, x.dtype, values);
    },
    OneHot: (indices, depth, dtype) =>
      make(
        [...indices.shape, depth],
        dtype,
        r(indices).values.flatMap((k) =>
          Array.from({ length: depth }, (_, c) =>
            k < 0 || k >= depth ? (dtype === 'int32' ? 0 : Number.NaN) : c === k ? 1 : 0,
          ),
        ),
      ),
    Cast: (x, dtype) => make(x.shape, dtype, [...r(x).values]),
    Softmax: (x) => {
      const cols = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
      const values: number[] = [];
      for (let start = 0; cols > 0 && start < r(x).values.length; start += cols) {
        const row = r(x).values.slice(start, start + cols);
        const max = Math.max(...row);
        const e = row.map((v) => Math.exp(v - max));
        const total = e.reduce((a, b) => a + b, 0);
        values.push(...e.map((v) => v / total));
      }
      return make(x.shape, x.dtype, values);
    },
    SoftmaxCrossEntropy: (logits, target) => {
      const [rows, cols] = logits.shape;
      const values = Array.from({ length: rows }, (_, n) => {
        const row = r(logits).values.slice(n * cols, (n + 1) * cols);
        const t = r(target).values.slice(n * cols, (n + 1) * cols);
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((acc, v) => acc + Math.exp(v - max), 0));
        return lse - row.reduce((acc, v, c) => acc + (t[c] === 0 ? 0 : t[c] * v), 0);
      });
      return make([rows], logits.dtype, values);
    },
    ScatterAdd: (values, indices, axis, length) => {
      const k = indices.shape.length;
      const shape = [...values.shape.slice(0, axis), length, ...values.shape.slice(axis + k)];
      const s = strides(shape);
      const out = new Array<number>(size(shape)).fill(0);
      r(values).values.forEach((v, i) => {
        const c = coords(i, values.shape);
        const row = r(indices).values[c.slice(axis, axis + k).reduce((acc, ci, d) => acc * indices.shape[d] + ci, 0)];
        if (!(row >= 0 && row < length)) return;
        const at = [...c.slice(0, axis), row, ...c.slice(axis + k)];
        out[at.reduce((acc, ci, d) => acc + ci * s[d], 0)] += v;
      });
      return make(shape, values.dtype, out);
    },
    Slice: (x, starts, steps, shape) => {
      const s = strides(x.shape);
      const values = Array.from({ length: size(shape) }, (_, i) => {
        const c = coords(i, shape);
        return r(x).values[c.reduce((acc, ci, d) => acc + (starts[d] + ci * steps[d]) * s[d], 0)];
      });
      return make(shape, x.dtype, values);
    },
    SliceScatter: (x, starts, steps, shape) => {
      const s = strides(shape);
      const values = new Array<number>(size(shape)).fill(0);
      r(x).values.forEach((v, i) => {
        const c = coords(i, x.shape);
        values[c.reduce((acc, ci, d) => acc + (starts[d] + ci * steps[d]) * s[d], 0)] = v;
      });
      return make(shape, x.dtype, values);
    },
    Concat: (xs, axis) => {
      const shape = [...xs[0].shape];
      shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
      const values = Array.from({ length: size(shape) }, (_, i) => {
        const c = coords(i, shape);
        // The input whose stretch of the axis holds c[axis], and c's place inside it.
        let k = 0;
        while (c[axis] >= xs[k].shape[axis]) c[axis] -= xs[k++].shape[axis];
        return r(xs[k]).values[c.reduce((acc, ci, d) => acc + ci * strides(xs[k].shape)[d], 0)];
      });
      return make(shape, xs[0].dtype, values);
    },
    LSTMCell: (gates, c) => lstmCellReference(make, gates, c),
    LSTMCellBackward: (gates, c, dh, dc) => lstmCellBackwardReference(make, gates, c, dh, dc),
    GRUCell: (xg, hg, h) => gruCellReference(make, xg, hg, h),
    GRUCellBackward: (xg, hg, h, dy) => gruCellBackwardReference(make, xg, hg, h, dy),
  };
}

/**
 * The kernels written as their definitions, one element at a time in float64, with no views,
 * strides, broadcasting tricks or libraries: what the CPU backend (the suite's oracle) is itself
 * checked against.
 */
export function referenceBackend(): Backend {
  return {
    name: 'reference',
    dtypes: ['float64', 'float32', 'int32'],
    kernels: buildKernels(),
    fromData: (data: TypedArray, shape: Shape, dtype: DType) => make(shape, dtype, Array.from(data)),
    fill: (shape: Shape, value: number, dtype: DType) => make(shape, dtype, new Array<number>(size(shape)).fill(value)),
    read: (x: BackendArray) => {
      const values = r(x).values;
      return Promise.resolve(x.dtype === 'int32' ? Int32Array.from(values) : Float64Array.from(values));
    },
    dispose: () => undefined,
    liveBuffers: () => 0,
  };
}
