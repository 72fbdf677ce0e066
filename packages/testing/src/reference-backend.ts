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

const UNARY: Record<UnaryKernelName, (v: number) => number> = {
  Neg: (v) => -v,
  Exp: Math.exp,
  Log: Math.log,
  Sqrt: Math.sqrt,
  Sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  Tanh: Math.tanh,
  Abs: Math.abs,
};

const BINARY: Record<BinaryKernelName, (a: number, b: number, dtype: DType) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b, dtype) => (dtype === 'int32' && b === 0 ? 0 : a / b),
  Maximum: (a, b) => Math.max(a, b),
  Greater: (a, b) => (a > b ? 1 : 0),
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
      const out = new Array<number>(size(kept)).fill(x.dtype === 'int32' && init === -Infinity ? -2147483648 : init);
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
      const M = ta ? a.shape[1] : a.shape[0];
      const K = ta ? a.shape[0] : a.shape[1];
      const N = tb ? b.shape[0] : b.shape[1];
      const [av, bv] = [r(a).values, r(b).values];
      // Element (i, k) of op(a) and (k, j) of op(b), as row-major offsets.
      const [aI, aK] = ta ? [1, a.shape[1]] : [a.shape[1], 1];
      const [bK, bJ] = tb ? [1, b.shape[1]] : [b.shape[1], 1];
      const values = new Array<number>(M * N);
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let total = 0;
          for (let k = 0; k < K; k++) total += av[i * aI + k * aK] * bv[k * bK + j * bJ];
          values[i * N + j] = total;
        }
      }
      return make([M, N], a.dtype, values);
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
    Gather: (x, indices) => {
      const row = size(x.shape.slice(1));
      const rows = x.shape[0];
      const bad = x.dtype === 'int32' ? 0 : Number.NaN;
      const values = r(indices).values.flatMap((k) =>
        k >= 0 && k < rows ? r(x).values.slice(k * row, (k + 1) * row) : new Array<number>(row).fill(bad),
      );
      return make([...indices.shape, ...x.shape.slice(1)], x.dtype, values);
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
