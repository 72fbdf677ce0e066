// The book's identities between nodes, compared bit for bit: Repeat's backward is Sum, Sum's
// backward is Repeat, branching sums gradients exactly as implicit reuse does, and a bias added by
// broadcasting gets the same gradient as a bias Repeated over the batch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraries } from '@graphgrad/core/testing';
import { randn, tensor, zeros, type Tensor, broadcastTo } from '@graphgrad/core';
import { add, branch, exp, matmul, mul, repeat, reshape, sigmoid, softmaxWithLoss, sum, tanh } from '../src/index.ts';

const NUM_RUNS = 40;

/** A float64 leaf that requires a gradient, holding `x`'s values. */
const leaf = (x: Tensor): Tensor => tensor(x.dataSync(), { shape: x.shape, dtype: x.dtype, requiresGrad: true });
const bits = (t: Tensor | null): number[] => Array.from(t!.dataSync());

describe("Repeat's backward is Sum", () => {
  it('the book’s case: a [1, D] row repeated N times gets sum(dy, 0, keepDims)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 6 })
          .chain((d) => fc.tuple(arbitraries.tensorOf([1, d]), fc.integer({ min: 1, max: 8 }))),
        fc.integer(),
        ([b, n], seed) => {
          const x = leaf(b);
          const dy = randn([n, b.shape[1]], { seed, dtype: 'float64' });
          repeat(x, 0, n).backward(dy);
          expect(x.grad!.shape).toEqual([1, b.shape[1]]);
          expect(bits(x.grad)).toEqual(bits(sum(dy, 0, true)));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('along any axis: the gradient is dy summed over each element’s copies', () => {
    fc.assert(
      fc.property(
        arbitraries
          .shape({ minRank: 1 })
          .chain((s) =>
            fc.tuple(
              arbitraries.tensorOf(s),
              fc.integer({ min: 0, max: s.length - 1 }),
              fc.integer({ min: 1, max: 4 }),
            ),
          ),
        fc.integer(),
        ([x0, axis, times], seed) => {
          const x = leaf(x0);
          const y = repeat(x, axis, times);
          const dy = randn(y.shape, { seed, dtype: 'float64' });
          y.backward(dy);
          // numpy.repeat puts the copies of an element next to each other along `axis`.
          const copies = [...x.shape.slice(0, axis + 1), times, ...x.shape.slice(axis + 1)];
          expect(bits(x.grad)).toEqual(bits(sum(reshape(dy, copies), axis + 1)));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe("Sum's backward is Repeat", () => {
  it('the book’s case: summing [N, D] over axis 0 gives every row the gradient, repeat(dy, 0, N)', () => {
    fc.assert(
      fc.property(arbitraries.tensorOf(arbitraries.shape({ minRank: 2, maxRank: 2 })), fc.integer(), (x0, seed) => {
        const x = leaf(x0);
        const dy = randn([1, x.shape[1]], { seed, dtype: 'float64' });
        sum(x, 0, true).backward(dy);
        expect(bits(x.grad)).toEqual(bits(repeat(dy, 0, x.shape[0])));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('over any axes, keepDims or not: dy repeated along each summed axis', () => {
    fc.assert(
      fc.property(
        arbitraries
          .shape()
          .chain((s) => fc.tuple(arbitraries.tensorOf(s), fc.subarray(s.map((_, i) => i)), fc.boolean())),
        fc.integer(),
        ([x0, axes, keepDims], seed) => {
          const x = leaf(x0);
          const y = sum(x, axes, keepDims);
          const dy = randn(y.shape, { seed, dtype: 'float64' });
          y.backward(dy);
          const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
          const repeated = axes.reduce((t, a) => repeat(t, a, x.shape[a]), reshape(dy, kept));
          expect(bits(x.grad)).toEqual(bits(repeated));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

/** Functions of one tensor, each using its argument once. */
const CONSUMERS: readonly ((t: Tensor) => Tensor)[] = [
  tanh,
  (t) => mul(exp(t), 0.7),
  sigmoid,
  (t) => mul(t, 3.25),
  (t) => exp(mul(t, -0.5)),
];

describe('branch(x, n) gives exactly the gradients implicit reuse gives', () => {
  it('for any n, any consumers and any order of combining them', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((n) =>
          fc.tuple(
            arbitraries.tensorOf(arbitraries.shape()),
            fc.array(fc.integer({ min: 0, max: CONSUMERS.length - 1 }), { minLength: n, maxLength: n }),
            fc.shuffledSubarray(
              Array.from({ length: n }, (_, i) => i),
              { minLength: n, maxLength: n },
            ),
          ),
        ),
        ([x0, consumers, order]) => {
          const combine = (uses: Tensor[]): Tensor => {
            const terms = uses.map((u, i) => CONSUMERS[consumers[i]](u));
            return sum(order.map((i) => terms[i]).reduce((total, t) => add(total, t)));
          };
          const explicit = leaf(x0);
          combine(branch(explicit, consumers.length)).backward();
          const implicit = leaf(x0);
          combine(consumers.map(() => implicit)).backward();
          expect(bits(explicit.grad)).toEqual(bits(implicit.grad));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('the book’s example: h used by two layers', () => {
    const x = randn([4, 3], { seed: 1, dtype: 'float64' });
    const W = randn([3, 3], { seed: 2, dtype: 'float64' });
    const run = (useBranch: boolean): number[] => {
      const h = leaf(x);
      const [h1, h2] = useBranch ? branch(h, 2) : [h, h];
      sum(add(matmul(tanh(h1), W), sigmoid(h2))).backward();
      return bits(h.grad);
    };
    expect(run(true)).toEqual(run(false));
  });

  it('unused copies contribute nothing', () => {
    const x = leaf(tensor([0.5, -1, 2], { dtype: 'float64' }));
    const [a] = branch(x, 4);
    sum(mul(a, 3)).backward();
    expect(bits(x.grad)).toEqual([3, 3, 3]);
  });

  it('a copy used twice agrees to rounding (its two gradients are added first)', () => {
    const x0 = randn([5], { seed: 3, dtype: 'float64' });
    const explicit = leaf(x0);
    const [a, b] = branch(explicit, 2);
    sum(add(mul(a, a), tanh(b))).backward();
    const implicit = leaf(x0);
    sum(add(mul(implicit, implicit), tanh(implicit))).backward();
    const e = bits(explicit.grad);
    bits(implicit.grad).forEach((v, i) => expect(e[i]).toBeCloseTo(v, 14));
  });
});

describe('a tensor used twice accumulates both gradients', () => {
  it('x·x gives 2x', () => {
    fc.assert(
      fc.property(arbitraries.tensorOf(arbitraries.shape()), (x0) => {
        const x = leaf(x0);
        sum(mul(x, x)).backward();
        expect(bits(x.grad)).toEqual(bits(x0).map((v) => 2 * v));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('f(x) + g(x) gets exactly the sum of the gradients of f and g taken apart', () => {
    fc.assert(
      fc.property(
        arbitraries.tensorOf(arbitraries.shape()),
        fc.integer({ min: 0, max: CONSUMERS.length - 1 }),
        fc.integer({ min: 0, max: CONSUMERS.length - 1 }),
        (x0, i, j) => {
          const [f, g] = [CONSUMERS[i], CONSUMERS[j]];
          const both = leaf(x0);
          sum(add(f(both), g(both))).backward();
          const onlyF = leaf(x0);
          sum(f(onlyF)).backward();
          const onlyG = leaf(x0);
          sum(g(onlyG)).backward();
          const separate = bits(onlyF.grad).map((v, k) => v + bits(onlyG.grad)[k]);
          // the engine adds g's gradient to f's (the later consumer is processed first)
          const flipped = bits(onlyG.grad).map((v, k) => v + bits(onlyF.grad)[k]);
          expect(bits(both.grad)).toEqual(separate);
          expect(bits(both.grad)).toEqual(flipped);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('a bias: Repeat over the batch and broadcasting agree', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`add(matmul(x, W), repeat(b, 0, N)) and add(matmul(x, W), b) give the same gradients (${dtype})`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 30 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 10 }),
          fc.integer(),
          fc.boolean(),
          (n, i, h, seed, rowBias) => {
            const x = randn([n, i], { seed, dtype });
            const labels = tensor(
              Array.from({ length: n }, (_, k) => k % h),
              { dtype: 'int32' },
            );
            const run = (bias: 'repeat' | 'broadcast' | 'broadcastTo'): number[][] => {
              const W = randn([i, h], { seed: seed + 1, dtype, requiresGrad: true });
              const b = rowBias
                ? randn([1, h], { seed: seed + 2, dtype, requiresGrad: true })
                : zeros([h], { dtype, requiresGrad: true });
              const b2 = rowBias ? b : reshape(b, [1, h]);
              const biasTerm =
                bias === 'repeat' ? repeat(b2, 0, n) : bias === 'broadcastTo' ? broadcastTo(b, [n, h]) : b;
              softmaxWithLoss(sigmoid(add(matmul(x, W), biasTerm)), labels).backward();
              expect(b.grad!.shape).toEqual(b.shape);
              return [bits(b.grad), bits(W.grad)];
            };
            const repeated = run('repeat');
            expect(run('broadcast')).toEqual(repeated);
            expect(run('broadcastTo')).toEqual(repeated);
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });
  }
});
