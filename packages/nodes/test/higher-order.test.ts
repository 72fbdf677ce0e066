import { arbitraries } from '@graphgrad/core/testing';
import { Generator, tensor, type Backend, type FloatDType, type Tensor, broadcastTo } from '@graphgrad/core';
import { describe, expect, it } from 'vitest';
import {
  add,
  Affine,
  binaryCrossEntropyWithLogits,
  branch,
  concat,
  crossEntropy,
  cumsum,
  div,
  erf,
  exp,
  gather,
  gelu,
  indexAdd,
  log,
  log1p,
  logSigmoid,
  logSoftmax,
  logsumexp,
  matmul,
  mean,
  mseLoss,
  mul,
  neg,
  oneHot,
  pow,
  repeat,
  reshape,
  segmentSum,
  Sequential,
  Sigmoid,
  sigmoid,
  slice,
  softmax,
  softmaxWithLoss,
  softplus,
  split,
  sqrt,
  square,
  stack,
  sub,
  sum,
  tanh,
  transpose,
  unbind,
  variance,
  where,
} from '../src/index.ts';
import { testBackends } from '@graphgrad/test-backends';
import fc from 'fast-check';

type Values = Float64Array;

/** Where a computation runs: a backend (default: the default one) and a float dtype (default float64). */
interface Where {
  readonly backend?: Backend;
  readonly dtype?: FloatDType;
}

function leaf(values: Values, shape: readonly number[], { backend, dtype = 'float64' }: Where): Tensor {
  return tensor(values, { shape, dtype, requiresGrad: true, backend });
}

/** ∇f at `point` (one gradient per input), by an ordinary backward. */
async function gradientAt(
  f: (...xs: Tensor[]) => Tensor,
  point: readonly Values[],
  shapes: readonly (readonly number[])[],
): Promise<Values[]> {
  const xs = point.map((v, i) => leaf(v, shapes[i], {}));
  f(...xs).backward();
  return Promise.all(
    xs.map(async (x) => (x.grad === null ? new Float64Array(x.size) : Float64Array.from(await x.grad.data()))),
  );
}

/**
 * The Hessian-vector product H·v of a scalar f at `point`, by double backward: ∇f is computed with
 * `createGraph`, then ⟨∇f, v⟩ is differentiated again.
 */
async function hessianVectorProduct(
  f: (...xs: Tensor[]) => Tensor,
  point: readonly Values[],
  direction: readonly Values[],
  shapes: readonly (readonly number[])[],
  where: Where = {},
): Promise<Values[]> {
  const xs = point.map((v, i) => leaf(v, shapes[i], where));
  f(...xs).backward({ createGraph: true });
  const grads = xs.map((x) => x.grad!);
  xs.forEach((x) => (x.grad = null));
  const vs = direction.map((v, i) =>
    tensor(v, { shape: shapes[i], dtype: where.dtype ?? 'float64', backend: where.backend }),
  );
  grads
    .map((g, i) => sum(mul(g, vs[i])))
    .reduce((a, b) => add(a, b))
    .backward();
  return Promise.all(
    xs.map(async (x) => (x.grad === null ? new Float64Array(x.size) : Float64Array.from(await x.grad.data()))),
  );
}

/** H·v by central differences of first derivatives: (∇f(x + εv) - ∇f(x - εv)) / 2ε. */
async function finiteDifferenceHvp(
  f: (...xs: Tensor[]) => Tensor,
  point: readonly Values[],
  direction: readonly Values[],
  shapes: readonly (readonly number[])[],
): Promise<Values[]> {
  const eps = 1e-6;
  const shifted = (sign: number): Values[] => point.map((p, i) => p.map((x, j) => x + sign * eps * direction[i][j]));
  const [plus, minus] = [await gradientAt(f, shifted(1), shapes), await gradientAt(f, shifted(-1), shapes)];
  return plus.map((g, i) => g.map((x, j) => (x - minus[i][j]) / (2 * eps)));
}

/** The largest violation of |a - b| ≤ atol + rtol·|b| over every element (≤ 0 when all agree). */
function worstMismatch(actual: readonly Values[], expected: readonly Values[], atol = 1e-6, rtol = 1e-5): number {
  let worst = -Infinity;
  actual.forEach((a, i) =>
    a.forEach(
      (x, j) => (worst = Math.max(worst, Math.abs(x - expected[i][j]) - atol - rtol * Math.abs(expected[i][j]))),
    ),
  );
  return worst;
}

/** A node under test: how to draw its inputs (shapes and value ranges) and a function of them. */
interface Case {
  readonly name: string;
  readonly shapes: readonly (readonly number[])[];
  /** Value range of each input (default -2 … 2): log, sqrt and a divisor stay away from 0. */
  readonly ranges?: readonly { min: number; max: number }[];
  readonly f: (...xs: Tensor[]) => Tensor;
}

const labels = tensor([2, 0, 1, 1], { dtype: 'int32' });
const picks = tensor([1, 0, 1], { dtype: 'int32' });
const positive = { min: 0.5, max: 2 };
const anywhere = { min: -2, max: 2 };

/**
 * The chapter-1 nodes (and the rest of the node set), each inside the quadratic Σ w·y² so that the
 * gradient reaching the node depends on its input: then the node's backward rule is itself
 * differentiated, which is what a second derivative needs.
 */
const CASES: readonly Case[] = [
  { name: 'add (distributes)', shapes: [[2, 3], [3]], f: (a, b) => add(a, b) },
  {
    name: 'sub',
    shapes: [
      [2, 3],
      [2, 1],
    ],
    f: (a, b) => sub(a, b),
  },
  {
    name: 'mul (switches)',
    shapes: [
      [2, 3],
      [2, 3],
    ],
    f: (a, b) => mul(a, b),
  },
  { name: 'div', shapes: [[3], [3]], ranges: [anywhere, positive], f: (a, b) => div(a, b) },
  { name: 'neg', shapes: [[4]], f: (x) => neg(x) },
  { name: 'exp', shapes: [[4]], f: (x) => exp(x) },
  { name: 'log', shapes: [[4]], ranges: [positive], f: (x) => log(x) },
  { name: 'sqrt', shapes: [[4]], ranges: [positive], f: (x) => sqrt(x) },
  { name: 'sigmoid', shapes: [[2, 3]], f: (x) => sigmoid(x) },
  { name: 'tanh', shapes: [[2, 3]], f: (x) => tanh(x) },
  {
    name: 'branch (sums the copies)',
    shapes: [[3]],
    f: (x) => {
      const [p, q] = branch(x, 2);
      return mul(sigmoid(p), q);
    },
  },
  {
    name: 'Repeat',
    shapes: [[1, 3]],
    f: (x) => mul(repeat(x, 0, 4), tensor([1, 2, 3, 4], { shape: [4, 1], dtype: 'float64' })),
  },
  { name: 'Sum', shapes: [[3, 2]], f: (x) => mul(sum(x, 0, true), x) },
  { name: 'mean', shapes: [[3, 2]], f: (x) => mul(mean(x, 1, true), x) },
  { name: 'broadcastTo', shapes: [[2, 1]], f: (x) => broadcastTo(x, [2, 3]) },
  { name: 'reshape', shapes: [[2, 3]], f: (x) => mul(reshape(x, [3, 2]), reshape(x, [3, 2])) },
  { name: 'transpose', shapes: [[2, 3]], f: (x) => matmul(transpose(x), x) },
  {
    name: 'MatMul',
    shapes: [
      [2, 3],
      [3, 4],
    ],
    f: (a, b) => matmul(a, b),
  },
  {
    name: 'MatMul with transposes',
    shapes: [
      [3, 2],
      [4, 3],
    ],
    f: (a, b) => matmul(a, b, { transposeA: true, transposeB: true }),
  },
  { name: 'Softmax', shapes: [[2, 3]], f: (x) => softmax(x) },
  { name: 'Softmax along axis 0', shapes: [[3, 2]], f: (x) => softmax(x, 0) },
  { name: 'SoftmaxWithLoss (class indices)', shapes: [[4, 3]], f: (x) => softmaxWithLoss(x, labels) },
  {
    name: 'SoftmaxWithLoss (one-hot rows)',
    shapes: [[4, 3]],
    f: (x) => softmaxWithLoss(x, oneHot(labels, 3, 'float64')),
  },
  { name: 'gather', shapes: [[2, 3]], f: (x) => gather(x, picks) },
  { name: 'gather along axis 1', shapes: [[2, 3]], f: (x) => gather(x, picks, 1) },
  { name: 'segmentSum', shapes: [[3, 2]], f: (v) => segmentSum(v, picks, 2) },
  {
    name: 'indexAdd',
    shapes: [
      [2, 3],
      [3, 3],
    ],
    f: (x, v) => indexAdd(x, 0, picks, v),
  },
  {
    name: 'MatMul batched, a weight shared by the batch',
    shapes: [
      [2, 2, 3],
      [3, 2],
    ],
    f: (a, b) => matmul(a, b),
  },
  {
    name: 'MatMul batched, both operands broadcast, with transposes',
    shapes: [
      [2, 1, 3, 2],
      [3, 2, 3],
    ],
    f: (a, b) => matmul(a, b, { transposeA: true, transposeB: true }),
  },
  {
    name: 'slice (its backward, SliceScatter, differentiated in turn)',
    shapes: [[3, 4]],
    f: (x) =>
      add(
        slice(x, [null, [1, null]]),
        slice(x, [
          [null, null, -1],
          [null, 3],
        ]),
      ),
  },
  {
    name: 'concat and split',
    shapes: [
      [2, 3],
      [2, 1],
    ],
    f: (a, b) => {
      const [p, q] = split(concat([a, b], 1), [1, 3], 1);
      return mul(p, sum(q, 1, true));
    },
  },
  {
    name: 'stack and unbind',
    shapes: [[2, 3]],
    f: (x) => {
      const [r0, r1] = unbind(x);
      return stack([mul(r0, r1), r1], 1);
    },
  },
  ...mathCases(),
];

/**
 * The activations, elementwise ops, reductions and losses that are smooth wherever the values are
 * drawn (maximum and norm are not: the arbitraries draw ties and zero rows).
 */
function mathCases(): Case[] {
  const ids = tensor([2, -100, 1, 0], { dtype: 'int32' });
  const mask = tensor([1, 0, 0, 1, 1, 0], { shape: [2, 3], dtype: 'float64' });
  return [
    { name: 'gelu', shapes: [[2, 3]], f: (x) => gelu(x) },
    { name: 'gelu (tanh approximation)', shapes: [[2, 3]], f: (x) => gelu(x, { approximate: 'tanh' }) },
    { name: 'softplus', shapes: [[2, 3]], f: (x) => softplus(x, { beta: 2 }) },
    { name: 'logSigmoid', shapes: [[2, 3]], f: (x) => logSigmoid(x) },
    { name: 'erf', shapes: [[4]], f: (x) => erf(x) },
    { name: 'log1p', shapes: [[4]], ranges: [positive], f: (x) => log1p(x) },
    { name: 'square', shapes: [[4]], f: (x) => square(x) },
    { name: 'pow', shapes: [[3], [3]], ranges: [positive, anywhere], f: (a, b) => pow(a, b) },
    { name: 'where', shapes: [[2, 3], [3]], f: (a, b) => where(mask, a, b) },
    { name: 'logsumexp', shapes: [[2, 3]], f: (x) => logsumexp(x, 1) },
    { name: 'logSoftmax', shapes: [[2, 3]], f: (x) => logSoftmax(x, 0) },
    { name: 'cumsum', shapes: [[2, 3]], f: (x) => cumsum(x, 1, { reverse: true }) },
    { name: 'variance', shapes: [[2, 3]], f: (x) => variance(x, 1) },
    {
      name: 'crossEntropy (ignored targets, label smoothing)',
      shapes: [[4, 3]],
      f: (x) => crossEntropy(x, ids, { labelSmoothing: 0.1 }),
    },
    {
      name: 'binaryCrossEntropyWithLogits',
      shapes: [
        [2, 3],
        [2, 3],
      ],
      ranges: [anywhere, { min: 0, max: 1 }],
      f: (x, t) => binaryCrossEntropyWithLogits(x, t, { posWeight: 2 }),
    },
    {
      name: 'mseLoss',
      shapes: [
        [2, 3],
        [2, 3],
      ],
      f: (a, b) => mseLoss(a, b),
    },
  ];
}

/** Σ w·y² with fixed weights w: a scalar whose Hessian involves both y's first and second derivatives. */
function quadratic(y: Tensor): Tensor {
  const generator = new Generator(11);
  const w = tensor(
    Float64Array.from({ length: y.size }, () => generator.normal()),
    { shape: y.shape, dtype: 'float64', backend: y.backend },
  );
  return sum(mul(w, mul(y, y)));
}

describe('second derivatives by backward({ createGraph: true })', () => {
  it('differentiates x³ twice and three times', async () => {
    const x = tensor([0.5, -2], { dtype: 'float64', requiresGrad: true });
    sum(mul(mul(x, x), x)).backward({ createGraph: true });
    const first = x.grad!;
    expect(Array.from(await first.data())).toEqual([0.75, 12]); // 3x²
    x.grad = null;
    sum(first).backward({ createGraph: true });
    const second = x.grad!;
    expect(Array.from(await second.data())).toEqual([3, -12]); // 6x
    x.grad = null;
    sum(second).backward();
    expect(Array.from(await x.grad!.data())).toEqual([6, 6]);
  });

  it('keeps the graph for another backward, and accumulates recorded gradients', async () => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const y = sum(mul(x, mul(x, x)));
    y.backward({ createGraph: true });
    y.backward({ createGraph: true }); // the graph was kept: createGraph implies retainGraph
    const twice = x.grad!;
    expect(Array.from(await twice.data())).toEqual([6, 24]); // 2·3x²
    x.grad = null;
    sum(twice).backward();
    expect(Array.from(await x.grad!.data())).toEqual([12, 24]); // 2·6x
  });

  it("gives sigmoid''(x) = s(1 - s)(1 - 2s)", async () => {
    const xs = [-3, -0.5, 0, 0.7, 4];
    const x = tensor(xs, { dtype: 'float64', requiresGrad: true });
    sum(sigmoid(x)).backward({ createGraph: true });
    const first = x.grad!;
    x.grad = null;
    sum(first).backward();
    const expected = xs.map((v) => {
      const s = 1 / (1 + Math.exp(-v));
      return s * (1 - s) * (1 - 2 * s);
    });
    const actual = Array.from(await x.grad!.data());
    actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i], 14));
  });

  it.each(CASES)('$name: H·v matches finite differences of first derivatives', async ({ shapes, ranges, f }) => {
    const g = (...xs: Tensor[]): Tensor => quadratic(f(...xs));
    const size = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);
    const points = fc.tuple(...shapes.map((s, i) => arbitraries.values(size(s), ranges?.[i] ?? anywhere)));
    const directions = fc.tuple(...shapes.map((s) => arbitraries.values(size(s), anywhere)));
    await fc.assert(
      fc.asyncProperty(points, directions, async (point, direction) => {
        const exact = await hessianVectorProduct(g, point, direction, shapes);
        const numeric = await finiteDifferenceHvp(g, point, direction, shapes);
        expect(worstMismatch(exact, numeric)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 15, seed: 3 },
    );
  });
});

/** The book's two-layer net and its loss as a function of the parameters (float64 on the default backend unless told). */
function twoLayerNet({ backend, dtype = 'float64' }: Where = {}): {
  shapes: number[][];
  point: Values[];
  loss: (...params: Tensor[]) => Tensor;
} {
  const [N, I, H, O] = [12, 2, 10, 3];
  const generator = new Generator(5);
  const draw = (n: number, scale: number): Values => Float64Array.from({ length: n }, () => scale * generator.normal());
  // float32 values, so that the float32 runs below see exactly the data the float64 one does.
  const x = tensor(draw(N * I, 1).map(Math.fround), { shape: [N, I], dtype, backend });
  const t = oneHot(
    tensor(
      Array.from({ length: N }, (_, i) => i % O),
      { dtype: 'int32', backend },
    ),
    O,
    dtype,
  );
  const shapes = [[I, H], [H], [H, O], [O]];
  // Weights larger than the book's 0.01 so the sigmoid works in its curved part, where a wrong
  // second derivative would show.
  const point = [draw(I * H, 0.8), draw(H, 0.3), draw(H * O, 0.8), draw(O, 0.3)];
  const loss = (W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor): Tensor =>
    softmaxWithLoss(new Sequential([new Affine(W1, b1), new Sigmoid(), new Affine(W2, b2)]).forward(x), t);
  return { shapes, point, loss: loss };
}

describe("the two-layer net's loss", () => {
  it('has a Hessian-vector product that matches finite differences of its gradients', async () => {
    const { shapes, point, loss } = twoLayerNet();
    const generator = new Generator(9);
    const direction = shapes.map((s) =>
      Float64Array.from({ length: s.reduce((n, d) => n * d, 1) }, () => generator.normal()),
    );
    const exact = await hessianVectorProduct(loss, point, direction, shapes);
    const numeric = await finiteDifferenceHvp(loss, point, direction, shapes);
    expect(worstMismatch(exact, numeric)).toBeLessThanOrEqual(0);
    expect(Math.max(...exact.map((h) => Math.max(...h.map(Math.abs))))).toBeGreaterThan(1e-3);
  });

  it('has a symmetric Hessian: uᵀ·H·v = vᵀ·H·u', async () => {
    const { shapes, point, loss } = twoLayerNet();
    const generator = new Generator(13);
    const draw = (): Values[] =>
      shapes.map((s) => Float64Array.from({ length: s.reduce((n, d) => n * d, 1) }, () => generator.normal()));
    const [u, v] = [draw(), draw()];
    const dot = (a: Values[], b: Values[]): number =>
      a.reduce((total, ai, i) => total + ai.reduce((s, x, j) => s + x * b[i][j], 0), 0);
    const uHv = dot(u, await hessianVectorProduct(loss, point, v, shapes));
    const vHu = dot(v, await hessianVectorProduct(loss, point, u, shapes));
    expect(Math.abs(uHv - vHu)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(uHv)));
  });
});

/**
 * The same Hessian-vector product in float32, on the CPU and on the WebGPU backend, against the
 * float64 CPU result (itself checked against finite differences above) at the same float32 point.
 * Both float32 runs must agree with it to float32 accuracy: the bound is a thousand float32 ulps
 * of the product's largest entry, the rounding of a few hundred float32 operations.
 */
describe.each(await testBackends())(
  "the two-layer net's Hessian-vector product on $name float32",
  ({ backend, reason }) => {
    it.skipIf(reason !== null)('matches the float64 CPU product to float32 accuracy', async () => {
      const { shapes, point, loss } = twoLayerNet();
      const generator = new Generator(17);
      const direction = shapes.map((s) =>
        Float64Array.from({ length: s.reduce((n, d) => n * d, 1) }, () => Math.fround(generator.normal())),
      );
      const rounded = point.map((p) => p.map(Math.fround));
      const oracle = await hessianVectorProduct(loss, rounded, direction, shapes);
      const where = { backend: backend!, dtype: 'float32' } as const;
      const single = await hessianVectorProduct(twoLayerNet(where).loss, rounded, direction, shapes, where);
      const scale = Math.max(...oracle.map((h) => Math.max(...h.map(Math.abs))));
      expect(worstMismatch(single, oracle, 1000 * 2 ** -23 * scale, 0)).toBeLessThanOrEqual(0);
    });
  },
);
