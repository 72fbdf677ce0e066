import {
  BINARY_KERNELS,
  UNARY_KERNELS,
  type BackendArray,
  type KernelName,
  type Kernels,
  type Shape,
} from '@graphgrad/core';
import { MATMUL_GATHER_KERNEL_CASES } from './kernel-cases-matmul-gather.ts';
import { MATH_KERNEL_CASES } from './kernel-cases-math.ts';
import { RECURRENT_EXEMPT, RECURRENT_KERNEL_CASES } from './kernel-cases-recurrent.ts';
import { SLICING_KERNEL_CASES } from './kernel-cases-slicing.ts';

/**
 * What a case exercises. The meta-test requires every kernel to cover each class that applies to
 * it (see `EXEMPT` for the ones that cannot).
 */
export type Coverage = 'scalar' | 'odd' | 'broadcast' | 'size0' | 'rank4' | 'special' | 'view' | 'int32';

/** An input of a case: float values (created in the backend's float dtype) or int32 values. */
export interface InputSpec {
  readonly shape: Shape;
  /**
   * `normal`: standard normal; `positive`: in [0.1, 3.1); `wide`: normal × 4; an array: these
   * values (NaN and ±Inf allowed); `{ ints: [lo, hi] }`: int32 uniform in [lo, hi).
   */
  readonly values: 'normal' | 'positive' | 'wide' | readonly number[] | { readonly ints: readonly [number, number] };
  /** Create the input as int32 (implied by `{ ints }`). */
  readonly int32?: boolean;
}

/** How results are compared with the oracle. */
export type Tolerance = 'exact' | 'elementwise' | 'reduction';

/** One row of the table: a kernel applied to inputs (and possibly views of them). */
export interface KernelCase {
  readonly kernel: KernelName;
  readonly name: string;
  readonly covers: readonly Coverage[];
  readonly inputs: readonly InputSpec[];
  readonly tolerance: Tolerance;
  /** Applies the kernel; `float` is the dtype float inputs were created in. */
  run(k: Kernels, xs: readonly BackendArray[], float: 'float32' | 'float64'): BackendArray;
}

const SPECIALS = [Number.NaN, Infinity, -Infinity, 0, 0.5, -2, 30, 1e3, -1e3];
const PAIR_VALUES = [Number.NaN, Infinity, -Infinity, 0, 1.5, -2, 1e3];
const ints = (lo: number, hi: number): InputSpec['values'] => ({ ints: [lo, hi] });

const cases: KernelCase[] = [];
const add = (c: Omit<KernelCase, 'tolerance'> & { tolerance?: Tolerance }): void => {
  cases.push({ tolerance: 'elementwise', ...c });
};

// ---- unary elementwise -------------------------------------------------------------------------
for (const kernel of UNARY_KERNELS) {
  const domain = kernel === 'Log' || kernel === 'Sqrt' || kernel === 'Log1p' ? 'positive' : 'wide';
  const apply = (k: Kernels, x: BackendArray): BackendArray => k[kernel](x);
  add({
    kernel,
    name: 'scalar',
    covers: ['scalar'],
    inputs: [{ shape: [], values: domain }],
    run: (k, [x]) => apply(k, x),
  });
  add({
    kernel,
    name: 'odd [3,5]',
    covers: ['odd'],
    inputs: [{ shape: [3, 5], values: domain }],
    run: (k, [x]) => apply(k, x),
  });
  add({
    kernel,
    name: 'odd [1031] (several workgroups)',
    covers: ['odd'],
    inputs: [{ shape: [1031], values: domain }],
    run: (k, [x]) => apply(k, x),
  });
  add({
    kernel,
    name: 'aligned [1024] (vector path)',
    covers: ['odd'],
    inputs: [{ shape: [4, 256], values: domain }],
    run: (k, [x]) => apply(k, x),
  });
  add({
    kernel,
    name: 'size 0 [2,0,3]',
    covers: ['size0'],
    inputs: [{ shape: [2, 0, 3], values: domain }],
    run: (k, [x]) => apply(k, x),
  });
  add({
    kernel,
    name: 'rank 4 [2,3,4,5]',
    covers: ['rank4'],
    inputs: [{ shape: [2, 3, 4, 5], values: domain }],
    run: (k, [x]) => apply(k, x),
  });
  add({
    kernel,
    name: 'NaN, ±Inf, ±1e3',
    covers: ['special'],
    inputs: [{ shape: [SPECIALS.length], values: SPECIALS }],
    run: (k, [x]) => apply(k, x),
  });
  add({
    kernel,
    name: 'transposed view of [5,3]',
    covers: ['view'],
    inputs: [{ shape: [5, 3], values: domain }],
    run: (k, [x]) => apply(k, k.Transpose(x, [1, 0])),
  });
  add({
    kernel,
    name: 'broadcast view [3,1] -> [3,4]',
    covers: ['broadcast', 'view'],
    inputs: [{ shape: [3, 1], values: domain }],
    run: (k, [x]) => apply(k, k.BroadcastTo(x, [3, 4])),
  });
}
for (const kernel of ['Neg', 'Abs'] as const) {
  add({
    kernel,
    name: 'int32 [7]',
    covers: ['int32'],
    inputs: [{ shape: [7], values: [-5, 3, 0, -2147483648, 2147483647, 12, -1], int32: true }],
    tolerance: 'exact',
    run: (k, [x]) => k[kernel](x),
  });
}

// ---- binary elementwise ------------------------------------------------------------------------
for (const kernel of BINARY_KERNELS) {
  const second: InputSpec['values'] = kernel === 'Div' ? 'positive' : 'normal';
  const apply = (k: Kernels, a: BackendArray, b: BackendArray): BackendArray => k[kernel](a, b);
  const pair = (name: string, covers: Coverage[], a: Shape, b: Shape): void =>
    add({
      kernel,
      name,
      covers,
      inputs: [
        { shape: a, values: 'normal' },
        { shape: b, values: second },
      ],
      run: (k, [x, y]) => apply(k, x, y),
    });
  pair('scalar and scalar', ['scalar'], [], []);
  pair('scalar and [3,4]', ['scalar', 'broadcast'], [3, 4], []);
  pair('odd [5,7] and [5,7]', ['odd'], [5, 7], [5, 7]);
  pair('aligned [8,128] and [8,128] (vector path)', ['odd'], [8, 128], [8, 128]);
  pair('[3,1] and [1,4]', ['broadcast'], [3, 1], [1, 4]);
  pair('[4] and [2,3,4]', ['broadcast'], [4], [2, 3, 4]);
  pair('[1031] and [1]', ['broadcast', 'odd'], [1031], [1]);
  pair('rank 4 [2,1,3,1] and [1,4,1,5]', ['rank4', 'broadcast'], [2, 1, 3, 1], [1, 4, 1, 5]);
  pair('size 0 [0,3] and [1,3]', ['size0'], [0, 3], [1, 3]);
  // Powers of these pairs overflow float32 where float64 does not (1.5^1e3); Pow's special cases
  // are in kernel-cases-math.ts.
  if (kernel !== 'Pow')
    add({
      kernel,
      name: 'every pair of NaN, ±Inf, 0, 1.5, -2, 1e3',
      covers: ['special', 'broadcast'],
      inputs: [
        { shape: [PAIR_VALUES.length, 1], values: PAIR_VALUES },
        { shape: [1, PAIR_VALUES.length], values: PAIR_VALUES },
      ],
      run: (k, [x, y]) => apply(k, x, y),
    });
  add({
    kernel,
    name: 'transposed view and [5,3]',
    covers: ['view'],
    inputs: [
      { shape: [3, 5], values: 'normal' },
      { shape: [5, 3], values: second },
    ],
    run: (k, [x, y]) => apply(k, k.Transpose(x, [1, 0]), y),
  });
  add({
    kernel,
    name: 'int32 [2,3] and [3]',
    covers: ['int32'],
    tolerance: 'exact',
    inputs: [
      { shape: [2, 3], values: [7, -7, 0, 100, -100, 2147483647], int32: true },
      { shape: [3], values: [2, -3, 0], int32: true },
    ],
    run: (k, [x, y]) => apply(k, x, y),
  });
}

// ---- reductions --------------------------------------------------------------------------------
for (const kernel of ['Sum', 'Max', 'Min'] as const) {
  const red = (
    name: string,
    covers: Coverage[],
    shape: Shape,
    axes: number[],
    keepDims: boolean,
    values: InputSpec['values'] = 'normal',
    int32 = false,
  ): void =>
    add({
      kernel,
      name,
      covers,
      tolerance: int32 ? 'exact' : 'reduction',
      inputs: [{ shape, values, int32 }],
      run: (k, [x]) => k[kernel](x, axes, keepDims),
    });
  red('scalar over no axes', ['scalar'], [], [], false);
  red('[7] over every axis', ['odd'], [7], [0], false);
  red('[3,5] along 0', ['odd'], [3, 5], [0], false);
  red('[3,5] along 1, keepDims', ['odd'], [3, 5], [1], true);
  red('[3,700] along 1 (workgroup tree)', ['odd'], [3, 700], [1], false);
  red('[700,3] along 0 (strided tree)', ['odd'], [700, 3], [0], true);
  red('[64,1100] along 0 (one invocation per column)', ['odd'], [64, 1100], [0], false);
  red('[2100,1030] along 0 (columns split into slices)', ['odd'], [2100, 1030], [0], true);
  red('[70001] (split into slices)', ['odd'], [70001], [0], false);
  red('rank 4 along [1,3]', ['rank4'], [2, 3, 4, 5], [1, 3], false);
  red('rank 4 along [0,2,3], keepDims', ['rank4'], [2, 3, 4, 5], [0, 2, 3], true);
  red('size 0 [0,3] along 0 (empty reduction)', ['size0'], [0, 3], [0], false);
  red('size 0 [0,3] along 1 (no outputs)', ['size0'], [0, 3], [1], true);
  red('rows with NaN, ±Inf', ['special'], [3, 3], [1], false, [
    Number.NaN,
    1,
    2,
    Infinity,
    -Infinity,
    0,
    Infinity,
    5,
    -1e3,
  ]);
  add({
    kernel,
    name: 'transposed view along 0',
    covers: ['view'],
    tolerance: 'reduction',
    inputs: [{ shape: [4, 6], values: 'normal' }],
    run: (k, [x]) => k[kernel](k.Transpose(x, [1, 0]), [0], false),
  });
  add({
    kernel,
    name: 'broadcast view along 1',
    covers: ['view', 'broadcast'],
    tolerance: 'reduction',
    inputs: [{ shape: [4, 1], values: 'normal' }],
    run: (k, [x]) => k[kernel](k.BroadcastTo(x, [4, 50]), [1], false),
  });
  red('int32 [3,4] along 1', ['int32'], [3, 4], [1], false, [-5, -3, -9, -7, 1, 2, 3, 4, 0, -2147483648, 7, 7], true);
}

// ---- ArgMax ------------------------------------------------------------------------------------
{
  const arg = (
    name: string,
    covers: Coverage[],
    shape: Shape,
    axis: number,
    values: InputSpec['values'] = 'normal',
    int32 = false,
  ): void =>
    add({
      kernel: 'ArgMax',
      name,
      covers,
      tolerance: 'exact',
      inputs: [{ shape, values, int32 }],
      run: (k, [x]) => k.ArgMax(x, axis),
    });
  arg('[5,7] along 1', ['odd'], [5, 7], 1);
  arg('[5,7] along 0', ['odd'], [5, 7], 0);
  arg('[3,700] along 1 (workgroup tree)', ['odd'], [3, 700], 1);
  arg('[1] along 0 (one element)', ['scalar'], [1], 0);
  arg('rank 4 along 2', ['rank4'], [2, 3, 4, 5], 2);
  arg('size 0 [0,4] along 1', ['size0'], [0, 4], 1);
  arg('size 0 [4,0] along 1 (empty axis)', ['size0'], [4, 0], 1);
  arg('ties, NaN and -Inf (first wins, NaN is largest)', ['special'], [4, 4], 1, [
    1,
    3,
    3,
    2,
    Number.NaN,
    1,
    Number.NaN,
    5,
    -Infinity,
    -Infinity,
    -Infinity,
    -Infinity,
    2,
    Infinity,
    7,
    Infinity,
  ]);
  arg(
    'ties, NaN late in a long row',
    ['special'],
    [2, 300],
    1,
    Array.from({ length: 600 }, (_, i) => (i === 290 ? Number.NaN : i === 450 || i === 520 ? 9 : i % 7)),
  );
  arg('int32 with ties', ['int32'], [2, 5], 1, [-3, 4, 4, -9, 0, -2147483648, -2147483648, -5, -5, -6], true);
  add({
    kernel: 'ArgMax',
    name: 'transposed view along 1',
    covers: ['view'],
    tolerance: 'exact',
    inputs: [{ shape: [6, 4], values: 'normal' }],
    run: (k, [x]) => k.ArgMax(k.Transpose(x, [1, 0]), 1),
  });
}

// ---- MatMul ------------------------------------------------------------------------------------
{
  const mm = (
    name: string,
    covers: Coverage[],
    [M, K, N]: [number, number, number],
    ta = false,
    tb = false,
    values: InputSpec['values'] = 'normal',
    bValues: InputSpec['values'] = 'normal',
  ): void =>
    add({
      kernel: 'MatMul',
      name: `${name} ${ta ? 'Aᵀ' : 'A'}·${tb ? 'Bᵀ' : 'B'}`,
      covers,
      tolerance: 'reduction',
      inputs: [
        { shape: ta ? [K, M] : [M, K], values },
        { shape: tb ? [N, K] : [K, N], values: bValues },
      ],
      run: (k, [a, b]) => k.MatMul(a, b, ta, tb),
    });
  mm('[1,1]·[1,1]', ['scalar'], [1, 1, 1]);
  mm('odd [5,7]·[7,3]', ['odd'], [5, 7, 3]);
  mm("the book's [30,2]·[2,10]", ['odd'], [30, 2, 10]);
  for (const ta of [false, true])
    for (const tb of [false, true]) mm('odd tiles [65,33]·[33,70]', ['odd', 'view'], [65, 33, 70], ta, tb);
  mm('large tiles [1500,8]·[8,1500]', ['odd'], [1500, 8, 1500]);
  mm('large tiles [1500,8]·[8,1500]', ['odd', 'view'], [1500, 8, 1500], true, true);
  mm('size 0 [0,3]·[3,4]', ['size0'], [0, 3, 4]);
  mm('size 0 [3,0]·[0,4] (zeros)', ['size0'], [3, 0, 4]);
  mm('NaN and ±Inf', ['special'], [2, 3, 2], false, false, [1, Number.NaN, 0, Infinity, 1, 2], [1, 0, 2, 1, 0, -1]);
  add({
    kernel: 'MatMul',
    name: 'broadcast view [1,5] -> [4,5] times [5,3]',
    covers: ['view', 'broadcast'],
    tolerance: 'reduction',
    inputs: [
      { shape: [1, 5], values: 'normal' },
      { shape: [5, 3], values: 'normal' },
    ],
    run: (k, [a, b]) => k.MatMul(k.BroadcastTo(a, [4, 5]), b, false, false),
  });
}

// ---- layout: Transpose, BroadcastTo, Reshape ---------------------------------------------------------
{
  const t = (
    name: string,
    covers: Coverage[],
    shape: Shape,
    perm: number[],
    values: InputSpec['values'] = 'normal',
  ): void =>
    add({
      kernel: 'Transpose',
      name,
      covers,
      tolerance: 'exact',
      inputs: [{ shape, values }],
      run: (k, [x]) => k.Transpose(x, perm),
    });
  t('[3,5]', ['odd'], [3, 5], [1, 0]);
  t('rank 4 [2,3,4,5] by [3,1,0,2]', ['rank4'], [2, 3, 4, 5], [3, 1, 0, 2]);
  t('scalar', ['scalar'], [], []);
  t('size 0 [0,3]', ['size0'], [0, 3], [1, 0]);
  t('NaN and ±Inf', ['special'], [2, 3], [1, 0], [Number.NaN, Infinity, -Infinity, 0, 1, 2]);
  t('int32', ['int32'], [2, 3], [1, 0], ints(-50, 50));
  add({
    kernel: 'Transpose',
    name: 'of a transposed view',
    covers: ['view'],
    tolerance: 'exact',
    inputs: [{ shape: [2, 3, 4], values: 'normal' }],
    run: (k, [x]) => k.Transpose(k.Transpose(x, [2, 0, 1]), [0, 2, 1]),
  });

  const b = (name: string, covers: Coverage[], shape: Shape, to: Shape, values: InputSpec['values'] = 'normal'): void =>
    add({
      kernel: 'BroadcastTo',
      name,
      covers,
      tolerance: 'exact',
      inputs: [{ shape, values }],
      run: (k, [x]) => k.BroadcastTo(x, to),
    });
  b('[3,1] -> [2,3,5]', ['odd', 'broadcast'], [3, 1], [2, 3, 5]);
  b('scalar -> [2,3]', ['scalar', 'broadcast'], [], [2, 3]);
  b('[1,0] -> [3,0]', ['size0'], [1, 0], [3, 0]);
  b('rank 4 [1,3,1,5] -> [2,3,4,5]', ['rank4'], [1, 3, 1, 5], [2, 3, 4, 5]);
  b('NaN and ±Inf', ['special'], [3], [2, 3], [Number.NaN, Infinity, -Infinity]);
  b('int32', ['int32'], [1, 4], [3, 4], ints(-9, 9));
  add({
    kernel: 'BroadcastTo',
    name: 'of a transposed view',
    covers: ['view'],
    tolerance: 'exact',
    inputs: [{ shape: [1, 3], values: 'normal' }],
    run: (k, [x]) => k.BroadcastTo(k.Transpose(x, [1, 0]), [2, 3, 4]),
  });

  const rs = (
    name: string,
    covers: Coverage[],
    shape: Shape,
    to: Shape,
    values: InputSpec['values'] = 'normal',
  ): void =>
    add({
      kernel: 'Reshape',
      name,
      covers,
      tolerance: 'exact',
      inputs: [{ shape, values }],
      run: (k, [x]) => k.Reshape(x, to),
    });
  rs('[3,4] -> [2,6]', ['odd'], [3, 4], [2, 6]);
  rs('scalar -> [1,1]', ['scalar'], [], [1, 1]);
  rs('size 0 [0,3] -> [3,0]', ['size0'], [0, 3], [3, 0]);
  rs('rank 4 [2,3,4,5] -> [6,20]', ['rank4'], [2, 3, 4, 5], [6, 20]);
  rs('NaN and ±Inf', ['special'], [2, 3], [3, 2], [Number.NaN, Infinity, -Infinity, 0, 1, 2]);
  rs('int32', ['int32'], [2, 6], [3, 4], ints(-9, 9));
  add({
    kernel: 'Reshape',
    name: 'of a transposed view [3,5]ᵀ -> [15] (strided copy)',
    covers: ['view', 'odd'],
    tolerance: 'exact',
    inputs: [{ shape: [3, 5], values: 'normal' }],
    run: (k, [x]) => k.Reshape(k.Transpose(x, [1, 0]), [15]),
  });
  add({
    kernel: 'Reshape',
    name: 'of a rank-4 transposed view -> [120]',
    covers: ['view', 'rank4'],
    tolerance: 'exact',
    inputs: [{ shape: [2, 3, 4, 5], values: 'normal' }],
    run: (k, [x]) => k.Reshape(k.Transpose(x, [3, 2, 1, 0]), [120]),
  });
  add({
    kernel: 'Reshape',
    name: 'of a broadcast view [3,1] -> [3,4] -> [12]',
    covers: ['view', 'broadcast'],
    tolerance: 'exact',
    inputs: [{ shape: [3, 1], values: 'normal' }],
    run: (k, [x]) => k.Reshape(k.BroadcastTo(x, [3, 4]), [12]),
  });
}

// ---- Gather, OneHot, Cast ----------------------------------------------------------------------
{
  const g = (
    name: string,
    covers: Coverage[],
    shape: Shape,
    indices: InputSpec,
    values: InputSpec['values'] = 'normal',
  ): void =>
    add({
      kernel: 'Gather',
      name,
      covers,
      tolerance: 'exact',
      inputs: [{ shape, values }, indices],
      run: (k, [x, i]) => k.Gather(x, i, 0),
    });
  g('rows of [5,3] by [4]', ['odd'], [5, 3], { shape: [4], values: [4, 0, 0, 2], int32: true });
  g('rows of [5,3] by [2,2]', ['odd'], [5, 3], { shape: [2, 2], values: [1, 3, 3, 0], int32: true });
  g('elements of [6] by [3]', ['odd'], [6], { shape: [3], values: [5, 0, 2], int32: true });
  g('one row by a scalar index', ['scalar'], [4, 3], { shape: [], values: [2], int32: true });
  g('no indices', ['size0'], [5, 3], { shape: [0], values: [], int32: true });
  g('rows of length 0', ['size0'], [5, 0], { shape: [2], values: [1, 4], int32: true });
  g('rank 4 [4,2,3,2]', ['rank4'], [4, 2, 3, 2], { shape: [5], values: ints(0, 4) });
  g('rows holding NaN and ±Inf', ['special'], [3, 2], { shape: [3], values: [2, 1, 0], int32: true }, [
    Number.NaN,
    0,
    Infinity,
    1,
    -Infinity,
    2,
  ]);
  g('int32 rows', ['int32'], [4, 2], { shape: [3], values: [3, 3, 1], int32: true }, ints(-100, 100));
  g('indices outside [0, rows) give rows of NaN', ['special'], [3, 2], {
    shape: [4],
    values: [1, -1, 3, 2],
    int32: true,
  });
  g(
    'indices outside [0, rows) of int32 rows give 0',
    ['special', 'int32'],
    [3, 2],
    { shape: [3], values: [5, 0, -7], int32: true },
    ints(-100, 100),
  );
  add({
    kernel: 'Gather',
    name: 'rows of a transposed view',
    covers: ['view'],
    tolerance: 'exact',
    inputs: [
      { shape: [3, 5], values: 'normal' },
      { shape: [3], values: [4, 1, 4], int32: true },
    ],
    run: (k, [x, i]) => k.Gather(k.Transpose(x, [1, 0]), i, 0),
  });

  const oh = (name: string, covers: Coverage[], indices: InputSpec, depth: number, dtype?: 'int32'): void =>
    add({
      kernel: 'OneHot',
      name,
      covers,
      tolerance: 'exact',
      inputs: [indices],
      run: (k, [i], float) => k.OneHot(i, depth, dtype ?? float),
    });
  oh('[5] of depth 4', ['odd'], { shape: [5], values: [0, 3, 1, 1, 2], int32: true }, 4);
  oh('[2,3] of depth 5', ['odd'], { shape: [2, 3], values: ints(0, 5) }, 5);
  oh('scalar index', ['scalar'], { shape: [], values: [2], int32: true }, 3);
  oh('no indices', ['size0'], { shape: [0], values: [], int32: true }, 3);
  oh('rank 4 indices', ['rank4'], { shape: [2, 1, 2, 1], values: ints(0, 3) }, 3);
  oh('indices outside [0, depth) give rows of NaN', ['special'], { shape: [4], values: [-1, 4, 2, 7], int32: true }, 4);
  oh(
    'indices outside [0, depth) in int32 give rows of 0',
    ['special', 'int32'],
    { shape: [3], values: [3, -2, 0], int32: true },
    3,
    'int32',
  );
  oh('int32 output', ['int32'], { shape: [3], values: [2, 0, 1], int32: true }, 3, 'int32');

  const cast = (name: string, covers: Coverage[], input: InputSpec, to: 'int32' | 'float'): void =>
    add({
      kernel: 'Cast',
      name,
      covers,
      tolerance: 'exact',
      inputs: [input],
      run: (k, [x], float) => k.Cast(x, to === 'float' ? float : to),
    });
  cast(
    'float to int32 truncates toward zero',
    ['odd'],
    { shape: [7], values: [2.7, -2.7, 0.5, -0.5, 1e6, -3, 7] },
    'int32',
  );
  cast(
    'NaN, ±Inf to 0 and large values wrap',
    ['special'],
    { shape: [8], values: [Number.NaN, Infinity, -Infinity, 3e9, -3e9, 5e9, 2147483520, -2147483648] },
    'int32',
  );
  // Rounded to the nearest float32 (2147483647 becomes 2^31), hence compared within float tolerance.
  add({
    kernel: 'Cast',
    name: 'int32 to float',
    covers: ['int32', 'odd'],
    inputs: [{ shape: [5], values: [-2147483648, 2147483647, 0, -7, 16777217], int32: true }],
    run: (k, [x], float) => k.Cast(x, float),
  });
  cast('float to float', ['odd'], { shape: [3, 5], values: 'normal' }, 'float');
  cast('scalar', ['scalar'], { shape: [], values: [-3.5] }, 'int32');
  cast('size 0', ['size0'], { shape: [0, 2], values: 'normal' }, 'int32');
  cast('rank 4', ['rank4'], { shape: [2, 3, 4, 5], values: 'wide' }, 'int32');
  add({
    kernel: 'Cast',
    name: 'of a transposed view',
    covers: ['view'],
    tolerance: 'exact',
    inputs: [{ shape: [3, 4], values: 'wide' }],
    run: (k, [x]) => k.Cast(k.Transpose(x, [1, 0]), 'int32'),
  });
}

// ---- Softmax and SoftmaxCrossEntropy -----------------------------------------------------------------
{
  const sm = (name: string, covers: Coverage[], shape: Shape, values: InputSpec['values'] = 'wide'): void =>
    add({ kernel: 'Softmax', name, covers, inputs: [{ shape, values }], run: (k, [x]) => k.Softmax(x) });
  sm('scalar', ['scalar'], []);
  sm('odd [4,7]', ['odd'], [4, 7]);
  sm('long rows [3,1000] (workgroup tree)', ['odd'], [3, 1000]);
  sm('one column [5,1]', ['odd'], [5, 1]);
  sm('rank 4 [2,3,4,5]', ['rank4'], [2, 3, 4, 5]);
  sm('size 0 [0,3]', ['size0'], [0, 3]);
  sm('size 0 [3,0]', ['size0'], [3, 0]);
  sm(
    'rows with NaN, ±Inf, ±1e3',
    ['special'],
    [5, 3],
    [Number.NaN, 1, 2, Infinity, 0, 1, -Infinity, 0, 1, 1e3, 0, -1e3, -Infinity, -Infinity, -Infinity],
  );
  sm(
    'a long row with ±1e3 (tree)',
    ['special'],
    [1, 300],
    Array.from({ length: 300 }, (_, i) => (i === 7 ? 1e3 : i === 8 ? -1e3 : Math.sin(i))),
  );
  add({
    kernel: 'Softmax',
    name: 'transposed rank-3 view',
    covers: ['view'],
    inputs: [{ shape: [4, 3, 5], values: 'wide' }],
    run: (k, [x]) => k.Softmax(k.Transpose(x, [2, 0, 1])),
  });
  add({
    kernel: 'Softmax',
    name: 'broadcast view [1,6] -> [3,6]',
    covers: ['view', 'broadcast'],
    inputs: [{ shape: [1, 6], values: 'wide' }],
    run: (k, [x]) => k.Softmax(k.BroadcastTo(x, [3, 6])),
  });

  const sce = (
    name: string,
    covers: Coverage[],
    shape: Shape,
    logits: InputSpec['values'],
    target: InputSpec['values'] | 'one-hot' | 'soft',
  ): void =>
    add({
      kernel: 'SoftmaxCrossEntropy',
      name,
      covers,
      tolerance: 'reduction',
      inputs:
        target === 'one-hot'
          ? [
              { shape, values: logits },
              { shape: shape.slice(0, 1), values: ints(0, shape[1]) },
            ]
          : target === 'soft'
            ? [
                { shape, values: logits },
                { shape, values: 'wide' },
              ]
            : [
                { shape, values: logits },
                { shape, values: target },
              ],
      run: (k, [x, t], float) => {
        if (target === 'one-hot') return k.SoftmaxCrossEntropy(x, k.OneHot(t, shape[1], float));
        if (target === 'soft') return k.SoftmaxCrossEntropy(x, k.Softmax(t));
        return k.SoftmaxCrossEntropy(x, t);
      },
    });
  sce('odd [5,7] with one-hot targets', ['odd'], [5, 7], 'wide', 'one-hot');
  sce('odd [4,3] with soft targets', ['odd'], [4, 3], 'wide', 'soft');
  sce('one class [1,1]', ['scalar'], [1, 1], 'wide', 'one-hot');
  sce('long rows [3,600] (workgroup tree)', ['odd'], [3, 600], 'wide', 'one-hot');
  sce('size 0 [0,3]', ['size0'], [0, 3], 'wide', 'soft');
  sce(
    '±1e3 logits, -Inf where the target is 0',
    ['special'],
    [3, 3],
    [1e3, -1e3, 0, -Infinity, 2, 1, 1e3, 1e3, -Infinity],
    [1, 0, 0, 0, 1, 0, 0.5, 0.5, 0],
  );
  sce('NaN logits', ['special'], [2, 2], [Number.NaN, 1, 2, 3], [1, 0, 0, 1]);
  add({
    kernel: 'SoftmaxCrossEntropy',
    name: 'transposed view of the logits',
    covers: ['view'],
    tolerance: 'reduction',
    inputs: [
      { shape: [4, 6], values: 'wide' },
      { shape: [6, 4], values: 'wide' },
    ],
    run: (k, [x, t]) => k.SoftmaxCrossEntropy(k.Transpose(x, [1, 0]), k.Softmax(t)),
  });
}

/** Every case of the table. */
export const KERNEL_CASES: readonly KernelCase[] = [
  ...cases,
  ...SLICING_KERNEL_CASES,
  ...MATMUL_GATHER_KERNEL_CASES,
  ...MATH_KERNEL_CASES,
  ...RECURRENT_KERNEL_CASES,
];

/** Coverage classes that cannot apply to a kernel, with the reason. */
export const EXEMPT: Partial<Record<KernelName, Partial<Record<Coverage, string>>>> = {
  ArgMax: {
    broadcast: 'covered by the views of other kernels; a broadcast axis has only ties',
    scalar: 'a scalar has no axis',
  },
  MatMul: { int32: 'matrix products are float-only' },
  Softmax: { int32: 'softmax is float-only' },
  SoftmaxCrossEntropy: {
    rank4: 'logits are [N, C]',
    broadcast: 'logits and targets have one shape',
    int32: 'float-only',
  },
  OneHot: { broadcast: 'indices only', view: 'indices are plain arrays in every use' },
  Cast: { broadcast: 'covered by the views of other kernels' },
  Transpose: { broadcast: 'covered by BroadcastTo of a transposed view' },
  Reshape: {},
  Exp: { int32: 'int32 covers Neg and Abs; transcendental functions of integers truncate a float result' },
  Log: { int32: 'as Exp' },
  Sqrt: { int32: 'as Exp' },
  Sigmoid: { int32: 'as Exp' },
  Tanh: { int32: 'as Exp' },
  Log1p: { int32: 'as Exp' },
  Erf: { int32: 'as Exp' },
  ...RECURRENT_EXEMPT,
};
