// The kernel cases of slicing and joining (Slice, SliceScatter, Concat), and of other kernels
// reading the views a slice makes (an offset, strides with gaps).
import type { BackendArray, Kernels, Shape } from '@graphgrad/core';
import type { Coverage, InputSpec, KernelCase } from './kernel-cases.ts';

const SPECIALS = [Number.NaN, Infinity, -Infinity, 0, 0.5, -2, 1e3, -1e3];
const ints = (lo: number, hi: number): InputSpec['values'] => ({ ints: [lo, hi] });

const cases: KernelCase[] = [];
const add = (c: Omit<KernelCase, 'tolerance'> & { tolerance?: KernelCase['tolerance'] }): void => {
  cases.push({ tolerance: 'exact', ...c });
};

/** A region: first position, step and length along each axis. */
interface Region {
  readonly starts: readonly number[];
  readonly steps: readonly number[];
  readonly shape: Shape;
}

// ---- Slice -------------------------------------------------------------------------------------
{
  const s = (
    name: string,
    covers: Coverage[],
    input: InputSpec,
    { starts, steps, shape }: Region,
    view?: (k: Kernels, x: BackendArray) => BackendArray,
  ): void =>
    add({
      kernel: 'Slice',
      name,
      covers,
      inputs: [input],
      run: (k, [x]) => k.Slice(view === undefined ? x : view(k, x), starts, steps, shape),
    });
  const normal = (shape: Shape): InputSpec => ({ shape, values: 'normal' });
  s('scalar (no axes)', ['scalar'], normal([]), { starts: [], steps: [], shape: [] });
  s('one element of [5]', ['scalar'], normal([5]), { starts: [3], steps: [1], shape: [1] });
  s('[5,7] rows 1:4, columns 2::2', ['odd'], normal([5, 7]), { starts: [1, 2], steps: [1, 2], shape: [3, 3] });
  s('[1031] 5::3 (several workgroups read)', ['odd'], normal([1031]), { starts: [5], steps: [3], shape: [342] });
  s("an LSTM's gate [6,4·5] -> [6,5] at 2·5", ['odd'], normal([6, 20]), {
    starts: [0, 10],
    steps: [1, 1],
    shape: [6, 5],
  });
  s('h[:, t, :] of [3,5,4] (as a region [3,1,4])', ['odd'], normal([3, 5, 4]), {
    starts: [0, 2, 0],
    steps: [1, 1, 1],
    shape: [3, 1, 4],
  });
  s('negative steps [5,7] ::-1, 5::-2 (a copy)', ['odd'], normal([5, 7]), {
    starts: [4, 5],
    steps: [-1, -2],
    shape: [5, 3],
  });
  s('negative step [1031] ::-1 (a copy over several workgroups)', ['odd'], normal([1031]), {
    starts: [1030],
    steps: [-1],
    shape: [1031],
  });
  s('empty region of [4,3]', ['size0'], normal([4, 3]), { starts: [0, 0], steps: [1, 1], shape: [0, 3] });
  s('of an empty [0,3]', ['size0'], normal([0, 3]), { starts: [0, 1], steps: [1, 1], shape: [0, 2] });
  s('empty region, negative step', ['size0'], normal([4, 3]), { starts: [0, 2], steps: [1, -1], shape: [4, 0] });
  s('rank 4 [2,3,4,5] with steps 1, 2, -1, 3', ['rank4'], normal([2, 3, 4, 5]), {
    starts: [1, 0, 3, 1],
    steps: [1, 2, -1, 3],
    shape: [1, 2, 4, 2],
  });
  s('rank 4 [2,3,4,5], positive steps (a view)', ['rank4'], normal([2, 3, 4, 5]), {
    starts: [0, 1, 1, 0],
    steps: [1, 1, 2, 2],
    shape: [2, 2, 2, 3],
  });
  s(
    'NaN and ±Inf pass through',
    ['special'],
    { shape: [2, 4], values: SPECIALS },
    {
      starts: [0, 1],
      steps: [1, 1],
      shape: [2, 3],
    },
  );
  s('NaN and ±Inf reversed', ['special'], { shape: [8], values: SPECIALS }, { starts: [7], steps: [-1], shape: [8] });
  s('int32', ['int32'], { shape: [4, 5], values: ints(-100, 100) }, { starts: [1, 4], steps: [2, -2], shape: [2, 3] });
  s(
    'int32, a view',
    ['int32'],
    { shape: [4, 5], values: ints(-100, 100) },
    {
      starts: [1, 1],
      steps: [1, 1],
      shape: [3, 3],
    },
  );
  s('of a transposed view', ['view'], normal([3, 5]), { starts: [1, 0], steps: [2, 1], shape: [2, 3] }, (k, x) =>
    k.Transpose(x, [1, 0]),
  );
  s(
    'of a transposed view, negative step',
    ['view'],
    normal([3, 5]),
    { starts: [4, 2], steps: [-1, -1], shape: [5, 3] },
    (k, x) => k.Transpose(x, [1, 0]),
  );
  s(
    'of a slice (offsets add up)',
    ['view', 'odd'],
    normal([6, 7]),
    { starts: [1, 1], steps: [1, 2], shape: [2, 2] },
    (k, x) => k.Slice(x, [1, 2], [2, 1], [3, 5]),
  );
  s(
    'of a broadcast view [1,5] -> [4,5]',
    ['broadcast', 'view'],
    normal([1, 5]),
    { starts: [1, 3], steps: [2, -1], shape: [2, 3] },
    (k, x) => k.BroadcastTo(x, [4, 5]),
  );
}

// ---- SliceScatter ------------------------------------------------------------------------------
{
  const sc = (
    name: string,
    covers: Coverage[],
    input: InputSpec,
    starts: readonly number[],
    steps: readonly number[],
    into: Shape,
    view?: (k: Kernels, x: BackendArray) => BackendArray,
  ): void =>
    add({
      kernel: 'SliceScatter',
      name,
      covers,
      inputs: [input],
      run: (k, [x]) => k.SliceScatter(view === undefined ? x : view(k, x), starts, steps, into),
    });
  const normal = (shape: Shape): InputSpec => ({ shape, values: 'normal' });
  sc('scalar into a scalar', ['scalar'], normal([]), [], [], []);
  sc('one element into [5]', ['scalar'], normal([1]), [2], [1], [5]);
  sc('[3,3] into [5,7] at 1:4, 2::2', ['odd'], normal([3, 3]), [1, 2], [1, 2], [5, 7]);
  sc('[342] into [1031] at 5::3', ['odd'], normal([342]), [5], [3], [1031]);
  sc("an LSTM gate's gradient [6,5] into [6,20] at 10", ['odd'], normal([6, 5]), [0, 10], [1, 1], [6, 20]);
  sc('negative steps [5,3] into [5,7] at ::-1, 5::-2', ['odd'], normal([5, 3]), [4, 5], [-1, -2], [5, 7]);
  sc('empty into [4,3]', ['size0'], normal([0, 3]), [0, 0], [1, 1], [4, 3]);
  sc('[2,0] into [2,5]', ['size0'], normal([2, 0]), [0, 0], [1, 1], [2, 5]);
  sc('into an empty [0,3]', ['size0'], normal([0, 2]), [0, 1], [1, 1], [0, 3]);
  sc('rank 4 into [2,3,4,5]', ['rank4'], normal([1, 2, 4, 2]), [1, 0, 3, 1], [1, 2, -1, 3], [2, 3, 4, 5]);
  sc('NaN and ±Inf land where written', ['special'], { shape: [2, 4], values: SPECIALS }, [1, 0], [2, 1], [4, 5]);
  sc('int32', ['int32'], { shape: [2, 3], values: ints(-100, 100) }, [1, 4], [2, -2], [4, 5]);
  sc('of a transposed view', ['view'], normal([3, 2]), [1, 0], [2, 1], [5, 3], (k, x) => k.Transpose(x, [1, 0]));
  sc('of a slice view', ['view', 'odd'], normal([6, 7]), [0, 3], [1, 1], [3, 9], (k, x) =>
    k.Slice(x, [1, 2], [2, 1], [3, 5]),
  );
  sc('of a broadcast view [1,3] -> [4,3]', ['broadcast', 'view'], normal([1, 3]), [0, 1], [1, 2], [4, 7], (k, x) =>
    k.BroadcastTo(x, [4, 3]),
  );
}

// ---- Concat ------------------------------------------------------------------------------------
{
  const cat = (
    name: string,
    covers: Coverage[],
    inputs: InputSpec[],
    axis: number,
    view?: (k: Kernels, x: BackendArray, i: number) => BackendArray,
  ): void =>
    add({
      kernel: 'Concat',
      name,
      covers,
      inputs,
      run: (k, xs) => k.Concat(view === undefined ? xs : xs.map((x, i) => view(k, x, i)), axis),
    });
  const normal = (shape: Shape): InputSpec => ({ shape, values: 'normal' });
  cat('one element each [1] and [1]', ['scalar'], [normal([1]), normal([1])], 0);
  cat('[3,5] and [3,2] along 1', ['odd'], [normal([3, 5]), normal([3, 2])], 1);
  cat('[3,5] and [4,5] along 0', ['odd'], [normal([3, 5]), normal([4, 5])], 0);
  cat('one input [2,3]', ['odd'], [normal([2, 3])], 1);
  cat('three [1031] (several workgroups)', ['odd'], [normal([1031]), normal([517]), normal([3])], 0);
  cat(
    'twelve [2,1,3] along 1 (a stack over time)',
    ['odd'],
    Array.from({ length: 12 }, () => normal([2, 1, 3])),
    1,
  );
  cat('an empty input among others', ['size0'], [normal([2, 0]), normal([2, 3]), normal([2, 0])], 1);
  cat('every input empty', ['size0'], [normal([0, 3]), normal([0, 3])], 0);
  cat('empty along another axis', ['size0'], [normal([0, 2]), normal([0, 5])], 1);
  cat('rank 4 along 2', ['rank4'], [normal([2, 3, 1, 5]), normal([2, 3, 4, 5])], 2);
  cat('rank 4 along 3', ['rank4'], [normal([2, 1, 2, 2]), normal([2, 1, 2, 3])], 3);
  cat(
    'NaN and ±Inf',
    ['special'],
    [
      { shape: [2, 4], values: SPECIALS },
      { shape: [2, 1], values: [Number.NaN, -Infinity] },
    ],
    1,
  );
  cat(
    'int32',
    ['int32'],
    [
      { shape: [2, 3], values: ints(-100, 100) },
      { shape: [1, 3], values: [-2147483648, 0, 2147483647], int32: true },
    ],
    0,
  );
  cat('transposed views along 0', ['view'], [normal([3, 2]), normal([3, 4])], 0, (k, x) => k.Transpose(x, [1, 0]));
  cat(
    'slice views along 1 (the LSTM gates reassembled)',
    ['view', 'odd'],
    [normal([3, 8]), normal([3, 8])],
    1,
    (k, x, i) => k.Slice(x, [0, i * 2], [1, 1], [3, 4]),
  );
  cat('a broadcast view and an array', ['broadcast', 'view'], [normal([1, 3]), normal([2, 3])], 0, (k, x, i) =>
    i === 0 ? k.BroadcastTo(x, [4, 3]) : x,
  );
}

// ---- other kernels reading slice views (an offset, strides with gaps) ----------------------------
add({
  kernel: 'Reshape',
  name: 'drops the picked axis of h[:, t, :] (a view of a view)',
  covers: ['view', 'odd'],
  inputs: [{ shape: [3, 5, 4], values: 'normal' }],
  run: (k, [x]) => k.Reshape(k.Slice(x, [0, 2, 0], [1, 1, 1], [3, 1, 4]), [3, 4]),
});
add({
  kernel: 'Reshape',
  name: 'of a column slice read flat (a copy)',
  covers: ['view', 'odd'],
  inputs: [{ shape: [4, 6], values: 'normal' }],
  run: (k, [x]) => k.Reshape(k.Slice(x, [0, 1], [1, 1], [4, 3]), [12]),
});
add({
  kernel: 'Reshape',
  name: 'regroups the outer axes of a column slice (a view)',
  covers: ['view', 'rank4'],
  inputs: [{ shape: [2, 3, 4, 5], values: 'normal' }],
  run: (k, [x]) => k.Reshape(k.Slice(x, [0, 0, 0, 1], [1, 1, 1, 1], [2, 3, 4, 3]), [6, 4, 3]),
});
add({
  kernel: 'Sigmoid',
  name: "of an LSTM gate's slice view",
  covers: ['view'],
  tolerance: 'elementwise',
  inputs: [{ shape: [5, 12], values: 'wide' }],
  run: (k, [x]) => k.Sigmoid(k.Slice(x, [0, 3], [1, 1], [5, 3])),
});
add({
  kernel: 'Mul',
  name: 'of two slice views at different offsets',
  covers: ['view'],
  tolerance: 'elementwise',
  inputs: [{ shape: [5, 12], values: 'normal' }],
  run: (k, [x]) => k.Mul(k.Slice(x, [0, 0], [1, 1], [5, 3]), k.Slice(x, [0, 9], [1, 1], [5, 3])),
});
add({
  kernel: 'MatMul',
  name: 'of a column slice and a row slice',
  covers: ['view'],
  tolerance: 'reduction',
  inputs: [
    { shape: [5, 12], values: 'normal' },
    { shape: [9, 4], values: 'normal' },
  ],
  run: (k, [a, b]) => k.MatMul(k.Slice(a, [0, 3], [1, 1], [5, 6]), k.Slice(b, [2, 0], [1, 1], [6, 4]), false, false),
});
add({
  kernel: 'Sum',
  name: 'of a strided slice view along 1',
  covers: ['view'],
  tolerance: 'reduction',
  inputs: [{ shape: [4, 11], values: 'normal' }],
  run: (k, [x]) => k.Sum(k.Slice(x, [1, 1], [1, 3], [3, 4]), [1], false),
});

// A contiguous slice at an offset (rows t: of a sequence) is read in place by the fast paths too.
add({
  kernel: 'Sigmoid',
  name: 'of rows 1: of [3,8192] (contiguous at an offset, large)',
  covers: ['view'],
  tolerance: 'elementwise',
  inputs: [{ shape: [3, 8192], values: 'wide' }],
  run: (k, [x]) => k.Sigmoid(k.Slice(x, [1, 0], [1, 1], [2, 8192])),
});
add({
  kernel: 'Add',
  name: 'of two row slices of [3,8192] at different offsets (large)',
  covers: ['view'],
  tolerance: 'elementwise',
  inputs: [{ shape: [3, 8192], values: 'normal' }],
  run: (k, [x]) => k.Add(k.Slice(x, [0, 0], [1, 1], [2, 8192]), k.Slice(x, [1, 0], [1, 1], [2, 8192])),
});
add({
  kernel: 'MatMul',
  name: 'of a row slice at an offset, [128,64]·[64,96]',
  covers: ['view'],
  tolerance: 'reduction',
  inputs: [
    { shape: [130, 64], values: 'normal' },
    { shape: [64, 96], values: 'normal' },
  ],
  run: (k, [a, b]) => k.MatMul(k.Slice(a, [2, 0], [1, 1], [128, 64]), b, false, false),
});

/** The cases of the slicing and joining kernels, concatenated into `KERNEL_CASES`. */
export const SLICING_KERNEL_CASES: readonly KernelCase[] = cases;
