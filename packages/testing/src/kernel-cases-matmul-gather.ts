// The kernel cases of batched matrix products (MatMul over batch axes), gathers along any axis
// (Gather) and their adjoint (ScatterAdd).
import type { BackendArray, Kernels, Shape } from '@graphgrad/core';
import type { Coverage, InputSpec, KernelCase } from './kernel-cases.ts';

const ints = (lo: number, hi: number): InputSpec['values'] => ({ ints: [lo, hi] });
const indices = (shape: Shape, values: InputSpec['values']): InputSpec => ({ shape, values, int32: true });

const cases: KernelCase[] = [];

// ---- MatMul over batch axes ------------------------------------------------------------------------
{
  /** op(a)·op(b) of a [...batchA, M, K] (or its transpose) and b [...batchB, K, N] (or its transpose). */
  const mm = (
    name: string,
    covers: Coverage[],
    [batchA, batchB]: [Shape, Shape],
    [M, K, N]: [number, number, number],
    ta = false,
    tb = false,
    values: InputSpec['values'] = 'normal',
  ): void => {
    cases.push({
      kernel: 'MatMul',
      name: `${name} ${ta ? 'Aᵀ' : 'A'}·${tb ? 'Bᵀ' : 'B'}`,
      covers,
      tolerance: 'reduction',
      inputs: [
        { shape: [...batchA, ...(ta ? [K, M] : [M, K])], values },
        { shape: [...batchB, ...(tb ? [N, K] : [K, N])], values: 'normal' },
      ],
      run: (k, [a, b]) => k.MatMul(a, b, ta, tb),
    });
  };
  mm('[2,3,4]·[4,5]: batch folded into rows', ['odd', 'broadcast'], [[2], []], [3, 4, 5]);
  mm('[4,3,5]·[5,2]: batch folded into rows', ['odd', 'broadcast'], [[4], []], [3, 5, 2], false, true);
  mm('[2,3,4]·[2,4,5]', ['odd'], [[2], [2]], [3, 4, 5]);
  mm('[2,7,3]·[2,3,1] (a column per batch element)', ['odd'], [[2], [2]], [7, 3, 1]);
  mm('[2,3,4]·[1,4,5]', ['broadcast'], [[2], [1]], [3, 4, 5]);
  mm('[3,4]·[2,4,5] (a broadcast)', ['broadcast'], [[], [2]], [3, 4, 5]);
  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      mm(
        'rank 4 [2,1,5,3]·[2,3,3,5] (both broadcast)',
        ['rank4', 'broadcast', 'view'],
        [
          [2, 1],
          [2, 3],
        ],
        [5, 3, 5],
        ta,
        tb,
      );
    }
  }
  mm('rank 4 [2,3,4,5]·[5,6] (two batch axes folded)', ['rank4'], [[2, 3], []], [4, 5, 6]);
  mm(
    'rank 4 [3,1,4,2]·[1,2,2,3]',
    ['rank4', 'broadcast'],
    [
      [3, 1],
      [1, 2],
    ],
    [4, 2, 3],
  );
  mm('tiles of many batch elements [5,65,33]·[5,33,70]', ['odd'], [[5], [5]], [65, 33, 70], true, false);
  mm('large tiles [2,900,8]·[2,8,900]', ['odd'], [[2], [2]], [900, 8, 900]);
  mm('size 0: no batch elements [0,3,4]·[4,5]', ['size0'], [[0], []], [3, 4, 5]);
  mm('size 0: [2,3,0]·[2,0,4] (zeros)', ['size0'], [[2], [2]], [3, 0, 4]);
  mm('size 0: [2,0,4]·[1,4,3]', ['size0'], [[2], [1]], [0, 4, 3]);
  mm('NaN and ±Inf in a batch', ['special'], [[2], []], [2, 2, 2], false, false, [
    1,
    Number.NaN,
    0,
    2,
    Infinity,
    1,
    -1,
    3,
  ]);
  cases.push({
    kernel: 'MatMul',
    name: 'a transposed rank-3 view whose batch does not fold [3,2,4]->[2,3,4] times [4,5]',
    covers: ['view', 'odd'],
    tolerance: 'reduction',
    inputs: [
      { shape: [3, 2, 4], values: 'normal' },
      { shape: [4, 5], values: 'normal' },
    ],
    run: (k, [a, b]) => k.MatMul(k.Transpose(a, [1, 0, 2]), b, false, false),
  });
  cases.push({
    kernel: 'MatMul',
    name: 'a broadcast view of b [4,5] -> [3,4,5] (stride-0 batch)',
    covers: ['view', 'broadcast'],
    tolerance: 'reduction',
    inputs: [
      { shape: [3, 2, 4], values: 'normal' },
      { shape: [4, 5], values: 'normal' },
    ],
    run: (k, [a, b]) => k.MatMul(a, k.BroadcastTo(b, [3, 4, 5]), false, false),
  });
  cases.push({
    kernel: 'MatMul',
    name: 'batch axes of a transposed rank-4 view [2,3,4,5] by [1,0,3,2] times itself',
    covers: ['view', 'rank4'],
    tolerance: 'reduction',
    inputs: [{ shape: [2, 3, 4, 5], values: 'normal' }],
    run: (k, [a]) => {
      const v = k.Transpose(a, [1, 0, 3, 2]);
      return k.MatMul(v, v, false, true);
    },
  });
}

// ---- Gather along any axis -------------------------------------------------------------------------
{
  const g = (
    name: string,
    covers: Coverage[],
    shape: Shape,
    picks: InputSpec,
    axis: number,
    values: InputSpec['values'] = 'normal',
    view?: (k: Kernels, x: BackendArray) => BackendArray,
  ): void => {
    cases.push({
      kernel: 'Gather',
      name: `${name} (axis ${axis})`,
      covers,
      tolerance: 'exact',
      inputs: [{ shape, values }, picks],
      run: (k, [x, i]) => k.Gather(view === undefined ? x : view(k, x), i, axis),
    });
  };
  g('columns of [3,5] by [4], repeated', ['odd'], [3, 5], indices([4], [4, 0, 4, 2]), 1);
  g('[2,5,3] by [2,2] indices', ['odd'], [2, 5, 3], indices([2, 2], [1, 3, 3, 0]), 1);
  g('the last axis of [2,3,7] by [5]', ['odd'], [2, 3, 7], indices([5], [6, 0, 2, 2, 5]), 2);
  g('one entry by a scalar index', ['scalar'], [4, 3], indices([], [2]), 1);
  g('no indices', ['size0'], [2, 5, 3], indices([0], []), 1);
  g('of an empty axis before', ['size0'], [0, 5], indices([2], [1, 4]), 1);
  g('rank 4 [2,3,4,2]', ['rank4'], [2, 3, 4, 2], indices([5], ints(0, 4)), 2);
  g('NaN and ±Inf entries', ['special'], [2, 3], indices([3], [2, 1, 0]), 1, [
    Number.NaN,
    0,
    Infinity,
    1,
    -Infinity,
    2,
  ]);
  g('indices outside the axis give NaN', ['special'], [2, 3], indices([4], [1, -1, 3, 2]), 1);
  g('int32 entries', ['int32'], [2, 4], indices([3], [3, 3, 1]), 1, ints(-100, 100));
  g('of a transposed view [4,3]ᵀ', ['view'], [4, 3], indices([3], [3, 0, 3]), 1, 'normal', (k, x) =>
    k.Transpose(x, [1, 0]),
  );
  g('of a broadcast view [1,4] -> [3,4]', ['view', 'broadcast'], [1, 4], indices([2], [3, 1]), 1, 'normal', (k, x) =>
    k.BroadcastTo(x, [3, 4]),
  );
}

// ---- ScatterAdd ----------------------------------------------------------------------------------
{
  const s = (
    name: string,
    covers: Coverage[],
    shape: Shape,
    picks: InputSpec,
    axis: number,
    size: number,
    values: InputSpec['values'] = 'normal',
    view?: (k: Kernels, x: BackendArray) => BackendArray,
  ): void => {
    const int = typeof values === 'object' && 'ints' in values;
    cases.push({
      kernel: 'ScatterAdd',
      name: `${name} (axis ${axis}, ${size} long)`,
      covers,
      tolerance: int ? 'exact' : 'reduction',
      inputs: [{ shape, values }, picks],
      run: (k, [v, i]) => k.ScatterAdd(view === undefined ? v : view(k, v), i, axis, size),
    });
  };
  s('rows of [5,3], repeated indices', ['odd'], [5, 3], indices([5], [3, 0, 3, 1, 3]), 0, 4);
  s('indices of rank 2, out of order', ['odd'], [2, 3, 4], indices([2, 3], [5, 1, 4, 1, 0, 5]), 0, 6);
  s('along axis 1 of [2,4,3]', ['odd'], [2, 4, 3], indices([4], [4, 0, 4, 2]), 1, 5);
  s('along the last axis of [3,5]', ['odd'], [3, 5], indices([5], [1, 1, 0, 2, 1]), 1, 3);
  s('700 picks of 50 rows (long chains)', ['odd'], [700, 3], indices([700], ints(0, 50)), 0, 50);
  s(
    '7 rows into a table of 3000 (a few rows written)',
    ['odd'],
    [7, 100],
    indices([7], [2999, 5, 0, 5, 1234, 7, 5]),
    0,
    3000,
  );
  s('a scalar index', ['scalar'], [3], indices([], [2]), 0, 4);
  s('no picks', ['size0'], [0, 3], indices([0], []), 0, 4);
  s('slices of length 0', ['size0'], [3, 0], indices([3], [1, 0, 1]), 0, 2);
  s('into an axis of length 0', ['size0'], [2, 0], indices([0], []), 1, 0);
  s('rank 4 values [2,3,2,2] by [3,2] indices', ['rank4'], [2, 3, 2, 2], indices([3, 2], ints(0, 5)), 1, 5);
  s('NaN and ±Inf values', ['special'], [4, 2], indices([4], [1, 0, 1, 1]), 0, 2, [
    Number.NaN,
    1,
    Infinity,
    2,
    -Infinity,
    3,
    1e3,
    -1e3,
  ]);
  s('indices outside the axis add nowhere', ['special'], [4, 2], indices([4], [1, -1, 3, 1]), 0, 3);
  s('int32 values', ['int32'], [5, 2], indices([5], [0, 2, 0, 0, 1]), 0, 3, ints(-100, 100));
  s('of a transposed view [3,4]ᵀ', ['view'], [3, 4], indices([4], [2, 0, 2, 1]), 0, 3, 'normal', (k, v) =>
    k.Transpose(v, [1, 0]),
  );
  s(
    'of a broadcast view [1,3] -> [5,3]',
    ['view', 'broadcast'],
    [1, 3],
    indices([5], [0, 2, 0, 1, 0]),
    0,
    3,
    'normal',
    (k, v) => k.BroadcastTo(v, [5, 3]),
  );
}

/** The cases of batched MatMul, Gather along any axis and ScatterAdd. */
export const MATMUL_GATHER_KERNEL_CASES: readonly KernelCase[] = cases;
