// The kernel cases of the activations, comparisons, reductions and losses' kernels beyond what the
// family loops of kernel-cases.ts generate for every unary, binary and reduction kernel: ties and
// signed zeros for the comparisons, C's special cases of Pow, the ranges of Erf and Log1p, and the
// Where and Cumsum kernels.
import type { BackendArray, Kernels, Shape } from '@graphgrad/core';
import type { Coverage, InputSpec, KernelCase, Tolerance } from './kernel-cases.ts';

const cases: KernelCase[] = [];
const add = (c: Omit<KernelCase, 'tolerance'> & { tolerance?: Tolerance }): void => {
  cases.push({ tolerance: 'elementwise', ...c });
};

/** `n` values evenly spaced over [from, to]. */
const spaced = (n: number, from: number, to: number): number[] =>
  Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));

/** A 0/1 condition of `n` elements (a third of them 0). */
const mask = (n: number): number[] => Array.from({ length: n }, (_, i) => ((i * 7) % 3 === 0 ? 0 : 1));

// ---- unary: Erf and Log1p across their ranges ------------------------------------------------------
add({
  kernel: 'Erf',
  name: '[1031] over [-5, 5] (series, continued fraction, ±1)',
  covers: ['odd'],
  inputs: [{ shape: [1031], values: spaced(1031, -5, 5) }],
  run: (k, [x]) => k.Erf(x),
});
add({
  kernel: 'Erf',
  name: 'tiny values and the edges of the ranges',
  covers: ['special'],
  inputs: [{ shape: [10], values: [1e-30, -1e-7, 1e-3, 2.4999, 2.5001, -3.9, 4, -6, 27.5, -0] }],
  run: (k, [x]) => k.Erf(x),
});
add({
  kernel: 'Log1p',
  name: 'tiny values, -1 and beyond',
  covers: ['special'],
  inputs: [{ shape: [12], values: [1e-10, -1e-10, 1e-6, -1e-4, 0.1, -0.2, 0.2499, 0.2501, -0.99, -1, -1.5, 3e38] }],
  run: (k, [x]) => k.Log1p(x),
});

// ---- binary: Pow's special cases, integer powers, ties of the comparisons --------------------------
const POW_BASES = [1, -1, 0, -0, 2, -2, 0.5, -0.5, Number.NaN, Infinity, -Infinity];
const POW_EXPONENTS = [Number.NaN, Infinity, -Infinity, 0, 3, -3, 2, -2, 0.5, -0.5];
add({
  kernel: 'Pow',
  name: "C's special cases: 1ʸ, x⁰, (-1)^±∞, signed zeros, infinite and negative bases",
  covers: ['special', 'broadcast'],
  inputs: [
    { shape: [POW_BASES.length, 1], values: POW_BASES },
    { shape: [1, POW_EXPONENTS.length], values: POW_EXPONENTS },
  ],
  run: (k, [x, y]) => k.Pow(x, y),
});
add({
  kernel: 'Pow',
  name: 'positive bases [5,7] to normal exponents',
  covers: ['odd'],
  inputs: [
    { shape: [5, 7], values: 'positive' },
    { shape: [5, 7], values: 'normal' },
  ],
  run: (k, [x, y]) => k.Pow(x, y),
});
add({
  kernel: 'Pow',
  name: 'int32 powers, negative exponents included',
  covers: ['int32'],
  tolerance: 'exact',
  inputs: [
    { shape: [7, 1], values: [2, 3, -3, 0, 1, -1, 7], int32: true },
    { shape: [1, 7], values: [0, 1, 2, 5, -1, -2, 10], int32: true },
  ],
  run: (k, [x, y]) => k.Pow(x, y),
});
const TIES_A = [1, 2, Number.NaN, -0, Infinity, -3];
const TIES_B = [1, 2, Number.NaN, 0, Infinity, -Infinity, 5];
for (const kernel of ['Equal', 'NotEqual', 'GreaterEqual', 'Greater', 'Minimum', 'Maximum'] as const) {
  add({
    kernel,
    name: 'ties, ±0, NaN against NaN',
    covers: ['special', 'broadcast'],
    inputs: [
      { shape: [TIES_A.length, 1], values: TIES_A },
      { shape: [1, TIES_B.length], values: TIES_B },
    ],
    run: (k, [x, y]) => k[kernel](x, y),
  });
}

// ---- Where ---------------------------------------------------------------------------------------
{
  const w = (
    name: string,
    covers: Coverage[],
    [cond, a, b]: readonly [InputSpec, InputSpec, InputSpec],
    view?: (k: Kernels, xs: BackendArray[]) => BackendArray[],
    tolerance: Tolerance = 'exact',
  ): void =>
    add({
      kernel: 'Where',
      name,
      covers,
      tolerance,
      inputs: [cond, a, b],
      run: (k, xs) => {
        const [c, x, y] = view === undefined ? xs : view(k, [...xs]);
        return k.Where(c, x, y);
      },
    });
  const normal = (shape: Shape): InputSpec => ({ shape, values: 'normal' });
  const condition = (shape: Shape): InputSpec => ({ shape, values: mask(shape.reduce((n, d) => n * d, 1)) });
  w('scalars', ['scalar'], [condition([]), normal([]), normal([])]);
  w('a scalar condition', ['scalar', 'broadcast'], [{ shape: [], values: [0] }, normal([3, 4]), normal([3, 4])]);
  w('odd [5,7]', ['odd'], [condition([5, 7]), normal([5, 7]), normal([5, 7])]);
  w('odd [1031] (several workgroups)', ['odd'], [condition([1031]), normal([1031]), normal([1031])]);
  w('aligned [4,256] with a scalar value (vector path)', ['odd'], [condition([4, 256]), normal([4, 256]), normal([])]);
  w('[3,1] condition, [1,4] and [4] values', ['broadcast'], [condition([3, 1]), normal([1, 4]), normal([4])]);
  w(
    'rank 4 [2,1,3,1], [1,4,1,5], [2,4,3,5]',
    ['rank4', 'broadcast'],
    [condition([2, 1, 3, 1]), normal([1, 4, 1, 5]), normal([2, 4, 3, 5])],
  );
  w('size 0 [0,3]', ['size0'], [condition([0, 3]), normal([1, 3]), normal([0, 3])]);
  w(
    'NaN and -0 conditions, special values',
    ['special'],
    [
      { shape: [6], values: [Number.NaN, -0, 0, 1, -1, Infinity] },
      { shape: [6], values: [Number.NaN, Infinity, -Infinity, 1e3, 0, 2] },
      { shape: [6], values: [-Infinity, Number.NaN, 3, -1e3, Infinity, 0] },
    ],
  );
  w(
    'int32 values under a float condition',
    ['int32'],
    [
      condition([2, 3]),
      { shape: [2, 3], values: [7, -7, 0, 100, -100, 2147483647], int32: true },
      { shape: [3], values: [2, -3, -2147483648], int32: true },
    ],
  );
  w(
    'float values under an int32 condition',
    ['int32'],
    [{ shape: [2, 3], values: [0, 5, -1, 0, 0, 2147483647], int32: true }, normal([2, 3]), normal([2, 3])],
  );
  w('transposed views', ['view'], [condition([3, 5]), normal([3, 5]), normal([5, 3])], (k, [c, x, y]) => [
    k.Transpose(c, [1, 0]),
    k.Transpose(x, [1, 0]),
    y,
  ]);
  w('broadcast views', ['view', 'broadcast'], [condition([3, 1]), normal([1, 4]), normal([3, 4])], (k, [c, x, y]) => [
    k.BroadcastTo(c, [3, 4]),
    k.BroadcastTo(x, [3, 4]),
    y,
  ]);
}

// ---- Cumsum --------------------------------------------------------------------------------------
{
  const cs = (
    name: string,
    covers: Coverage[],
    input: InputSpec,
    axis: number,
    reverse = false,
    view?: (k: Kernels, x: BackendArray) => BackendArray,
  ): void =>
    add({
      kernel: 'Cumsum',
      name: `${name}${reverse ? ', reversed' : ''}`,
      covers,
      tolerance: input.int32 === true ? 'exact' : 'reduction',
      inputs: [input],
      run: (k, [x]) => k.Cumsum(view === undefined ? x : view(k, x), axis, reverse),
    });
  const normal = (shape: Shape): InputSpec => ({ shape, values: 'normal' });
  for (const reverse of [false, true]) {
    cs('[1] along 0 (one element)', ['scalar'], normal([1]), 0, reverse);
    cs('[5,7] along 1', ['odd'], normal([5, 7]), 1, reverse);
    cs('[5,7] along 0', ['odd'], normal([5, 7]), 0, reverse);
    cs('[3,1031] along 1 (long rows)', ['odd'], normal([3, 1031]), 1, reverse);
    cs('[2,3,4,5] along 2', ['rank4'], normal([2, 3, 4, 5]), 2, reverse);
  }
  cs('[1031,70] along 0 (many lines)', ['odd'], normal([1031, 70]), 0);
  cs('size 0 [0,3] along 0', ['size0'], normal([0, 3]), 0);
  cs('size 0 [3,0] along 0', ['size0'], normal([3, 0]), 0, true);
  cs(
    'NaN, ±Inf and ±1e3',
    ['special'],
    { shape: [2, 5], values: [1, Number.NaN, 2, 3, 4, Infinity, 1e3, -Infinity, -1e3, 5] },
    1,
  );
  cs(
    'NaN, ±Inf and ±1e3',
    ['special'],
    { shape: [2, 5], values: [1, Number.NaN, 2, Infinity, 4, -Infinity, 1e3, 5, -1e3, 5] },
    1,
    true,
  );
  cs(
    'int32, wrapping past 2^31',
    ['int32'],
    { shape: [2, 4], values: [2147483647, 1, 5, -3, -7, 9, -2147483648, -1], int32: true },
    1,
  );
  cs('of a transposed view', ['view'], normal([4, 6]), 1, false, (k, x) => k.Transpose(x, [1, 0]));
  cs('of a broadcast view [3,1] -> [3,5]', ['view', 'broadcast'], normal([3, 1]), 1, true, (k, x) =>
    k.BroadcastTo(x, [3, 5]),
  );
}

/** The cases of this file. */
export const MATH_KERNEL_CASES: readonly KernelCase[] = cases;
