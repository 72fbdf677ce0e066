// The kernel cases of the recurrent cells' fused kernels (LSTMCell, GRUCell and their backwards): a
// single unit, odd batches and widths, an empty batch, saturating and non-finite pre-activations, and
// inputs that are views (transposed, and contiguous views at an offset).
import type { BackendArray, Kernels, Shape } from '@graphgrad/core';
import type { Coverage, InputSpec, KernelCase } from './kernel-cases.ts';

const cases: KernelCase[] = [];

/** Pre-activations that saturate the gates, and non-finite ones (NaN, ±Inf) among ordinary values. */
const saturating = (n: number): number[] =>
  Array.from(
    { length: n },
    (_, i) => [Number.NaN, Infinity, -Infinity, 1e3, -1e3, 30, -30, 0][i % 11] ?? Math.sin(i * 1.3) * 2,
  );

type Run = (k: Kernels, xs: readonly BackendArray[]) => BackendArray;

/** A case of `kernel`, compared elementwise with the oracle. */
function add(kernel: KernelCase['kernel'], name: string, covers: Coverage[], inputs: InputSpec[], run: Run): void {
  cases.push({ kernel, name, covers, inputs, tolerance: 'elementwise', run: (k, xs) => run(k, xs) });
}

// LSTMCell(gates [N, 4H], c [N, H]) and LSTMCellBackward(gates, c, dh, dc)
const lstm = (n: number, h: number, values: InputSpec['values'] = 'wide'): InputSpec[] => [
  { shape: [n, 4 * h], values },
  { shape: [n, h], values: 'normal' },
];
const lstmGrads = (n: number, h: number): InputSpec[] => [
  { shape: [n, h], values: 'normal' },
  { shape: [n, h], values: 'normal' },
];
const shapes: [string, Coverage[], number, number][] = [
  ['one unit [1,4]', ['scalar'], 1, 1],
  ['odd N 3, H 5', ['odd'], 3, 5],
  ['N 17, H 33 (several workgroups)', ['odd'], 17, 33],
  ['empty batch N 0', ['size0'], 0, 4],
];
for (const [name, covers, n, h] of shapes) {
  add('LSTMCell', name, covers, lstm(n, h), (k, [a, c]) => k.LSTMCell(a, c));
  add('LSTMCellBackward', name, covers, [...lstm(n, h), ...lstmGrads(n, h)], (k, [a, c, dh, dc]) =>
    k.LSTMCellBackward(a, c, dh, dc),
  );
}
add('LSTMCell', 'saturated and non-finite gates', ['special'], lstm(2, 11, saturating(88)), (k, [a, c]) =>
  k.LSTMCell(a, c),
);
add(
  'LSTMCellBackward',
  'saturated and non-finite gates',
  ['special'],
  [...lstm(2, 11, saturating(88)), ...lstmGrads(2, 11)],
  (k, [a, c, dh, dc]) => k.LSTMCellBackward(a, c, dh, dc),
);
// views: the gates transposed from [4H, N]; c and the gradients the second half of a [2, N, H]
// array (as an LSTM's c' is the second half of its step's output: contiguous, at an offset)
const sliced = (k: Kernels, x: BackendArray, shape: Shape): BackendArray =>
  k.Reshape(k.Slice(x, [1, 0, 0], [1, 1, 1], [1, ...shape]), shape);
const halves: InputSpec = { shape: [2, 3, 3], values: 'normal' };
add(
  'LSTMCell',
  'transposed gates, c a contiguous view at an offset',
  ['view'],
  [{ shape: [12, 3], values: 'wide' }, halves],
  (k, [a, c]) => k.LSTMCell(k.Transpose(a, [1, 0]), sliced(k, c, [3, 3])),
);
add(
  'LSTMCellBackward',
  'transposed gates, c and the gradients views at an offset',
  ['view'],
  [{ shape: [12, 3], values: 'wide' }, halves, halves, halves],
  (k, [a, c, dh, dc]) =>
    k.LSTMCellBackward(k.Transpose(a, [1, 0]), sliced(k, c, [3, 3]), sliced(k, dh, [3, 3]), sliced(k, dc, [3, 3])),
);

// GRUCell(xg [N, 3H], hg [N, 3H], h [N, H]) and GRUCellBackward(xg, hg, h, dy)
const gru = (n: number, h: number, values: InputSpec['values'] = 'wide'): InputSpec[] => [
  { shape: [n, 3 * h], values },
  { shape: [n, 3 * h], values: 'normal' },
  { shape: [n, h], values: 'normal' },
];
for (const [name, covers, n, h] of shapes) {
  add('GRUCell', name, covers, gru(n, h), (k, [x, y, h0]) => k.GRUCell(x, y, h0));
  add('GRUCellBackward', name, covers, [...gru(n, h), { shape: [n, h], values: 'normal' }], (k, [x, y, h0, d]) =>
    k.GRUCellBackward(x, y, h0, d),
  );
}
add('GRUCell', 'saturated and non-finite gates', ['special'], gru(2, 11, saturating(66)), (k, [x, y, h0]) =>
  k.GRUCell(x, y, h0),
);
add(
  'GRUCellBackward',
  'saturated and non-finite gates',
  ['special'],
  [...gru(2, 11, saturating(66)), { shape: [2, 11], values: 'normal' }],
  (k, [x, y, h0, d]) => k.GRUCellBackward(x, y, h0, d),
);
add(
  'GRUCell',
  'transposed shares, h a view at an offset',
  ['view'],
  [{ shape: [9, 3], values: 'wide' }, { shape: [9, 3], values: 'normal' }, halves],
  (k, [x, y, h0]) => k.GRUCell(k.Transpose(x, [1, 0]), k.Transpose(y, [1, 0]), sliced(k, h0, [3, 3])),
);
add(
  'GRUCellBackward',
  'transposed shares, h and dy views at an offset',
  ['view'],
  [{ shape: [9, 3], values: 'wide' }, { shape: [9, 3], values: 'normal' }, halves, halves],
  (k, [x, y, h0, d]) =>
    k.GRUCellBackward(k.Transpose(x, [1, 0]), k.Transpose(y, [1, 0]), sliced(k, h0, [3, 3]), sliced(k, d, [3, 3])),
);

/** The recurrent cells' kernel cases. */
export const RECURRENT_KERNEL_CASES: readonly KernelCase[] = cases;

/** Why some coverage classes do not apply to the cells' kernels. */
const WHY = {
  broadcast: 'the gates and the states have one shape each; nothing broadcasts',
  rank4: 'the gates and the states are [N, G·H] and [N, H]',
  int32: 'float-only',
};

/** The exemptions of the recurrent cells' kernels (merged into kernel-cases.ts's EXEMPT). */
export const RECURRENT_EXEMPT = {
  LSTMCell: WHY,
  LSTMCellBackward: WHY,
  GRUCell: WHY,
  GRUCellBackward: WHY,
};
