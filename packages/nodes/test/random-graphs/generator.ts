import { arbitraries } from '@graphgrad/core/testing';
import { cpuBackend } from '@graphgrad/cpu';
import { broadcastShapes, Generator, noGrad, sizeOf, tensor, type Tensor } from '@graphgrad/core';
import { runStep, type BinaryName, type GraphSpec, type Place, type Step, type UnaryName } from './graph-spec.ts';
import fc from 'fast-check';

/**
 * A fast-check generator of random expression graphs over every node of @graphgrad/nodes.
 *
 * fast-check draws plain numbers (leaf shapes, a seed, and four naturals per step); an interpreter
 * turns them into a `GraphSpec`, so every draw is a valid graph and shrinking a draw (fewer steps,
 * smaller numbers) shrinks the graph. The interpreter evaluates each step eagerly on the CPU in
 * float64 to keep the graph inside the domain where both checks mean something:
 * - log and sqrt take x·x + 0.5 when x comes near 0, div's denominator likewise, and exp takes
 *   tanh(x) when x is large, so nothing overflows float32 or divides by almost nothing;
 * - abs, greater and argmax are only applied where every element is at least `MARGIN` from the
 *   kink or tie (shifting x by a constant, or comparing with a constant, to get there), so that the
 *   central differences of gradCheck never step across one;
 * - a value larger than `MAX_MAGNITUDE` is scaled down by a power of two, and no value grows beyond
 *   `maxSize` elements (a larger leaf has its longest axes halved).
 */

/** Least distance from a kink of abs, or a tie of greater and argmax. */
const MARGIN = 0.1;
/** Values are scaled down by powers of two to stay within this magnitude. */
const MAX_MAGNITUDE = 8;
/** Leaves and constants are drawn from [-RANGE, RANGE]. */
const RANGE = 2;

const UNARY: readonly UnaryName[] = [
  'neg',
  'exp',
  'log',
  'sqrt',
  'sigmoid',
  'tanh',
  'abs',
  'erf',
  'square',
  'gelu',
  'geluTanh',
  'softplus',
  'logSigmoid',
  'log1p',
  'relu',
  'leakyRelu',
];
const BINARY: readonly BinaryName[] = ['add', 'sub', 'mul', 'div'];
const SCALARS = [0.5, -1.5, 2, 0.25] as const;

/**
 * The kinds of step the interpreter chooses among (the first of the four naturals, modulo this);
 * elementwise nodes are listed more than once, since each stands for several nodes.
 */
const KINDS = [
  'unary',
  'unary',
  'unary',
  'binary',
  'binary',
  'binary',
  'scalar',
  'greater',
  'matmul',
  'sum',
  'mean',
  'repeat',
  'broadcastTo',
  'reshape',
  'transpose',
  'softmax',
  'softmaxWithLoss',
  'branch',
  'gather',
  'argmaxMask',
  'oneHot',
  'cast',
  'extremum',
  'pow',
  'clamp',
  'where',
  'compare',
  'extreme',
  'logsumexp',
  'logSoftmax',
  'cumsum',
  'variance',
  'norm',
  'loss',
] as const;

/** The numbers fast-check draws for one graph. */
export interface GraphDraw {
  readonly seed: number;
  readonly leaves: readonly (readonly number[])[];
  readonly steps: readonly (readonly [number, number, number, number])[];
}

const f32 = Math.fround;

/** Builds a spec step by step, evaluating each step on the CPU in float64 to choose the next. */
class Builder {
  readonly steps: Step[] = [];
  readonly #place: Place = { backend: cpuBackend(), dtype: 'float64' };
  readonly #tensors: Tensor[] = [];
  readonly #data: Float64Array[] = [];
  readonly #used = new Set<number>();
  /** Whether each value depends on some input (else it is a constant of the graph). */
  readonly #variable: boolean[] = [];
  readonly random: Generator;
  /** Most elements of any value. */
  readonly maxSize: number;

  constructor(seed: number, maxSize: number) {
    this.random = new Generator(seed);
    this.maxSize = maxSize;
  }

  get count(): number {
    return this.#tensors.length;
  }

  shape(i: number): readonly number[] {
    return this.#tensors[i].shape;
  }

  /** Whether value i depends on some input. */
  isVariable(i: number): boolean {
    return this.#variable[i];
  }

  data(i: number): Float64Array {
    return this.#data[i];
  }

  /** Uniform values in [-RANGE, RANGE], rounded to float32 so every backend starts from the same numbers. */
  values(n: number): number[] {
    return Array.from({ length: n }, () => f32((2 * this.random.uniform() - 1) * RANGE));
  }

  /** Appends a step, evaluates it and returns the index of its (first) output. */
  push(step: Step): number {
    const first = this.#tensors.length;
    const leaf = (s: Step & { op: 'input' }): Tensor =>
      tensor(Float64Array.from(s.values), { shape: [...s.shape], dtype: 'float64', backend: this.#place.backend });
    const outputs = noGrad(() => runStep(step, this.#tensors, this.#place, leaf));
    this.steps.push(step);
    let variable = step.op === 'input';
    for (const key of ['x', 'a', 'b', 'target', 'cond'] as const) {
      const ref = (step as Partial<Record<typeof key, number>>)[key];
      if (ref === undefined) continue;
      this.#used.add(ref);
      variable ||= this.#variable[ref];
    }
    for (const t of outputs) {
      this.#variable.push(variable && step.op !== 'greater' && step.op !== 'argmaxMask' && step.op !== 'compare');
      this.#tensors.push(t);
      this.#data.push(Float64Array.from(t.dataSync()));
    }
    return first;
  }

  /** The values `step` would give, without adding it to the graph (for a guard to look at). */
  probe(step: Step): Float64Array {
    const outputs = noGrad(() => runStep(step, this.#tensors, this.#place, () => this.#tensors[0]));
    const data = Float64Array.from(outputs[0].dataSync());
    for (const t of outputs) t.dispose();
    return data;
  }

  /** Values no step consumed, which the loss sums with random weights. */
  outputs(): GraphSpec['outputs'] {
    const sinks = Array.from({ length: this.count }, (_, i) => i).filter((i) => !this.#used.has(i));
    // The loss must depend on an input: if no unused value does, the last value that does joins.
    if (!sinks.some((i) => this.#variable[i])) sinks.push(this.#variable.lastIndexOf(true));
    return sinks.map((value) => ({ value, weights: this.values(this.#data[value].length).map((w) => f32(w / RANGE)) }));
  }

  dispose(): void {
    for (const t of this.#tensors) t.dispose();
  }
}

const maxAbs = (v: Float64Array): number => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const minAbs = (v: Float64Array, shift = 0): number => v.reduce((m, x) => Math.min(m, Math.abs(x + shift)), Infinity);

/** x, or x·x + 0.5 when some element of x is near or below 0. */
function positive(g: Builder, x: number): number {
  if (g.data(x).every((v) => v >= 0.25)) return x;
  return g.push({ op: 'scalar', fn: 'add', x: g.push({ op: 'binary', fn: 'mul', a: x, b: x }), value: 0.5 });
}

/** Scales a value down by a power of two when it outgrew MAX_MAGNITUDE. */
function bounded(g: Builder, x: number): number {
  const m = maxAbs(g.data(x));
  if (!(m > MAX_MAGNITUDE)) return x;
  return g.push({ op: 'scalar', fn: 'mul', x, value: 2 ** -Math.ceil(Math.log2(m / MAX_MAGNITUDE)) });
}

function broadcastsWith(a: readonly number[], b: readonly number[]): readonly number[] | null {
  try {
    return broadcastShapes('random graph', a, b);
  } catch {
    return null;
  }
}

/** The prime factors of n (none for 1). */
function factors(n: number): number[] {
  const out: number[] = [];
  for (let p = 2; n > 1; p++) {
    while (n % p === 0) {
      out.push(p);
      n /= p;
    }
  }
  return out;
}

/** A random shape of `size` elements with 1 to 3 axes. */
function reshapeTarget(g: Builder, size: number, pick: number): number[] {
  const axes = 1 + (pick % 3);
  const shape = new Array<number>(axes).fill(1);
  // An empty tensor has a 0 on some axis; the others may be any length.
  if (size === 0) return shape.map((_, i) => (i === pick % axes ? 0 : 1 + g.random.int(3)));
  for (const f of factors(size)) shape[g.random.int(axes)] *= f;
  return shape;
}

/** Interprets one step's four naturals against the graph built so far (a step may add nothing). */
function interpret(g: Builder, [c0, c1, c2, c3]: readonly [number, number, number, number]): void {
  const kind = KINDS[c0 % KINDS.length];
  // Mostly a value that depends on an input (any earlier one: a reuse is a fan-out), sometimes a constant.
  const variables = Array.from({ length: g.count }, (_, i) => i).filter((i) => g.isVariable(i));
  const x = c1 % 4 === 0 || variables.length === 0 ? (c1 >> 2) % g.count : variables[(c1 >> 2) % variables.length];
  const shape = g.shape(x);
  const rank = shape.length;
  const size = sizeOf(shape);
  switch (kind) {
    case 'unary': {
      const fn = UNARY[c2 % UNARY.length];
      let input = x;
      if (fn === 'log' || fn === 'sqrt' || fn === 'log1p') input = positive(g, x);
      else if (fn === 'exp' && maxAbs(g.data(x)) > 3) input = g.push({ op: 'unary', fn: 'tanh', x });
      else if ((fn === 'abs' || fn === 'relu' || fn === 'leakyRelu') && minAbs(g.data(x)) < MARGIN) {
        const shift = [0.5, -0.5, 1, -1, 1.5, -1.5].find((s) => minAbs(g.data(x), s) >= MARGIN);
        input = shift === undefined ? positive(g, x) : g.push({ op: 'scalar', fn: 'add', x, value: shift });
      }
      bounded(g, g.push({ op: 'unary', fn, x: input }));
      return;
    }
    case 'binary': {
      const fn = BINARY[c2 % BINARY.length];
      const partners = Array.from({ length: g.count }, (_, i) => i).filter((i) => {
        const out = broadcastsWith(shape, g.shape(i));
        return out !== null && sizeOf(out) <= g.maxSize;
      });
      let b = partners.length > 0 ? partners[c3 % partners.length] : x;
      if (fn === 'div') b = positive(g, b);
      bounded(g, g.push({ op: 'binary', fn, a: x, b }));
      return;
    }
    case 'scalar': {
      bounded(g, g.push({ op: 'scalar', fn: BINARY[c2 % BINARY.length], x, value: SCALARS[c3 % SCALARS.length] }));
      return;
    }
    case 'greater': {
      const partners = Array.from({ length: g.count }, (_, i) => i).filter((i) => {
        const out = broadcastsWith(shape, g.shape(i));
        return out !== null && sizeOf(out) <= g.maxSize && i !== x;
      });
      const b = partners.length > 0 ? partners[c2 % partners.length] : null;
      if (b !== null && minGap(g, x, b) >= MARGIN) {
        g.push({ op: 'greater', a: x, b });
        return;
      }
      const threshold = [0, 0.5, -0.5, 1, -1].find((t) => minAbs(g.data(x), -t) >= MARGIN);
      if (threshold === undefined) return;
      g.push({ op: 'greater', a: x, b: g.push({ op: 'constant', shape: [], values: [threshold] }) });
      return;
    }
    case 'matmul': {
      // A value of another rank is reshaped to a matrix first (reshapeTarget with pick 1: two axes).
      const fixedA = rank === 2 ? x : g.push({ op: 'reshape', x, shape: reshapeTarget(g, size, 1) });
      const transposeA = (c2 & 1) === 1;
      const inner = transposeA ? g.shape(fixedA)[0] : g.shape(fixedA)[1];
      const rows = transposeA ? g.shape(fixedA)[1] : g.shape(fixedA)[0];
      const candidates: [number, boolean][] = [];
      for (let i = 0; i < g.count; i++) {
        const s = g.shape(i);
        if (s.length !== 2) continue;
        if (s[0] === inner && rows * s[1] <= g.maxSize) candidates.push([i, false]);
        if (s[1] === inner && rows * s[0] <= g.maxSize) candidates.push([i, true]);
      }
      // a·aᵀ (or aᵀ·a) always fits: the fallback, and a fan-out of a.
      if (candidates.length === 0 && rows * rows > g.maxSize) return;
      const [b, transposeB] = candidates.length > 0 ? candidates[c3 % candidates.length] : [fixedA, !transposeA];
      bounded(g, g.push({ op: 'matmul', a: fixedA, b, transposeA, transposeB }));
      return;
    }
    case 'sum':
    case 'mean': {
      const mask = c2 % (1 << rank);
      const negative = (c3 & 1) === 1;
      const axes = mask === 0 ? null : shape.flatMap((_, i) => ((mask >> i) & 1 ? [negative ? i - rank : i] : []));
      // The mean of no elements is NaN (0/0), as in numpy; kept out of the graphs.
      if (kind === 'mean' && (axes ?? shape.map((_, i) => i)).some((a) => shape[a < 0 ? a + rank : a] === 0)) return;
      bounded(g, g.push({ op: kind, x, axes, keepDims: (c3 & 2) === 2 }));
      return;
    }
    case 'repeat': {
      const times = 1 + (c3 % 3);
      if (rank === 0 || size * times > g.maxSize) return;
      g.push({ op: 'repeat', x, axis: c2 % rank, times });
      return;
    }
    case 'broadcastTo': {
      const lead = c2 % 2 === 1 || !shape.includes(1) ? [2 + (c3 % 2)] : [];
      const target = [
        ...lead,
        ...shape.map((d, i) => (d === 1 && ((c3 >> (i + 1)) & 1) === 1 ? 2 + ((c2 >> 1) % 2) : d)),
      ];
      if (sizeOf(target) > g.maxSize || target.length > 4) return;
      g.push({ op: 'broadcastTo', x, shape: target });
      return;
    }
    case 'reshape': {
      g.push({ op: 'reshape', x, shape: size === 1 && c2 % 3 === 0 ? [] : reshapeTarget(g, size, c2) });
      return;
    }
    case 'transpose': {
      if (rank < 2) return;
      g.push({ op: 'transpose', x, perm: c3 % 3 === 0 ? null : Array.from(g.random.permutation(rank)) });
      return;
    }
    case 'softmax': {
      if (rank === 0) return;
      const axis = c2 % rank;
      g.push({ op: 'softmax', x, axis: (c3 & 1) === 1 ? axis - rank : axis });
      return;
    }
    case 'softmaxWithLoss': {
      if (size === 0) return;
      const rowsOf = size % 2 === 0 && c2 % 2 === 0 ? 2 : 1;
      const logits = rank >= 2 ? x : g.push({ op: 'reshape', x, shape: [rowsOf, size / rowsOf] });
      const s = g.shape(logits);
      const classes = s[s.length - 1];
      const rowCount = sizeOf(s) / classes;
      if ((c3 & 1) === 0) {
        g.push({
          op: 'softmaxWithLoss',
          x: logits,
          labels: Array.from({ length: rowCount }, () => g.random.int(classes)),
        });
        return;
      }
      // Constant target probabilities: each row a normalised random positive vector.
      const probs: number[] = [];
      for (let r = 0; r < rowCount; r++) {
        const row = Array.from({ length: classes }, () => 0.1 + g.random.uniform());
        const total = row.reduce((p, q) => p + q, 0);
        probs.push(...row.map((p) => f32(p / total)));
      }
      const target = g.push({ op: 'constant', shape: [...s], values: probs });
      g.push({ op: 'softmaxWithLossProbs', x: logits, target });
      return;
    }
    case 'branch': {
      g.push({ op: 'branch', x, n: 2 + (c2 % 2) });
      return;
    }
    case 'gather': {
      if (rank === 0 || shape[0] === 0) return;
      const count = 1 + (c2 % 3);
      const indexShape = (c3 & 1) === 1 && count > 1 ? [count, 2] : [count];
      const picks = sizeOf(indexShape);
      if ((picks * size) / shape[0] > g.maxSize) return;
      g.push({ op: 'gather', x, indices: Array.from({ length: picks }, () => g.random.int(shape[0])), indexShape });
      return;
    }
    case 'argmaxMask': {
      if (rank === 0) return;
      const axis = c2 % rank;
      if (shape[axis] === 0) return;
      if (topGap(g.data(x), shape, axis) < MARGIN) return;
      g.push({ op: 'argmaxMask', x, axis });
      return;
    }
    case 'oneHot': {
      const depth = 2 + (c2 % 3);
      g.push({ op: 'oneHot', indices: Array.from({ length: 1 + (c3 % 4) }, () => g.random.int(depth)), depth });
      return;
    }
    case 'cast': {
      g.push({ op: 'cast', x });
      return;
    }
    default:
      interpretMath(g, kind, x, c2, c3);
  }
}

/** Least |a - b| over the broadcast of a and b. */
function minGap(g: Builder, a: number, b: number): number {
  const out = broadcastShapes('random graph', g.shape(a), g.shape(b));
  const at = (i: number, flat: number): number => {
    const s = g.shape(i);
    let index = 0;
    let rest = flat;
    let stride = 1;
    for (let axis = out.length - 1; axis >= 0; axis--) {
      const coordinate = rest % out[axis];
      rest = Math.floor(rest / out[axis]);
      const own = axis - (out.length - s.length);
      if (own >= 0) {
        if (s[own] !== 1) index += coordinate * stride;
        stride *= s[own];
      }
    }
    return g.data(i)[index];
  };
  let gap = Infinity;
  for (let flat = 0; flat < sizeOf(out); flat++) gap = Math.min(gap, Math.abs(at(a, flat) - at(b, flat)));
  return gap;
}

/** Least gap between the largest and the second largest element along `axis`, over all slices. */
function topGap(values: Float64Array, shape: readonly number[], axis: number): number {
  const length = shape[axis];
  if (length < 2) return Infinity;
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  let gap = Infinity;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const slice = Array.from({ length }, (_, j) => values[(o * length + j) * inner + i]).sort((p, q) => q - p);
      gap = Math.min(gap, slice[0] - slice[1]);
    }
  }
  return gap;
}

/** Turns fast-check's draw into a graph spec. */
export function buildGraph(draw: GraphDraw, maxSize = 48): GraphSpec {
  const g = new Builder(draw.seed, maxSize);
  try {
    for (const drawn of draw.leaves) {
      const shape = [...drawn];
      while (sizeOf(shape) > maxSize) {
        const longest = shape.indexOf(Math.max(...shape));
        shape[longest] = Math.ceil(shape[longest] / 2);
      }
      g.push({ op: 'input', shape, values: g.values(sizeOf(shape)) });
    }
    for (const step of draw.steps) interpret(g, step);
    return { steps: g.steps, outputs: g.outputs() };
  } finally {
    g.dispose();
  }
}

/** Options of `randomGraph`. */
export interface RandomGraphOptions {
  /** Most steps drawn (default 12; guards add a few more). */
  maxSteps?: number;
  /** Most leaves requiring a gradient (default 3). */
  maxLeaves?: number;
  /** Longest axis of a leaf (default 3). */
  maxDim?: number;
  /** Most elements of any value (default 48). */
  maxSize?: number;
}

/** The fast-check arbitrary of random graphs. */
export function randomGraph(options: RandomGraphOptions = {}): fc.Arbitrary<GraphSpec> {
  const { maxSteps = 12, maxLeaves = 3, maxDim = 3, maxSize = 48 } = options;
  const natural = fc.nat({ max: 1 << 16 });
  return fc
    .record({
      seed: fc.nat({ max: 2 ** 31 - 1 }),
      // One leaf in eight may be empty (an axis of length 0).
      leaves: fc.array(
        fc.oneof(
          { arbitrary: arbitraries.shape({ maxRank: 3, maxDim }), weight: 7 },
          { arbitrary: arbitraries.shape({ maxRank: 3, minDim: 0, maxDim }), weight: 1 },
        ),
        { minLength: 1, maxLength: maxLeaves },
      ),
      steps: fc.array(fc.tuple(natural, natural, natural, natural), { minLength: 1, maxLength: maxSteps }),
    })
    .map((draw) => buildGraph(draw, maxSize));
}

/** The values broadcastable with x (none larger than maxSize once broadcast), other than x itself. */
function partnersOf(g: Builder, x: number): number[] {
  return Array.from({ length: g.count }, (_, i) => i).filter((i) => {
    const out = broadcastsWith(g.shape(x), g.shape(i));
    return out !== null && sizeOf(out) <= g.maxSize && i !== x;
  });
}

/** Reduction axes from the bits of `mask` (null: every axis), some written negative. */
function axesFrom(rank: number, mask: number, negative: boolean): number[] | null {
  const bits = mask % (1 << rank);
  if (bits === 0) return null;
  return Array.from({ length: rank }, (_, i) => i).flatMap((i) => ((bits >> i) & 1 ? [negative ? i - rank : i] : []));
}

/** Whether reducing `axes` (null: all) of `shape` reduces an axis of length 0. */
function emptyReduction(shape: readonly number[], axes: readonly number[] | null): boolean {
  return (axes ?? shape.map((_, i) => i)).some((a) => shape[a < 0 ? a + shape.length : a] === 0);
}

/** A 0/1 mask of value `of` against a constant at least MARGIN from each element, or null. */
function maskOf(g: Builder, of: number, pick: number): number | null {
  const thresholds = [0, 0.5, -0.5, 1, -1];
  const t = [...thresholds.slice(pick % 5), ...thresholds.slice(0, pick % 5)].find(
    (v) => minAbs(g.data(of), -v) >= MARGIN,
  );
  if (t === undefined) return null;
  return g.push({ op: 'greater', a: of, b: g.push({ op: 'constant', shape: [], values: [t] }) });
}

const REDUCTIONS = ['mean', 'sum', 'none'] as const;
const COMPARISONS = ['equal', 'notEqual', 'less', 'lessEqual', 'greaterEqual'] as const;

/**
 * The steps of the activations, elementwise ops, reductions and losses, kept inside the domain
 * where central differences mean something: maximum, minimum and clamp where operands and bounds
 * are equal or at least MARGIN apart, max and min along one axis with a gap of MARGIN between the
 * two largest (smallest), norms of values at least MARGIN from 0, powers of positive bases,
 * std of slices that are not constant, losses over labels and targets the generator draws.
 */
function interpretMath(g: Builder, kind: (typeof KINDS)[number], x: number, c2: number, c3: number): void {
  const shape = g.shape(x);
  const rank = shape.length;
  const size = sizeOf(shape);
  switch (kind) {
    case 'extremum': {
      const fn = (c2 & 1) === 1 ? 'maximum' : 'minimum';
      // x against itself ties everywhere: each side takes half the gradient
      if (c3 % 4 === 0) {
        bounded(g, g.push({ op: 'extremum', fn, a: x, b: x }));
        return;
      }
      const partners = partnersOf(g, x).filter((i) => minGap(g, x, i) >= MARGIN);
      let b: number;
      if (partners.length > 0) b = partners[c3 % partners.length];
      else {
        const t = [0, 0.5, -0.5, 1, -1].find((v) => minAbs(g.data(x), -v) >= MARGIN);
        if (t === undefined) return;
        b = g.push({ op: 'constant', shape: [], values: [t] });
      }
      bounded(g, g.push({ op: 'extremum', fn, a: x, b }));
      return;
    }
    case 'pow': {
      const base = positive(g, x);
      if ((c2 & 1) === 0) {
        const value = [2, 3, -1, 0.5][c3 % 4];
        bounded(g, g.push({ op: 'powNumber', x: value === 2 || value === 3 ? x : base, value }));
        return;
      }
      // an exponent in [-1, 1]: tanh of any value that broadcasts with the base
      const partners = partnersOf(g, base);
      const e = g.push({ op: 'unary', fn: 'tanh', x: partners.length > 0 ? partners[c3 % partners.length] : x });
      if (broadcastsWith(g.shape(base), g.shape(e)) === null) return;
      bounded(g, g.push({ op: 'pow', a: base, b: e }));
      return;
    }
    case 'clamp': {
      const bounds: [number | null, number | null][] = [
        [-0.5, 0.5],
        [-1, null],
        [null, 1],
        [0.25, 1.5],
        [1, -1],
      ];
      const order = [...bounds.slice(c2 % 5), ...bounds.slice(0, c2 % 5)];
      const fits = order.find(([lo, hi]) => [lo, hi].every((v) => v === null || minAbs(g.data(x), -v) >= MARGIN));
      if (fits === undefined) return;
      g.push({ op: 'clamp', x, min: fits[0], max: fits[1] });
      return;
    }
    case 'where': {
      // a mask of x or of b picks between them
      const partners = partnersOf(g, x);
      const b = partners.length > 0 ? partners[c2 % partners.length] : x;
      const cond = maskOf(g, (c3 & 1) === 0 ? x : b, c3 >> 1);
      if (cond === null) return;
      g.push({ op: 'where', cond, a: x, b });
      return;
    }
    case 'compare': {
      const fn = COMPARISONS[c2 % COMPARISONS.length];
      if (c3 % 5 === 0) {
        g.push({ op: 'compare', fn, a: x, b: x });
        return;
      }
      const partners = partnersOf(g, x).filter((i) => minGap(g, x, i) >= MARGIN);
      if (partners.length > 0) {
        g.push({ op: 'compare', fn, a: x, b: partners[c3 % partners.length] });
        return;
      }
      const t = [0, 0.5, -0.5, 1, -1].find((v) => minAbs(g.data(x), -v) >= MARGIN);
      if (t === undefined) return;
      g.push({ op: 'compare', fn, a: x, b: g.push({ op: 'constant', shape: [], values: [t] }) });
      return;
    }
    case 'extreme': {
      if (rank === 0) return;
      const axis = c2 % rank;
      const fn = (c3 & 1) === 1 ? 'max' : 'min';
      if (shape[axis] === 0) return;
      const data = fn === 'max' ? g.data(x) : g.data(x).map((v) => -v);
      if (topGap(data, shape, axis) < MARGIN) return;
      g.push({ op: 'extreme', fn, x, axis: (c3 & 2) === 2 ? axis - rank : axis, keepDims: (c3 & 4) === 4 });
      return;
    }
    case 'logsumexp': {
      const axes = axesFrom(rank, c2, (c3 & 1) === 1);
      // the logsumexp of nothing is -Inf
      if (emptyReduction(shape, axes)) return;
      bounded(g, g.push({ op: 'logsumexp', x, axes, keepDims: (c3 & 2) === 2 }));
      return;
    }
    case 'logSoftmax': {
      if (rank === 0) return;
      const axis = c2 % rank;
      bounded(g, g.push({ op: 'logSoftmax', x, axis: (c3 & 1) === 1 ? axis - rank : axis }));
      return;
    }
    case 'cumsum': {
      if (rank === 0) return;
      bounded(g, g.push({ op: 'cumsum', x, axis: c2 % rank, reverse: (c3 & 1) === 1 }));
      return;
    }
    case 'variance': {
      const axes = axesFrom(rank, c2, (c3 & 1) === 1);
      if (emptyReduction(shape, axes)) return;
      const count = (axes ?? shape.map((_, i) => i)).reduce((n, a) => n * shape[a < 0 ? a + rank : a], 1);
      const correction = count > 1 ? (c3 >> 2) & 1 : 0;
      const op = (c3 & 8) === 8 ? 'std' : 'variance';
      const step = { op, x, axes, keepDims: (c3 & 2) === 2, correction } as const;
      // std's derivative is infinite where a slice is constant
      if (op === 'std' && !g.probe({ ...step, op: 'variance' }).every((v) => v >= 0.01)) return;
      bounded(g, g.push(step));
      return;
    }
    case 'norm': {
      const p = ([1, 2, 'Infinity'] as const)[c3 % 3];
      const axes = p === 'Infinity' ? (rank === 0 ? null : [c2 % rank]) : axesFrom(rank, c2, false);
      if (p === 'Infinity' && emptyReduction(shape, axes)) return;
      const magnitudes = g.data(x).map(Math.abs);
      // every norm has a kink at 0 (the ∞-norm also where two magnitudes tie)
      if (minAbs(g.data(x)) < MARGIN) return;
      if (p === 'Infinity' && rank > 0 && topGap(magnitudes, shape, axes![0]) < MARGIN) return;
      bounded(g, g.push({ op: 'norm', x, p, axes, keepDims: (c3 & 4) === 4 }));
      return;
    }
    case 'loss': {
      if (size === 0) return;
      const reduction = REDUCTIONS[c3 % 3];
      const which = c2 % 3;
      if (which === 0) {
        if (rank === 0) return;
        const axis = (c2 >> 2) % rank;
        const classes = shape[axis];
        const count = size / classes;
        // a quarter of the labels ignored, but never all of them (the mean of none is NaN)
        const labels: number[] = Array.from({ length: count }, () =>
          g.random.int(4) === 0 ? -100 : g.random.int(classes),
        );
        if (!labels.some((l) => l !== -100)) labels[0] = 0;
        g.push({ op: 'crossEntropy', x, axis, labels, reduction, smoothing: (c3 & 4) === 4 ? 0.1 : 0 });
        return;
      }
      const same = Array.from({ length: g.count }, (_, i) => i).filter(
        (i) => i !== x && g.shape(i).length === rank && g.shape(i).every((d, k) => d === shape[k]),
      );
      if (which === 1) {
        // targets in [0, 1]: the sigmoid of another value (a gradient reaches it) or constants
        const target =
          same.length > 0
            ? g.push({ op: 'unary', fn: 'sigmoid', x: same[c3 % same.length] })
            : g.push({
                op: 'constant',
                shape: [...shape],
                values: g.values(size).map((v) => f32((v + RANGE) / (2 * RANGE))),
              });
        g.push({ op: 'binaryCrossEntropyWithLogits', x, target, reduction, posWeight: (c3 & 4) === 4 ? 2 : null });
        return;
      }
      const b =
        same.length > 0
          ? same[c3 % same.length]
          : g.push({ op: 'constant', shape: [...shape], values: g.values(size) });
      bounded(g, g.push({ op: 'mseLoss', a: x, b, reduction }));
      return;
    }
  }
}
