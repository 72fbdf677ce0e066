// An independent reference for forward values: plain loops over row-major arrays, written from the
// numpy definitions and sharing no code with graphgrad's kernels.

/** A row-major array and its shape. */
export interface Ref {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i];
  }
  return out;
}

/** The multi-index of flat position `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    index[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return index;
}

function ravel(index: readonly number[], shape: readonly number[]): number {
  const s = strides(shape);
  return index.reduce((n, v, i) => n + v * s[i], 0);
}

/** numpy's broadcast of two shapes (undefined when they do not broadcast). */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[i - (rank - a.length)] ?? 1;
    const db = b[i - (rank - b.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The element of `x` that output index `index` reads when `x` is broadcast to a larger rank. */
function broadcastRead(x: Ref, index: readonly number[]): number {
  const lead = index.length - x.shape.length;
  const own = x.shape.map((d, i) => (d === 1 ? 0 : index[lead + i]));
  return x.data[ravel(own, x.shape)];
}

export function broadcastTo(x: Ref, shape: readonly number[]): Ref {
  return { shape, data: Array.from({ length: sizeOf(shape) }, (_, k) => broadcastRead(x, unravel(k, shape))) };
}

export function binary(a: Ref, b: Ref, f: (x: number, y: number) => number): Ref {
  const shape = broadcastShape(a.shape, b.shape);
  if (shape === undefined) throw new Error('reference: shapes do not broadcast');
  return {
    shape,
    data: Array.from({ length: sizeOf(shape) }, (_, k) => {
      const index = unravel(k, shape);
      return f(broadcastRead(a, index), broadcastRead(b, index));
    }),
  };
}

export function matmul(a: Ref, b: Ref): Ref {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const data: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let total = 0;
      for (let p = 0; p < k; p++) total += a.data[i * k + p] * b.data[p * n + j];
      data.push(total);
    }
  }
  return { shape: [m, n], data };
}

export function transpose(x: Ref, perm: readonly number[] = x.shape.map((_, i) => x.shape.length - 1 - i)): Ref {
  const shape = perm.map((p) => x.shape[p]);
  return {
    shape,
    data: Array.from({ length: sizeOf(shape) }, (_, k) => {
      const out = unravel(k, shape);
      const src = new Array<number>(x.shape.length);
      perm.forEach((p, i) => (src[p] = out[i]));
      return x.data[ravel(src, x.shape)];
    }),
  };
}

/** Sum over `axes` (all when undefined), numpy-style. */
export function sum(x: Ref, axes?: readonly number[], keepDims = false): Ref {
  const rank = x.shape.length;
  const reduced = new Set((axes ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a)));
  const kept = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const data = new Array<number>(sizeOf(kept)).fill(0);
  for (let k = 0; k < x.data.length; k++) {
    const index = unravel(k, x.shape).map((v, i) => (reduced.has(i) ? 0 : v));
    data[ravel(index, kept)] += x.data[k];
  }
  return { shape: keepDims ? kept : x.shape.filter((_, i) => !reduced.has(i)), data };
}

/** numpy.repeat(x, times, axis): each element copied `times` times in a row along `axis`. */
export function repeat(x: Ref, axis: number, times: number): Ref {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const shape = x.shape.map((d, i) => (i === a ? d * times : d));
  return {
    shape,
    data: Array.from({ length: sizeOf(shape) }, (_, k) => {
      const index = unravel(k, shape);
      index[a] = Math.floor(index[a] / times);
      return x.data[ravel(index, x.shape)];
    }),
  };
}

/** Softmax along `axis`, in the textbook form exp(x - max) / Σ exp(x - max). */
export function softmax(x: Ref, axis = -1): Ref {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const data = new Array<number>(x.data.length);
  const len = x.shape[a];
  const step = strides(x.shape)[a];
  for (let k = 0; k < x.data.length; k++) {
    if (unravel(k, x.shape)[a] !== 0) continue;
    const lane = Array.from({ length: len }, (_, i) => x.data[k + i * step]);
    const max = Math.max(...lane);
    const exps = lane.map((v) => Math.exp(v - max));
    const total = exps.reduce((s, v) => s + v, 0);
    exps.forEach((e, i) => (data[k + i * step] = e / total));
  }
  return { shape: x.shape, data };
}

/** Mean over the rows of -log softmax(logits)[label]: the book's cross entropy with class indices. */
export function meanCrossEntropy(logits: Ref, labels: readonly number[]): number {
  const classes = logits.shape[logits.shape.length - 1];
  const rows = logits.data.length / classes;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const row = logits.data.slice(r * classes, (r + 1) * classes);
    const max = Math.max(...row);
    const logSum = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    total += logSum - row[labels[r]];
  }
  return total / rows;
}

/** The first index of the largest value along the last axis. */
export function argmaxLast(x: Ref): number[] {
  const len = x.shape[x.shape.length - 1];
  const out: number[] = [];
  for (let r = 0; r < x.data.length / len; r++) {
    let best = 0;
    for (let c = 1; c < len; c++) if (x.data[r * len + c] > x.data[r * len + best]) best = c;
    out.push(best);
  }
  return out;
}
