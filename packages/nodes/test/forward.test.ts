// Forward values against hand-computed numbers and against an independent reference written with
// plain loops (support/reference.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraries } from '@graphgrad/core/testing';
import { tensor, type Tensor, broadcastTo, sumTo } from '@graphgrad/core';
import {
  abs,
  add,
  argmax,
  branch,
  cast,
  div,
  exp,
  gather,
  greater,
  log,
  matmul,
  mean,
  mul,
  neg,
  oneHot,
  repeat,
  reshape,
  sigmoid,
  softmax,
  softmaxWithLoss,
  sqrt,
  sub,
  sum,
  tanh,
  transpose,
} from '../src/index.ts';
import * as ref from './support/reference.ts';

const NUM_RUNS = 40;

const f64 = (values: number[] | number[][] | number[][][], shape?: number[]): Tensor =>
  tensor(values, { dtype: 'float64', shape });
const int32 = (values: number[] | number[][]): Tensor => tensor(values, { dtype: 'int32' });
const toRef = (t: Tensor): ref.Ref => ({ shape: [...t.shape], data: Array.from(t.dataSync()) });

/** Same shape, and every element within rtol (relative) of the reference, or equal when rtol is 0. */
function expectClose(actual: Tensor, expected: ref.Ref, rtol = 0): void {
  expect(actual.shape).toEqual(expected.shape);
  const got = Array.from(actual.dataSync());
  if (rtol === 0) {
    expect(got).toEqual(expected.data);
    return;
  }
  got.forEach((v, i) => {
    const want = expected.data[i];
    expect(Math.abs(v - want), `element ${i}: ${v} vs ${want}`).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(want)));
  });
}

const shaped = (opts: { min?: number; max?: number } = {}) => arbitraries.tensorOf(arbitraries.shape(), opts);

describe('elementwise unary nodes', () => {
  const cases: [string, (x: Tensor) => Tensor, (v: number) => number, { min?: number; max?: number }][] = [
    ['neg', neg, (v) => -v, {}],
    ['exp', exp, Math.exp, {}],
    ['log', log, Math.log, { min: 1e-3, max: 5 }],
    ['sqrt', sqrt, Math.sqrt, { min: 0, max: 5 }],
    ['abs', abs, Math.abs, {}],
    ['tanh', tanh, Math.tanh, {}],
  ];
  for (const [name, node, f, values] of cases) {
    it(`${name} applies ${name} to every element`, () => {
      fc.assert(
        fc.property(shaped(values), (x) => {
          const r = toRef(x);
          expectClose(node(x), { shape: r.shape, data: r.data.map(f) });
        }),
        { numRuns: NUM_RUNS },
      );
    });
  }

  it('sigmoid is 1 / (1 + e^-x)', () => {
    fc.assert(
      fc.property(shaped({ min: -20, max: 20 }), (x) => {
        const r = toRef(x);
        expectClose(sigmoid(x), { shape: r.shape, data: r.data.map((v) => 1 / (1 + Math.exp(-v))) }, 1e-15);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('sigmoid stays finite at ±1e3, in both dtypes, forward and backward', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor([1e3, -1e3, 0], { dtype, requiresGrad: true });
      const y = sigmoid(x);
      expect(Array.from(y.dataSync())).toEqual([1, 0, 0.5]);
      sum(y).backward();
      expect(Array.from(x.grad!.dataSync())).toEqual([0, 0, 0.25]);
    }
  });

  it('log 0 is -Infinity and special values pass through exp', () => {
    expect(Array.from(log(f64([0, 1])).dataSync())).toEqual([Number.NEGATIVE_INFINITY, 0]);
    expect(Array.from(exp(f64([Number.NEGATIVE_INFINITY, 0])).dataSync())).toEqual([0, 1]);
  });
});

describe('elementwise binary nodes broadcast numpy’s way', () => {
  it('by hand: a row added to every row, a column times a row (outer product)', () => {
    expect(
      add(
        f64([
          [1, 2],
          [3, 4],
        ]),
        f64([10, 20]),
      ).dataSync(),
    ).toEqual(Float64Array.from([11, 22, 13, 24]));
    const outer = mul(f64([[1], [2], [3]]), f64([[10, 20]]));
    expect(outer.shape).toEqual([3, 2]);
    expect(Array.from(outer.dataSync())).toEqual([10, 20, 20, 40, 30, 60]);
    const scalar = sub(f64([[1, 2]]), tensor(5, { dtype: 'float64' }));
    expect(Array.from(scalar.dataSync())).toEqual([-4, -3]);
    expect(add(f64([[1, 2, 3]]), f64([[[1]], [[2]]])).shape).toEqual([2, 1, 3]);
  });

  it('by hand: number operands take the tensor’s dtype', () => {
    const x = f64([1, 2, 4]);
    expect(Array.from(sub(1, x).dataSync())).toEqual([0, -1, -3]);
    expect(Array.from(div(x, 2).dataSync())).toEqual([0.5, 1, 2]);
    expect(Array.from(div(1, x).dataSync())).toEqual([1, 0.5, 0.25]);
    expect(mul(x, 3).dtype).toBe('float64');
    expect(mul(tensor([1, 2]), 0.1).dtype).toBe('float32');
    expect(mul(tensor([1, 2]), 0.1).dataSync()[0]).toBe(Math.fround(0.1));
  });

  const ops: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
    ['add', add, (x, y) => x + y],
    ['sub', sub, (x, y) => x - y],
    ['mul', mul, (x, y) => x * y],
    ['div', div, (x, y) => x / y],
    ['greater', greater, (x, y) => (x > y ? 1 : 0)],
  ];
  for (const [name, node, f] of ops) {
    it(`${name} matches the reference over random broadcasting pairs`, () => {
      fc.assert(
        fc.property(
          arbitraries
            .broadcastPair()
            .chain(([sa, sb]) => fc.tuple(arbitraries.tensorOf(sa), arbitraries.tensorOf(sb, { min: 0.5, max: 3 }))),
          ([a, b]) => expectClose(node(a, b), ref.binary(toRef(a), toRef(b), f)),
        ),
        { numRuns: NUM_RUNS },
      );
    });
  }
});

describe('matmul', () => {
  it('by hand', () => {
    const y = matmul(
      f64([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      f64([
        [1, 0, -1],
        [2, 1, 0],
      ]),
    );
    expect(y.shape).toEqual([3, 3]);
    expect(Array.from(y.dataSync())).toEqual([5, 2, -1, 11, 4, -3, 17, 6, -5]);
  });

  for (const [transposeA, transposeB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]) {
    it(`matches the triple loop with transposeA=${transposeA} transposeB=${transposeB}`, () => {
      fc.assert(
        fc.property(
          arbitraries
            .matmulShapes(6)
            .chain(([[m, k], [, n]]) =>
              fc.tuple(
                arbitraries.tensorOf(transposeA ? [k, m] : [m, k]),
                arbitraries.tensorOf(transposeB ? [n, k] : [k, n]),
              ),
            ),
          ([a, b]) => {
            const left = transposeA ? ref.transpose(toRef(a)) : toRef(a);
            const right = transposeB ? ref.transpose(toRef(b)) : toRef(b);
            expectClose(matmul(a, b, { transposeA, transposeB }), ref.matmul(left, right), 1e-13);
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });
  }
});

describe('reductions', () => {
  it('sum and mean by hand', () => {
    const x = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(sum(x).itemSync()).toBe(21);
    expect(sum(x).shape).toEqual([]);
    expect(Array.from(sum(x, 0).dataSync())).toEqual([5, 7, 9]);
    expect(sum(x, 0, true).shape).toEqual([1, 3]);
    expect(Array.from(sum(x, -1).dataSync())).toEqual([6, 15]);
    expect(sum(x, [0, 1], true).shape).toEqual([1, 1]);
    expect(mean(x).itemSync()).toBe(3.5);
    expect(Array.from(mean(x, 1).dataSync())).toEqual([2, 5]);
    expect(mean(x, 0, true).shape).toEqual([1, 3]);
  });

  it('sum matches the reference over random axes, keepDims both ways', () => {
    fc.assert(
      fc.property(
        arbitraries
          .shape({ maxRank: 4 })
          .chain((s) =>
            fc.tuple(
              arbitraries.tensorOf(s),
              fc.option(fc.subarray(s.map((_, i) => i)), { nil: undefined }),
              fc.boolean(),
            ),
          ),
        ([x, axes, keepDims]) => {
          expectClose(sum(x, axes, keepDims), ref.sum(toRef(x), axes, keepDims), 1e-13);
          const r = ref.sum(toRef(x), axes, keepDims);
          const count = x.size / Math.max(1, r.data.length);
          expectClose(mean(x, axes, keepDims), { shape: r.shape, data: r.data.map((v) => v / count) }, 1e-13);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('sumTo sums a broadcast back to the smaller shape', () => {
    fc.assert(
      fc.property(
        arbitraries.broadcastPair().chain(([a, b]) => {
          const [small, big] = ref.broadcastShape(a, b)!.join() === a.join() ? [b, a] : [a, b];
          return fc.tuple(arbitraries.tensorOf(big), fc.constant(small));
        }),
        ([x, small]) => {
          // Summing the broadcast axes is the same as summing with keepDims and dropping leading axes.
          const lead = x.rank - small.length;
          const axes = x.shape.flatMap((d, i) => (i < lead || (small[i - lead] === 1 && d !== 1) ? [i] : []));
          const r = ref.sum(toRef(x), axes, true);
          expectClose(sumTo(x, small), { shape: small, data: r.data }, 1e-13);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('repeat has numpy.repeat semantics', () => {
  it('by hand', () => {
    const x = f64([
      [1, 2],
      [3, 4],
    ]);
    // numpy.repeat(x, 2, axis=0) and axis=1
    expect(repeat(x, 0, 2).shape).toEqual([4, 2]);
    expect(Array.from(repeat(x, 0, 2).dataSync())).toEqual([1, 2, 1, 2, 3, 4, 3, 4]);
    expect(Array.from(repeat(x, 1, 2).dataSync())).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(Array.from(repeat(x, -1, 3).dataSync())).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    // numpy.repeat(x, 0, axis=0) is empty along that axis
    expect(repeat(x, 0, 0).shape).toEqual([0, 2]);
    // the book's Repeat: a [1, D] row copied to [N, D]
    const b = f64([[7, 8, 9]]);
    expect(Array.from(repeat(b, 0, 3).dataSync())).toEqual([7, 8, 9, 7, 8, 9, 7, 8, 9]);
  });

  it('matches the reference over random shapes, axes and counts', () => {
    fc.assert(
      fc.property(
        arbitraries
          .shape({ minRank: 1, maxRank: 4 })
          .chain((s) =>
            fc.tuple(
              arbitraries.tensorOf(s),
              fc.integer({ min: -s.length, max: s.length - 1 }),
              fc.integer({ min: 0, max: 4 }),
            ),
          ),
        ([x, axis, times]) => expectClose(repeat(x, axis, times), ref.repeat(toRef(x), axis, times)),
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('layout nodes', () => {
  it('broadcastTo matches the reference', () => {
    fc.assert(
      fc.property(
        arbitraries.broadcastPair().chain(([a, b]) => {
          const [small, big] = ref.broadcastShape(a, b)!.join() === a.join() ? [b, a] : [a, b];
          return fc.tuple(arbitraries.tensorOf(small), fc.constant(big));
        }),
        ([x, big]) => expectClose(broadcastTo(x, big), ref.broadcastTo(toRef(x), big)),
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('transpose matches the reference for random permutations', () => {
    fc.assert(
      fc.property(
        arbitraries.shape({ maxRank: 4 }).chain((s) =>
          fc.tuple(
            arbitraries.tensorOf(s),
            fc.shuffledSubarray(
              s.map((_, i) => i),
              { minLength: s.length, maxLength: s.length },
            ),
          ),
        ),
        ([x, perm]) => {
          expectClose(transpose(x, perm), ref.transpose(toRef(x), perm));
          expectClose(transpose(x), ref.transpose(toRef(x)));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('reshape keeps row-major order, also of a transposed (non-contiguous) view', () => {
    const x = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(reshape(x, [3, -1]).shape).toEqual([3, 2]);
    expect(Array.from(reshape(x, [3, 2]).dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(reshape(transpose(x), [6]).dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(reshape(x, [1, 6, 1]).shape).toEqual([1, 6, 1]);
    expect(reshape(f64([5]), []).shape).toEqual([]);
  });

  it('branch gives n tensors equal to x', () => {
    const x = f64([
      [1, 2],
      [3, 4],
    ]);
    const copies = branch(x, 3);
    expect(copies).toHaveLength(3);
    for (const c of copies) expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4]);
  });

  it('gather picks rows, repeats allowed, output [...indices.shape, ...x.shape.slice(1)]', () => {
    const x = f64([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const y = gather(
      x,
      int32([
        [2, 0],
        [2, 2],
      ]),
    );
    expect(y.shape).toEqual([2, 2, 2]);
    expect(Array.from(y.dataSync())).toEqual([5, 6, 1, 2, 5, 6, 5, 6]);
  });

  it('cast converts dtypes (float to int32 truncates toward zero)', () => {
    expect(Array.from(cast(f64([1.7, -1.7, 2.5]), 'int32').dataSync())).toEqual([1, -1, 2]);
    const single = cast(f64([0.1]), 'float32');
    expect(single.dtype).toBe('float32');
    expect(single.dataSync()[0]).toBe(Math.fround(0.1));
    expect(Array.from(cast(int32([3, -2]), 'float64').dataSync())).toEqual([3, -2]);
  });

  it('oneHot sets a 1 at each class', () => {
    const rows = oneHot(int32([0, 2, 1]), 3, 'float64');
    expect(rows.shape).toEqual([3, 3]);
    expect(Array.from(rows.dataSync())).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0]);
  });
});

describe('softmax', () => {
  it('by hand', () => {
    const y = softmax(
      f64([
        [0, Math.log(3)],
        [1, 1],
      ]),
    );
    const v = Array.from(y.dataSync());
    [0.25, 0.75, 0.5, 0.5].forEach((want, i) => expect(v[i]).toBeCloseTo(want, 15));
  });

  it('matches the reference along a random axis, and sums to 1 along it', () => {
    fc.assert(
      fc.property(
        arbitraries
          .shape({ minRank: 1, maxRank: 4 })
          .chain((s) =>
            fc.tuple(arbitraries.tensorOf(s, { min: -10, max: 10 }), fc.integer({ min: -s.length, max: s.length - 1 })),
          ),
        ([x, axis]) => {
          const y = softmax(x, axis);
          expectClose(y, ref.softmax(toRef(x), axis), 1e-14);
          const totals = ref.sum(toRef(y), [axis]);
          totals.data.forEach((t) => expect(t).toBeCloseTo(1, 14));
          expect(Array.from(y.dataSync()).every((p) => p >= 0 && p <= 1)).toBe(true);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('is stable at logits ±1e4 (float32 and float64), forward and backward', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor(
        [
          [1e4, 0, -1e4],
          [1e4, 1e4, -1e4],
          [-1e4, -1e4 + 1, -1e4],
        ],
        { dtype, requiresGrad: true },
      );
      const y = softmax(x);
      const v = Array.from(y.dataSync());
      expect(v.every(Number.isFinite)).toBe(true);
      expect(v.slice(0, 6)).toEqual([1, 0, 0, 0.5, 0.5, 0]);
      const e = Math.E;
      const tol = dtype === 'float32' ? 6 : 14;
      [1 / (2 + e), e / (2 + e), 1 / (2 + e)].forEach((want, i) => expect(v[6 + i]).toBeCloseTo(want, tol));
      sum(mul(y, tensor([1, 2, 3], { dtype }))).backward();
      expect(Array.from(x.grad!.dataSync()).every(Number.isFinite)).toBe(true);
    }
  });
});

describe('softmaxWithLoss', () => {
  it('is log C for equal logits', () => {
    const loss = softmaxWithLoss(
      f64([
        [0, 0, 0, 0],
        [5, 5, 5, 5],
      ]),
      int32([1, 3]),
    );
    expect(loss.shape).toEqual([]);
    expect(loss.itemSync()).toBeCloseTo(Math.log(4), 15);
  });

  it('equals the hand-computed -mean log softmax, for indices and one-hot targets alike', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }))
          .chain(([n, c]) =>
            fc.tuple(
              arbitraries.tensorOf([n, c], { min: -8, max: 8 }),
              fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: n, maxLength: n }),
            ),
          ),
        ([logits, labels]) => {
          const want = ref.meanCrossEntropy(toRef(logits), labels);
          // -mean log softmax, through the reference softmax
          const probs = ref.softmax(toRef(logits));
          const c = logits.shape[1];
          const viaSoftmax = -labels.reduce((s, l, r) => s + Math.log(probs.data[r * c + l]), 0) / labels.length;
          expect(want).toBeCloseTo(viaSoftmax, 12);
          const byIndex = softmaxWithLoss(logits, int32(labels)).itemSync();
          const byOneHot = softmaxWithLoss(logits, oneHot(int32(labels), c, 'float64')).itemSync();
          expect(Math.abs(byIndex - want)).toBeLessThanOrEqual(1e-13 * Math.max(1, want));
          expect(byOneHot).toBe(byIndex);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('flattens leading axes of rank-3 logits into rows', () => {
    const logits = f64([
      [
        [1, 2, 3],
        [0, 0, 1],
      ],
      [
        [3, 2, 1],
        [2, 2, 2],
      ],
    ]);
    const labels = int32([
      [2, 0],
      [0, 1],
    ]);
    const want = ref.meanCrossEntropy({ shape: [4, 3], data: Array.from(logits.dataSync()) }, [2, 0, 0, 1]);
    expect(softmaxWithLoss(logits, labels).itemSync()).toBeCloseTo(want, 14);
  });

  it('stays finite at logits ±1e4, where a naive log(softmax) would give log 0', () => {
    const logits = f64([
      [1e4, -1e4, 0],
      [-1e4, 1e4, 0],
    ]);
    // row 0 is right (loss ~0); row 1 is wrong by 2e4 (loss 2e4)
    const loss = softmaxWithLoss(logits, int32([0, 0]));
    expect(loss.itemSync()).toBe(1e4);
  });

  it('its gradient is (softmax - t) / N', () => {
    const logits = tensor(
      [
        [1, 2, 3],
        [0, 0, 0],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    softmaxWithLoss(logits, int32([2, 1])).backward();
    const y = ref.softmax(toRef(logits));
    const t = [0, 0, 1, 0, 1, 0];
    const g = Array.from(logits.grad!.dataSync());
    y.data.forEach((p, i) => expect(g[i]).toBeCloseTo((p - t[i]) / 2, 15));
  });
});

describe('argmax', () => {
  it('takes the first index on ties', () => {
    expect(
      Array.from(
        argmax(
          f64([
            [1, 3, 3],
            [2, 2, 2],
            [0, -1, 0],
          ]),
        ).dataSync(),
      ),
    ).toEqual([1, 0, 0]);
    expect(
      Array.from(
        argmax(
          f64([
            [1, 5],
            [5, 5],
          ]),
          0,
        ).dataSync(),
      ),
    ).toEqual([1, 0]);
    expect(
      argmax(
        f64([
          [1, 5],
          [5, 5],
        ]),
      ).dtype,
    ).toBe('int32');
  });

  it('matches the reference (ties included: values are drawn from a few integers)', () => {
    fc.assert(
      fc.property(
        arbitraries.shape({ minRank: 1 }).chain((s) =>
          fc
            .array(fc.integer({ min: 0, max: 2 }), {
              minLength: s.reduce((n, d) => n * d, 1),
              maxLength: s.reduce((n, d) => n * d, 1),
            })
            .map((v) => f64(v, s)),
        ),
        (x) => {
          const i = argmax(x);
          expect(i.shape).toEqual(x.shape.slice(0, -1));
          expect(Array.from(i.dataSync())).toEqual(ref.argmaxLast(toRef(x)));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
