// Extreme values: finite where the math is finite. Softmax and softmax-with-loss of logits of ±1e4
// (short rows and the wide rows WebGPU reduces with a workgroup), sigmoid and tanh of ±1e3, log of
// 0, each with its gradient, on the CPU in float64 and float32 and on WebGPU. The expected values
// are worked out by hand beside each case; the tolerance is a few units of the dtype's precision.
import { describe, expect, it } from 'vitest';
import { tensor, type Backend, type DType, type Tensor } from '../src/index.ts';
import * as nodes from '@graphgrad/nodes';
import { testBackendDTypes } from '@graphgrad/test-backends';

const { log, mul, sigmoid, softmax, softmaxWithLoss, sum, tanh } = nodes;

interface Row {
  readonly label: string;
  readonly backend: Backend | null;
  readonly dtype: DType;
  /** A few units in the last place of the dtype, relative. */
  readonly rtol: number;
  readonly skip: string | null;
}

const ROWS: readonly Row[] = (await testBackendDTypes()).map((b) => ({
  ...b,
  rtol: b.dtype === 'float64' ? 1e-14 : 1e-6,
  skip: b.reason,
}));

/** Every value finite and within `rtol` (relative to max(1, |expected|)) of the expected one. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[], rtol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Number.isFinite(actual[i]), `element ${i} is ${actual[i]}`).toBe(true);
    expect(Math.abs(actual[i] - expected[i]), `element ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(
      rtol * Math.max(1, Math.abs(expected[i])),
    );
  }
}

const BIG = 1e4;
const WIDE = 100; // wider than the rows WebGPU's softmax handles in one invocation (32)

describe.each(ROWS)('extreme values on $label', (row) => {
  const test = row.skip === null ? it : it.skip;
  const make = (values: number[] | number[][], requiresGrad = false): Tensor =>
    tensor(values, { backend: row.backend!, dtype: row.dtype, requiresGrad });

  test('softmax of logits ±1e4 is finite, rows sum to 1, and so is its gradient', async () => {
    const logits = make(
      [
        [BIG, -BIG, 0], // e^-1e4 and e^-2e4 vanish: [1, 0, 0]
        [-BIG, -BIG, -BIG], // equal logits: 1/3 each, however negative
        [BIG, BIG, -BIG], // [1/2, 1/2, 0]
      ],
      true,
    );
    const y = softmax(logits);
    const third = 1 / 3;
    expectClose(await y.data(), [1, 0, 0, third, third, third, 0.5, 0.5, 0], row.rtol);
    // d/dx Σ w·softmax(x) = y·(w - Σ y·w) with w = [1, 2, 3]: row 1 gives ⅓·([1,2,3] - 2), row 2 ½·([1,2] - 1.5)
    sum(
      mul(
        y,
        make([
          [1, 2, 3],
          [1, 2, 3],
          [1, 2, 3],
        ]),
      ),
    ).backward();
    expectClose(await logits.grad!.data(), [0, 0, 0, -third, 0, third, -0.25, 0.25, 0], row.rtol);
  });

  test('softmax of wide rows of ±1e4', async () => {
    // row 0: +1e4 at column 7 only, a one-hot; row 1: +1e4 at the even columns, 1/50 each there
    const values = [
      Array.from({ length: WIDE }, (_, c) => (c === 7 ? BIG : -BIG)),
      Array.from({ length: WIDE }, (_, c) => (c % 2 === 0 ? BIG : -BIG)),
    ];
    const logits = make(values, true);
    const y = softmax(logits);
    const expected = [
      ...values[0].map((_, c) => (c === 7 ? 1 : 0)),
      ...values[1].map((_, c) => (c % 2 === 0 ? 1 / 50 : 0)),
    ];
    expectClose(await y.data(), expected, row.rtol);
    // with w = column index: y·(w - Σ y·w); row 0 gives 0, row 1 (mean of even columns 49) (c - 49)/50 at even c
    sum(mul(y, make([values[0].map((_, c) => c), values[1].map((_, c) => c)]))).backward();
    expectClose(
      await logits.grad!.data(),
      [...values[0].map(() => 0), ...values[1].map((_, c) => (c % 2 === 0 ? (c - 49) / 50 : 0))],
      row.rtol,
    );
  });

  test('softmaxWithLoss of logits ±1e4 with class labels: finite loss and gradient', async () => {
    const logits = make(
      [
        [BIG, -BIG, 0], // label 1: logsumexp 1e4 minus -1e4 = 2e4
        [-BIG, -BIG, -BIG], // label 0: log 3
        [BIG, BIG, -BIG], // label 2: 1e4 + log 2 + 1e4
      ],
      true,
    );
    const loss = softmaxWithLoss(logits, tensor([1, 0, 2], { backend: row.backend!, dtype: 'int32' }));
    expectClose(await loss.data(), [(2 * BIG + Math.log(3) + 2 * BIG + Math.log(2)) / 3], row.rtol);
    loss.backward();
    // (softmax - one-hot) / 3
    const third = 1 / 3;
    expectClose(
      await logits.grad!.data(),
      [third, -third, 0, (third - 1) / 3, third / 3, third / 3, 0.5 / 3, 0.5 / 3, -third],
      row.rtol,
    );
  });

  test('softmaxWithLoss of logits ±1e4 with target probabilities, short and wide rows', async () => {
    // short: target ½/½ on two columns of +1e4 is their softmax: loss 1e4 + log 2 - 1e4 = log 2
    const short = make([[BIG, BIG, -BIG]], true);
    const shortLoss = softmaxWithLoss(short, make([[0.5, 0.5, 0]]));
    expectClose(await shortLoss.data(), [Math.log(2)], row.rtol);
    shortLoss.backward();
    expectClose(await short.grad!.data(), [0, 0, 0], row.rtol);
    // wide: every column -1e4 but column 7 at +1e4, target all on column 0: loss 2e4; gradient y - t
    const values = Array.from({ length: WIDE }, (_, c) => (c === 7 ? BIG : -BIG));
    const wide = make([values], true);
    const wideLoss = softmaxWithLoss(wide, make([values.map((_, c) => (c === 0 ? 1 : 0))]));
    expectClose(await wideLoss.data(), [2 * BIG], row.rtol);
    wideLoss.backward();
    expectClose(
      await wide.grad!.data(),
      values.map((_, c) => (c === 7 ? 1 : c === 0 ? -1 : 0)),
      row.rtol,
    );
  });

  test('a masked (-Inf) logit: probability 0, finite loss and gradient', async () => {
    const logits = make([[Number.NEGATIVE_INFINITY, 0, 0]], true);
    expectClose(await softmax(logits).data(), [0, 0.5, 0.5], row.rtol);
    // label 1: log(e^0 + e^0) - 0 = log 2; gradient softmax - one-hot
    const loss = softmaxWithLoss(logits, tensor([1], { backend: row.backend!, dtype: 'int32' }));
    expectClose(await loss.data(), [Math.log(2)], row.rtol);
    loss.backward();
    expectClose(await logits.grad!.data(), [0, -0.5, 0.5], row.rtol);
  });

  test('sigmoid of ±1e3 saturates to 0 and 1 with a finite (zero) gradient', async () => {
    const x = make([-1e3, 1e3, 0], true);
    const y = sigmoid(x);
    expectClose(await y.data(), [0, 1, 0.5], row.rtol);
    sum(y).backward();
    // y·(1 - y)
    expectClose(await x.grad!.data(), [0, 0, 0.25], row.rtol);
  });

  test('tanh of ±1e3 saturates to ±1 with a zero gradient', async () => {
    const x = make([-1e3, 1e3, 0], true);
    const y = tanh(x);
    expectClose(await y.data(), [-1, 1, 0], row.rtol);
    sum(y).backward();
    // 1 - y²
    expectClose(await x.grad!.data(), [0, 0, 1], row.rtol);
  });

  test('log(0) is -Inf and its gradient +Inf, as the math says', async () => {
    const x = make([0, 1, Math.E], true);
    const y = log(x);
    const values = await y.data();
    expect(values[0]).toBe(Number.NEGATIVE_INFINITY);
    expectClose(values.slice(1), [0, 1], row.rtol);
    sum(y).backward();
    // 1 / x
    const grad = await x.grad!.data();
    expect(grad[0]).toBe(Number.POSITIVE_INFINITY);
    expectClose(grad.slice(1), [1, 1 / Math.E], row.rtol);
  });
});
