// The sampling operations: randint, bernoulli, multinomial and dropout draw on the host with the
// seeded generator, so a seed fixes the numbers, on the CPU and on WebGPU alike.
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  DTypeError,
  full,
  Generator,
  rand,
  randint,
  randn,
  ShapeError,
  tensor,
  type Backend,
} from '@graphgrad/core';
import { cpuBackend } from '@graphgrad/cpu';
import { webgpuForTests } from '@graphgrad/test-backends';
import { bernoulli, dropout, multinomial, sum } from '../src/index.ts';

const values = (t: { dataSync(): ArrayLike<number> }): number[] => Array.from(t.dataSync());
const meanOf = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('randint', () => {
  it('draws int32 integers in [low, high), the same for the same seed', () => {
    const a = randint(-3, 4, [50, 40], { seed: 5 });
    expect(a.dtype).toBe('int32');
    expect(a.shape).toEqual([50, 40]);
    const got = values(a);
    expect(Math.min(...got)).toBe(-3);
    expect(Math.max(...got)).toBe(3);
    expect(new Set(got).size).toBe(7);
    expect(values(randint(-3, 4, [50, 40], { seed: 5 }))).toEqual(got);
    expect(values(randint(-3, 4, [50, 40], { seed: 6 }))).not.toEqual(got);
  });

  it('holds the integers in a float dtype when asked, and advances a generator it is given', () => {
    const g = new Generator(1);
    const first = randint(0, 10, [20], { generator: g, dtype: 'float64' });
    const second = randint(0, 10, [20], { generator: g, dtype: 'float64' });
    expect(first.dtype).toBe('float64');
    expect(values(first).every((v) => Number.isInteger(v) && v >= 0 && v < 10)).toBe(true);
    expect(values(second)).not.toEqual(values(first));
  });

  it('refuses bounds that are not integers with low < high', () => {
    expect(() => randint(3, 3, [2])).toThrow(
      new ArgumentError('randint: low and high must be integers with low < high (within int32), got 3, 3'),
    );
    expect(() => randint(0, 1.5, [2])).toThrow(ArgumentError);
    expect(() => randint(0, 2, [-1])).toThrow(ArgumentError);
  });
});

describe('bernoulli', () => {
  it('gives 0 where p = 0, 1 where p = 1, and 1 with frequency p in between', () => {
    const p = tensor([0, 1, 0.3], { dtype: 'float64' });
    const edge = values(bernoulli(p, { seed: 2 }));
    expect(edge.slice(0, 2)).toEqual([0, 1]);
    const draws = values(bernoulli(full([20000], 0.3), { seed: 3 }));
    expect(draws.every((v) => v === 0 || v === 1)).toBe(true);
    expect(Math.abs(meanOf(draws) - 0.3)).toBeLessThan(0.015);
  });

  it("keeps p's shape and dtype, needs no gradient, and repeats for a seed", () => {
    const p = full([3, 4], 0.5, { dtype: 'float64', requiresGrad: true });
    const a = bernoulli(p, { seed: 9 });
    expect(a.shape).toEqual([3, 4]);
    expect(a.dtype).toBe('float64');
    expect(a.requiresGrad).toBe(false);
    expect(values(bernoulli(p, { seed: 9 }))).toEqual(values(a));
  });

  it('refuses int32 probabilities', () => {
    expect(() => bernoulli(tensor([1], { dtype: 'int32' }))).toThrow(
      new DTypeError("bernoulli: input 'p' is int32; bernoulli needs float32 or float64"),
    );
  });
});

describe('multinomial', () => {
  it('draws categories in proportion to the weights, never one of weight 0', async () => {
    const weights = tensor([1, 0, 3, 4], { dtype: 'float64' });
    const draws = values(await multinomial(weights, 8000, { replacement: true, seed: 4 }));
    const freq = [0, 1, 2, 3].map((c) => draws.filter((d) => d === c).length / draws.length);
    expect(freq[1]).toBe(0);
    for (const [c, want] of [
      [0, 1 / 8],
      [2, 3 / 8],
      [3, 4 / 8],
    ] as const)
      expect(Math.abs(freq[c] - want)).toBeLessThan(0.02);
  });

  it('draws distinct categories per row without replacement, as int32 [N, numSamples]', async () => {
    const weights = tensor([
      [1, 2, 3, 4, 0],
      [5, 0, 1, 1, 1],
    ]);
    const out = await multinomial(weights, 4, { seed: 1 });
    expect(out.dtype).toBe('int32');
    expect(out.shape).toEqual([2, 4]);
    const rows = [values(out).slice(0, 4), values(out).slice(4)];
    expect(new Set(rows[0])).toEqual(new Set([0, 1, 2, 3]));
    expect(new Set(rows[1])).toEqual(new Set([0, 2, 3, 4]));
    expect(values(await multinomial(weights, 4, { seed: 1 }))).toEqual(values(out));
  });

  it('checks everything before the generator advances', async () => {
    const g = new Generator(8);
    const expected = new Generator(8).uniform();
    await expect(multinomial(tensor([1, -1]), 1, { generator: g })).rejects.toThrow(
      new ArgumentError('multinomial: weights must be finite and ≥ 0, got -1 at category 1'),
    );
    await expect(multinomial(tensor([[0, 0]]), 1, { generator: g })).rejects.toThrow(
      new ArgumentError('multinomial: the weights in row 0 sum to 0'),
    );
    await expect(multinomial(tensor([1, 0, 2]), 3, { generator: g })).rejects.toThrow(
      new ArgumentError(
        'multinomial: cannot draw 3 distinct samples without replacement from 2 categories of nonzero weight',
      ),
    );
    await expect(multinomial(tensor([1]), 0)).rejects.toThrow(ArgumentError);
    await expect(multinomial(full([2, 2, 2], 1), 1)).rejects.toThrow(ShapeError);
    expect(g.uniform()).toBe(expected);
  });
});

describe('dropout', () => {
  it('zeroes a fraction p and scales the rest by 1/(1 - p)', () => {
    const x = full([10000], 2, { dtype: 'float64' });
    const y = values(dropout(x, 0.25, { seed: 1 }));
    expect(y.every((v) => v === 0 || v === 2 / 0.75)).toBe(true);
    expect(Math.abs(y.filter((v) => v === 0).length / y.length - 0.25)).toBeLessThan(0.015);
  });

  it('is x itself when not training or when p = 0, and zeros when p = 1', () => {
    const x = randn([3, 4], { seed: 1 });
    expect(dropout(x, 0.5, { training: false })).toBe(x);
    expect(dropout(x, 0)).toBe(x);
    expect(values(dropout(x, 1, { seed: 2 })).every((v) => v === 0)).toBe(true);
  });

  it('passes the gradient through the kept elements only, scaled like them', () => {
    const x = randn([4, 5], { seed: 3, dtype: 'float64', requiresGrad: true });
    const y = dropout(x, 0.5, { seed: 7 });
    sum(y).backward();
    const mask = values(dropout(full([4, 5], 1, { dtype: 'float64' }), 0.5, { seed: 7 }));
    expect(values(x.grad!)).toEqual(mask);
    expect(new Set(mask)).toEqual(new Set([0, 2]));
  });

  it('refuses p outside [0, 1] and int32 input', () => {
    expect(() => dropout(randn([2]), 1.5)).toThrow(new ArgumentError('dropout: p must be a number in [0, 1], got 1.5'));
    expect(() => dropout(randn([2]), Number.NaN)).toThrow(ArgumentError);
    expect(() => dropout(tensor([1], { dtype: 'int32' }))).toThrow(DTypeError);
  });
});

const gpu = await webgpuForTests();

describe.skipIf(gpu.backend === null)(
  `the same seed gives the same numbers on cpu and webgpu ${gpu.reason ?? ''}`,
  () => {
    const on = async (backend: Backend): Promise<number[][]> => {
      const p = tensor([0.1, 0.5, 0.9, 0.3, 0.7, 0.2], { backend });
      const weights = tensor(
        [
          [1, 2, 3, 4],
          [4, 3, 2, 1],
        ],
        { backend },
      );
      return Promise.all([
        randint(0, 100, [64], { seed: 1, backend }).data(),
        rand([33], { seed: 5, backend }).data(),
        randn([33], { seed: 6, backend }).data(),
        bernoulli(p, { seed: 2 }).data(),
        (await multinomial(weights, 3, { seed: 3 })).data(),
        (await multinomial(weights, 50, { replacement: true, seed: 3 })).data(),
        dropout(full([257], 1, { backend }), 0.4, { seed: 4 }).data(),
      ]).then((arrays) => arrays.map((a) => Array.from(a)));
    };

    it('rand, randn, randint, bernoulli, multinomial and dropout', async () => {
      expect(await on(gpu.backend!)).toEqual(await on(cpuBackend()));
    });
  },
);
