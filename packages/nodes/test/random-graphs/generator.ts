import { arbitraries } from '@graphgrad/core/testing';
import { cpuBackend } from '@graphgrad/cpu';
import { broadcastShapes, broadcastsTo, Generator, noGrad, sizeOf, tensor, type Tensor } from '@graphgrad/core';
import type { SliceEntry } from '../../src/index.ts';
import {
  refsOf,
  runStep,
  type BinaryName,
  type GraphSpec,
  type Place,
  type Step,
  type UnaryName,
} from './graph-spec.ts';
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
 *   `maxSize` elements (a larger leaf has its longest axes halved);
 * - slices, joins, int32 indices and the fused cells' inputs are drawn with shapes each op accepts
 *   (see `interpretStructure`); the fused cells' backward nodes are also applied forward, so that
 *   gradCheck checks their own backward (the second derivative); dropout and bernoulli draw from a
 *   fresh generator of a seed kept in the step, so every evaluation draws the same mask.
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
  'batchedMatmul',
  'segmentSum',
  'indexAdd',
  'embedding',
  'slice',
  'slice',
  'sliceScatter',
  'concat',
  'stack',
  'split',
  'unbind',
  'view',
  'lstmCell',
  'gruCell',
  'cellGrad',
  'dropout',
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
    for (const ref of refsOf(step)) {
      this.#used.add(ref);
      variable ||= this.#variable[ref];
    }
    const mask = ['greater', 'argmaxMask', 'compare', 'bernoulli'].includes(step.op);
    for (const t of outputs) {
      this.#variable.push(variable && !mask);
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
      if (rank === 0) return;
      // along axis 0 half the time (a minibatch, rows by id), else along any axis
      const axis = (c3 & 2) === 0 ? 0 : (c3 >> 2) % rank;
      if (shape[axis] === 0) return;
      const count = 1 + (c2 % 3);
      const indexShape = (c3 & 1) === 1 && count > 1 ? [count, 2] : (c2 >> 2) % 5 === 0 ? [] : [count];
      const picks = sizeOf(indexShape);
      if ((picks * size) / shape[axis] > g.maxSize) return;
      const indices = intsBelow(g, picks, shape[axis]);
      g.push({ op: 'gather', x, indices, indexShape, axis: (c3 & 32) === 32 ? axis - rank : axis });
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
    case 'batchedMatmul':
    case 'segmentSum':
    case 'indexAdd':
    case 'embedding':
    case 'slice':
    case 'sliceScatter':
    case 'concat':
    case 'stack':
    case 'split':
    case 'unbind':
    case 'view':
    case 'lstmCell':
    case 'gruCell':
    case 'cellGrad':
    case 'dropout':
      interpretStructure(g, kind, x, c2, c3);
      return;
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

/** `n` random indices in [0, below). */
function intsBelow(g: Builder, n: number, below: number): number[] {
  return Array.from({ length: n }, () => g.random.int(below));
}

/** The values of exactly `shape`. */
function sameShape(g: Builder, shape: readonly number[]): number[] {
  return Array.from({ length: g.count }, (_, i) => i).filter(
    (i) => g.shape(i).length === shape.length && g.shape(i).every((d, k) => d === shape[k]),
  );
}

/** A value of exactly `shape`: mostly an earlier one (a fan-out), else a new constant. */
function partnerOf(g: Builder, shape: readonly number[]): number {
  const candidates = sameShape(g, shape);
  if (candidates.length > 0 && g.random.int(5) !== 0) return candidates[g.random.int(candidates.length)];
  return g.push({ op: 'constant', shape: [...shape], values: g.values(sizeOf(shape)) });
}

/** x as a matrix: itself when it has two axes, else reshaped to two. */
function matrixOf(g: Builder, x: number): number {
  return g.shape(x).length === 2 ? x : g.push({ op: 'reshape', x, shape: reshapeTarget(g, sizeOf(g.shape(x)), 1) });
}

/** A random bound of a slice of an axis of length n: null, or anywhere in [-n - 2, n + 2] (numpy clamps). */
function sliceBound(g: Builder, n: number): number | null {
  return g.random.int(4) === 0 ? null : g.random.int(2 * n + 5) - n - 2;
}

/** A random numpy index of a tensor of `shape`: whole axes, positions, ranges with any step, '...', a new axis. */
function sliceIndex(g: Builder, shape: readonly number[], pick: number): SliceEntry[] {
  const index: SliceEntry[] = shape.map((n): SliceEntry => {
    const r = g.random.int(6);
    if (r === 0) return null;
    if (r === 1 && n > 0) {
      const position = g.random.int(n);
      return g.random.int(2) === 0 ? position : position - n;
    }
    return [sliceBound(g, n), sliceBound(g, n), [null, 1, 2, -1, -2, 3][g.random.int(6)]];
  });
  // at most one new axis, so that no value has more than four
  if ((pick & 1) === 1 && shape.length < 4) index.splice(g.random.int(index.length + 1), 0, 'newaxis');
  const at = g.random.int(index.length + 1);
  switch ((pick >> 1) % 4) {
    case 0:
      return index;
    case 1:
      // '...' stands for the axes after `at`
      return [...index.slice(0, at), '...'];
    case 2:
      // '...' stands for the axes before `at`
      return ['...', ...index.slice(at)];
    default:
      // fewer entries than axes: the rest are whole
      return index.slice(0, at);
  }
}

/**
 * The gates' pre-activations of a fused cell, [N, k·H], made from x: x as a matrix [N, K] when K
 * divides into the k gates, else k matrices [N, K] (x and earlier values of its shape, a slice
 * of x first where k of them would be too large) concatenated along axis 1. Null for an empty x.
 */
function gatesOf(g: Builder, x: number, k: number, pick: number): { gates: number; n: number; h: number } | null {
  if (sizeOf(g.shape(x)) === 0) return null;
  let m = matrixOf(g, x);
  const [n, width] = g.shape(m);
  if (width % k === 0 && (pick & 2) === 2) return { gates: m, n, h: width / k };
  const h = Math.min(width, Math.floor(g.maxSize / k));
  const rows = Math.min(n, Math.floor(g.maxSize / (k * h)));
  if (rows !== n || h !== width)
    m = g.push({
      op: 'slice',
      x: m,
      index: [
        [0, rows],
        [0, h],
      ],
    });
  const pieces = Array.from({ length: k }, () => (g.random.int(2) === 0 ? m : partnerOf(g, [rows, h])));
  return { gates: g.push({ op: 'concat', xs: pieces, axis: 1 }), n: rows, h };
}

/**
 * The steps of the slicing and joining nodes, index ops, fused recurrent cells and dropout, with
 * every shape, index and region drawn inside what the op accepts: slice bounds anywhere (numpy
 * clamps them), positions within their axis, joins of values that agree on the other axes,
 * int32 indices within the axis they address, cell inputs [N, 4H] or [N, 3H] and [N, H].
 */
function interpretStructure(g: Builder, kind: (typeof KINDS)[number], x: number, c2: number, c3: number): void {
  const shape = g.shape(x);
  const rank = shape.length;
  const size = sizeOf(shape);
  switch (kind) {
    case 'batchedMatmul': {
      // a with batch axes (x reshaped to three axes), or 1-D (a row), against any b that fits:
      // batch axes broadcast, a 2-D b shared by the batch, a 1-D b (a column)
      const a =
        rank >= 3 || (rank === 1 && c2 % 4 === 0) ? x : g.push({ op: 'reshape', x, shape: reshapeTarget(g, size, 2) });
      const sa = g.shape(a);
      const transposeA = (c2 & 2) === 2 && sa.length > 1;
      const [rows, inner] =
        sa.length === 1 ? [1, sa[0]] : transposeA ? [sa.at(-1)!, sa.at(-2)!] : [sa.at(-2)!, sa.at(-1)!];
      const batchA = sa.slice(0, -2);
      const candidates: [number, boolean][] = [];
      for (let i = 0; i < g.count; i++) {
        const sb = g.shape(i);
        if (sb.length === 0) continue;
        if (sb.length === 1) {
          if (sb[0] === inner && sizeOf(batchA) * rows <= g.maxSize) candidates.push([i, false]);
          continue;
        }
        const batch = broadcastsWith(batchA, sb.slice(0, -2));
        if (batch === null) continue;
        for (const transposeB of [false, true]) {
          const [k, cols] = transposeB ? [sb.at(-1)!, sb.at(-2)!] : [sb.at(-2)!, sb.at(-1)!];
          if (k === inner && sizeOf(batch) * rows * cols <= g.maxSize) candidates.push([i, transposeB]);
        }
      }
      // a·aᵀ (a batch of them) is the fallback, and a fan-out of a
      if (candidates.length === 0 && sizeOf(batchA) * rows * rows > g.maxSize) return;
      const [b, transposeB] = candidates.length > 0 ? candidates[c3 % candidates.length] : [a, !transposeA];
      bounded(g, g.push({ op: 'matmul', a, b, transposeA, transposeB }));
      return;
    }
    case 'segmentSum': {
      if (rank === 0) return;
      const axis = c2 % rank;
      const held = (c3 & 1) === 1 && axis + 1 < rank ? 2 : 1;
      const indexShape = shape.slice(axis, axis + held);
      const segments = 1 + ((c3 >> 1) % 4);
      if (sizeOf([...shape.slice(0, axis), segments, ...shape.slice(axis + held)]) > g.maxSize) return;
      const outRank = rank - held + 1;
      const indices = intsBelow(g, sizeOf(indexShape), segments);
      g.push({
        op: 'segmentSum',
        x,
        indices,
        indexShape,
        size: segments,
        axis: (c3 & 8) === 8 ? axis - outRank : axis,
      });
      return;
    }
    case 'indexAdd': {
      if (rank === 0) return;
      const axis = c2 % rank;
      if (shape[axis] === 0) return;
      const count = 1 + ((c2 >> 2) % 3);
      const indexShape = (c3 & 1) === 1 && count > 1 ? [count, 2] : (c3 >> 1) % 5 === 0 ? [] : [count];
      const expected = [...shape.slice(0, axis), ...indexShape, ...shape.slice(axis + 1)];
      if (sizeOf(expected) > g.maxSize) return;
      // values of the expected shape, or that broadcast to it, else a gather of x (of that shape)
      const fits = Array.from({ length: g.count }, (_, i) => i).filter((i) => broadcastsTo(g.shape(i), expected));
      const source =
        fits.length > 0 && (c3 >> 4) % 4 !== 0
          ? fits[(c3 >> 6) % fits.length]
          : g.push({ op: 'gather', x, indices: intsBelow(g, sizeOf(indexShape), shape[axis]), indexShape, axis });
      const indices = intsBelow(g, sizeOf(indexShape), shape[axis]);
      bounded(g, g.push({ op: 'indexAdd', x, axis: (c3 & 8) === 8 ? axis - rank : axis, indices, indexShape, source }));
      return;
    }
    case 'embedding': {
      const weights = matrixOf(g, x);
      const [vocabulary, dim] = g.shape(weights);
      if (vocabulary === 0) return;
      const idShape = [[], [1 + (c3 % 3)], [2, 1 + (c3 % 2)]][c2 % 3];
      if (sizeOf(idShape) * dim > g.maxSize) return;
      g.push({ op: 'embedding', x: weights, ids: intsBelow(g, sizeOf(idShape), vocabulary), idShape });
      return;
    }
    case 'slice': {
      g.push({ op: 'slice', x, index: sliceIndex(g, shape, c2) });
      return;
    }
    case 'sliceScatter': {
      // x written into a larger zero tensor: per axis a step (any sign) and a margin of zeros,
      // sometimes an axis of `into` x is one position of (dropped); `into` no larger than maxSize
      for (const tight of [c2 % 4 === 0, true]) {
        const starts: number[] = [];
        const steps: number[] = [];
        const lengths: number[] = [];
        const into: number[] = [];
        const dropped = tight || rank >= 3 ? -1 : g.random.int(2 * (rank + 1));
        for (let d = 0; d <= rank; d++) {
          if (d === dropped) {
            const length = 1 + g.random.int(3);
            starts.push(g.random.int(length));
            steps.push(1);
            lengths.push(1);
            into.push(length);
          }
          if (d === rank) break;
          const n = shape[d];
          const step = tight || n === 0 ? 1 : [1, 1, 2, -1, -2][g.random.int(5)];
          const extra = tight ? 0 : g.random.int(3);
          const length = (n === 0 ? 0 : (n - 1) * Math.abs(step) + 1) + extra;
          const offset = g.random.int(extra + 1);
          starts.push(n === 0 ? 0 : step > 0 ? offset : length - 1 - offset);
          steps.push(step);
          lengths.push(n);
          into.push(length);
        }
        if (sizeOf(into) > g.maxSize) continue;
        g.push({ op: 'sliceScatter', x, starts, steps, lengths, into });
        return;
      }
      return;
    }
    case 'concat': {
      if (rank === 0) return;
      const axis = c2 % rank;
      const agrees = (s: readonly number[]): boolean =>
        s.length === rank && s.every((d, k) => k === axis || d === shape[k]);
      const fits = Array.from({ length: g.count }, (_, i) => i).filter((i) => agrees(g.shape(i)));
      const parts = [x];
      let total = size;
      for (let count = [2, 3, 2, 1][c3 % 4]; parts.length < count;) {
        // sometimes a constant of another length along the axis
        const other = shape.map((d, k) => (k === axis ? 1 + g.random.int(2) : d));
        const part =
          g.random.int(3) === 0
            ? g.push({ op: 'constant', shape: other, values: g.values(sizeOf(other)) })
            : fits[g.random.int(fits.length)];
        total += sizeOf(g.shape(part));
        if (total > g.maxSize) break;
        parts.splice(g.random.int(parts.length + 1), 0, part);
      }
      g.push({ op: 'concat', xs: parts, axis: (c3 & 4) === 4 ? axis - rank : axis });
      return;
    }
    case 'stack': {
      const same = sameShape(g, shape);
      const parts = [x];
      for (let count = 1 + (c3 % 3); parts.length < count && (parts.length + 1) * size <= g.maxSize;)
        parts.splice(g.random.int(parts.length + 1), 0, same[g.random.int(same.length)]);
      const axis = c2 % (rank + 1);
      g.push({ op: 'stack', xs: parts, axis: (c3 & 4) === 4 ? axis - rank - 1 : axis });
      return;
    }
    case 'split': {
      if (rank === 0) return;
      const axis = c2 % rank;
      const length = shape[axis];
      let sizes: number | number[];
      if ((c3 & 1) === 0) {
        const divisors =
          length === 0 ? [1, 2] : Array.from({ length }, (_, i) => i + 1).filter((d) => length % d === 0);
        sizes = divisors[(c3 >> 1) % divisors.length];
      } else {
        // cuts anywhere, so that pieces may be empty
        const cuts = intsBelow(g, (c3 >> 1) % 3, length + 1).sort((p, q) => p - q);
        sizes = [...cuts, length].map((cut, i) => cut - (i === 0 ? 0 : cuts[i - 1]));
      }
      g.push({ op: 'split', x, sizes, axis: (c3 & 8) === 8 ? axis - rank : axis });
      return;
    }
    case 'unbind': {
      if (rank === 0) return;
      const axis = c2 % rank;
      if (shape[axis] === 0) return;
      g.push({ op: 'unbind', x, axis: (c3 & 1) === 1 ? axis - rank : axis });
      return;
    }
    case 'view': {
      switch (c2 % 4) {
        case 0: {
          const ones = shape.flatMap((d, k) => (d === 1 ? [k] : []));
          const axes = ones.length === 0 || (c3 & 1) === 1 ? null : ones.filter(() => g.random.int(2) === 0);
          g.push({ op: 'squeeze', x, axes: axes?.map((a) => ((c3 & 2) === 2 ? a - rank : a)) ?? null });
          return;
        }
        case 1: {
          if (rank >= 4) return;
          const axis = c3 % (rank + 1);
          g.push({ op: 'unsqueeze', x, axis: (c3 & 8) === 8 ? axis - rank - 1 : axis });
          return;
        }
        case 2: {
          const axes = Math.max(rank, 1);
          const start = c3 % axes;
          const end = start + ((c3 >> 2) % (axes - start));
          g.push({ op: 'flatten', x, start, end: (c3 & 2) === 2 ? end - axes : end });
          return;
        }
        default: {
          const dims = Array.from(g.random.permutation(rank), (d) => ((c3 & 1) === 1 ? d - rank : d));
          g.push({ op: 'permute', x, dims });
          return;
        }
      }
    }
    case 'lstmCell': {
      const cell = gatesOf(g, x, 4, c2);
      if (cell === null) return;
      g.push({ op: 'lstmCell', gates: cell.gates, c: partnerOf(g, [cell.n, cell.h]) });
      return;
    }
    case 'gruCell': {
      const cell = gatesOf(g, x, 3, c2);
      if (cell === null) return;
      const hg = partnerOf(g, [cell.n, 3 * cell.h]);
      g.push({ op: 'gruCell', xg: cell.gates, hg, h: partnerOf(g, [cell.n, cell.h]) });
      return;
    }
    case 'cellGrad': {
      // the fused backward nodes applied forward, so that their own backward (the second derivative) is checked
      const lstm = (c3 & 1) === 0;
      const cell = gatesOf(g, x, lstm ? 4 : 3, c2);
      if (cell === null) return;
      const state = [cell.n, cell.h];
      if (lstm) {
        const [c, dh, dc] = [partnerOf(g, state), partnerOf(g, state), partnerOf(g, state)];
        g.push({ op: 'lstmCellGrad', gates: cell.gates, c, dh, dc });
      } else {
        const hg = partnerOf(g, [cell.n, 3 * cell.h]);
        const [h, dy] = [partnerOf(g, state), partnerOf(g, state)];
        g.push({ op: 'gruCellGrad', xg: cell.gates, hg, h, dy });
      }
      return;
    }
    case 'dropout': {
      if ((c3 & 1) === 0) {
        g.push({ op: 'dropout', x, p: [0.25, 0.5, 0.75][c2 % 3], seed: g.random.int(2 ** 30) });
        return;
      }
      // bernoulli(x) is 1 where x > u for its uniforms u: only where every x is MARGIN from its u
      for (let attempt = 0; attempt < 4; attempt++) {
        const seed = g.random.int(2 ** 30);
        const u = new Generator(seed);
        if (g.data(x).every((p) => Math.abs(p - u.uniform()) >= MARGIN)) {
          g.push({ op: 'bernoulli', x, seed });
          return;
        }
      }
      return;
    }
  }
}
