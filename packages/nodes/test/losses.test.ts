// The losses: crossEntropy against softmaxWithLoss and against its definition (class axis, ignored
// targets, label smoothing, probabilities, each reduction), binaryCrossEntropyWithLogits against
// PyTorch's formula (posWeight), mseLoss, saturated logits (±1e4) on every backend and dtype with
// finite losses and gradients at their exact limits, and the errors of their arguments. The TSDoc
// examples are run here as written.
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  DTypeError,
  ShapeError,
  tensor,
  type Backend,
  type FloatDType,
  type NestedArray,
  type Tensor,
} from '@graphgrad/core';
import { testBackendDTypes } from '@graphgrad/test-backends';
import {
  binaryCrossEntropyWithLogits,
  crossEntropy,
  mseLoss,
  softmax,
  softmaxWithLoss,
  transpose,
} from '../src/index.ts';

const f64 = (values: NestedArray, requiresGrad = false): Tensor => tensor(values, { dtype: 'float64', requiresGrad });
const i32 = (values: NestedArray): Tensor => tensor(values, { dtype: 'int32' });
const values = (t: Tensor): number[] => Array.from(t.dataSync());
/** A matcher of numbers within 10^-digits / 2 of `v`. */
const near = (v: number, digits: number): unknown => expect.closeTo(v, digits);

/** -log softmax(row)[k], in plain float64. */
function nll(row: readonly number[], k: number): number {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[k];
}

const SCORES = [
  [1.5, -0.5, 0.25],
  [0.1, 2.0, -1.0],
  [-0.3, 0.4, 3.0],
];

describe('crossEntropy', () => {
  it('is -log softmax at the label, averaged; softmaxWithLoss for [N, C] (the TSDoc example)', () => {
    const scores = f64(SCORES);
    const labels = i32([0, 2, 1]);
    const expected = (nll(SCORES[0], 0) + nll(SCORES[1], 2) + nll(SCORES[2], 1)) / 3;
    expect(values(crossEntropy(scores, labels))).toEqual([expect.closeTo(expected, 14)]);
    expect(values(crossEntropy(scores, labels))).toEqual(values(softmaxWithLoss(scores, labels)));
    expect(values(crossEntropy(scores, labels, { reduction: 'sum' }))).toEqual([expect.closeTo(3 * expected, 13)]);
    expect(values(crossEntropy(scores, labels, { reduction: 'none' }))).toEqual(
      [nll(SCORES[0], 0), nll(SCORES[1], 2), nll(SCORES[2], 1)].map((v) => near(v, 14)),
    );
  });

  it('takes the classes on any axis: [N, C, T] with axis 1 (PyTorch’s layout) equals [N, T, C]', () => {
    const ntc = f64([SCORES, SCORES.map((r) => r.map((v) => -v))]); // [2, 3, 3]
    const ids = i32([
      [0, 2, 1],
      [1, 1, 0],
    ]);
    const nct = transpose(ntc, [0, 2, 1]);
    const last = crossEntropy(ntc, ids, { reduction: 'none' });
    const axis1 = crossEntropy(nct, ids, { axis: 1, reduction: 'none' });
    expect(last.shape).toEqual([2, 3]);
    expect(values(axis1)).toEqual(values(last).map((v) => near(v, 14)));
    const [sum1, sumLast] = [crossEntropy(nct, ids, { axis: -2 }), crossEntropy(ntc, ids)].map((t) => values(t)[0]);
    expect(sum1).toBeCloseTo(sumLast, 14);
  });

  it('leaves ignoreIndex targets out of the loss, of the mean’s count and of the gradient', () => {
    const scores = f64(SCORES, true);
    const loss = crossEntropy(scores, i32([0, -100, 1]));
    // the mean over the two kept rows, not over three
    expect(values(loss)).toEqual([expect.closeTo((nll(SCORES[0], 0) + nll(SCORES[2], 1)) / 2, 14)]);
    loss.backward();
    const grad = values(scores.grad!);
    expect(grad.slice(3, 6)).toEqual([0, 0, 0]);
    const p = values(softmax(f64(SCORES)));
    expect(grad.slice(0, 3)).toEqual([(p[0] - 1) / 2, p[1] / 2, p[2] / 2].map((v) => near(v, 15)));
    expect(values(crossEntropy(f64(SCORES), i32([0, -100, 1]), { reduction: 'none' }))[1]).toBe(0);
    // another ignoreIndex, padding id 0 of [N, T] targets; every target ignored gives NaN (0/0), as PyTorch
    const padded = crossEntropy(f64([SCORES]), i32([[0, 2, 0]]), { ignoreIndex: 0 });
    expect(values(padded)).toEqual([expect.closeTo(nll(SCORES[1], 2), 14)]);
    expect(values(crossEntropy(f64(SCORES), i32([-100, -100, -100])))).toEqual([Number.NaN]);
  });

  it('smooths labels: (1 - ε)·nll + ε·mean over the classes of -log softmax', () => {
    const eps = 0.1;
    const got = values(crossEntropy(f64(SCORES), i32([0, 2, 1]), { labelSmoothing: eps, reduction: 'none' }));
    const labels = [0, 2, 1];
    expect(got).toEqual(
      SCORES.map((row, n) => {
        const uniform = row.reduce((s, _, c) => s + nll(row, c), 0) / row.length;
        return near((1 - eps) * nll(row, labels[n]) + eps * uniform, 14);
      }),
    );
  });

  it('takes probabilities: -Σ t·log softmax, averaged over the rows', () => {
    const t = softmax(f64(SCORES.map((r) => r.map((v) => 2 * v))));
    const p = values(t);
    const expected =
      SCORES.reduce((s, row, n) => s + row.reduce((r, _, c) => r + p[3 * n + c] * nll(row, c), 0), 0) / 3;
    expect(values(crossEntropy(f64(SCORES), t))).toEqual([expect.closeTo(expected, 14)]);
  });

  it('refuses bad arguments, naming the op, the argument, expected and actual', () => {
    const scores = f64(SCORES);
    expect(() => crossEntropy(scores, i32([0, 3, 1]))).toThrow(
      new ArgumentError('crossEntropy: class index 3 is outside [0, 3) and is not ignoreIndex (-100)'),
    );
    expect(() => crossEntropy(scores, i32([0, 1]))).toThrow(
      new ShapeError('crossEntropy: class indices [2] do not match logits [3,3] with classes on axis 1 (expected [3])'),
    );
    expect(() => crossEntropy(scores, tensor(SCORES))).toThrow(
      new DTypeError(
        'crossEntropy: target is float32, logits are float64; pass int32 class indices or float64 probabilities',
      ),
    );
    expect(() => crossEntropy(scores, f64([1, 0, 0]))).toThrow(
      new ShapeError('crossEntropy: target probabilities [3] do not match logits [3,3]'),
    );
    expect(() => crossEntropy(scores, i32([0, 1, 2]), { labelSmoothing: 1.5 })).toThrow(
      new ArgumentError('crossEntropy: labelSmoothing must be in [0, 1], got 1.5'),
    );
    expect(() => crossEntropy(scores, i32([0, 1, 2]), { reduction: 'avg' as 'mean' })).toThrow(
      new ArgumentError(`crossEntropy: reduction must be 'mean', 'sum' or 'none', got "avg"`),
    );
    expect(() => crossEntropy(f64(1), i32(0))).toThrow(
      new ShapeError('crossEntropy: logits must have a class axis, got a scalar []'),
    );
  });
});

describe('binaryCrossEntropyWithLogits and mseLoss', () => {
  it('bce: -[w·t·log σ(x) + (1 - t)·log(1 - σ(x))] (the TSDoc examples)', () => {
    const x = [0.5, -1.2, 2.0, 0];
    const t = [1, 0, 0.3, 1];
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    const bce = (w: number) => x.map((v, i) => -(w * t[i] * Math.log(sig(v)) + (1 - t[i]) * Math.log(1 - sig(v))));
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    expect(values(binaryCrossEntropyWithLogits(f64(x), f64(t)))).toEqual([expect.closeTo(mean(bce(1)), 14)]);
    expect(values(binaryCrossEntropyWithLogits(f64(x), f64(t), { posWeight: 3 }))).toEqual([
      expect.closeTo(mean(bce(3)), 14),
    ]);
    expect(values(binaryCrossEntropyWithLogits(f64(x), f64(t), { reduction: 'none' }))).toEqual(
      bce(1).map((v) => near(v, 14)),
    );
    // one weight per class along the last axis
    const perClass = binaryCrossEntropyWithLogits(f64([x]), f64([t]), {
      posWeight: f64([3, 3, 1, 1]),
      reduction: 'sum',
    });
    const [a, b] = [bce(3), bce(1)];
    expect(values(perClass)).toEqual([expect.closeTo(a[0] + a[1] + b[2] + b[3], 14)]);
  });

  it('mseLoss: (a - b)² reduced (the TSDoc examples)', () => {
    const prediction = f64([1, 2, 3]);
    const target = f64([1, 4, 0]);
    expect(values(mseLoss(prediction, target))).toEqual([13 / 3]);
    expect(values(mseLoss(prediction, target, { reduction: 'sum' }))).toEqual([13]);
    expect(values(mseLoss(prediction, target, { reduction: 'none' }))).toEqual([0, 4, 9]);
  });

  it('refuse bad arguments, naming the op, the argument, expected and actual', () => {
    const x = f64([1, 2]);
    expect(() => binaryCrossEntropyWithLogits(x, f64([1, 0, 1]))).toThrow(
      new ShapeError('binaryCrossEntropyWithLogits: target [3] does not match logits [2]'),
    );
    expect(() => binaryCrossEntropyWithLogits(x, f64([1, 0]), { posWeight: f64([[1], [2], [3]]) })).toThrow(
      new ShapeError('binaryCrossEntropyWithLogits: posWeight [3,1] does not broadcast to logits [2]'),
    );
    expect(() => binaryCrossEntropyWithLogits(x, f64([1, 0]), { posWeight: Number.NaN })).toThrow(
      new ArgumentError('binaryCrossEntropyWithLogits: posWeight must be a finite number or a Tensor, got NaN'),
    );
    expect(() => mseLoss(x, f64([1, 2, 3]))).toThrow(new ShapeError('mseLoss: a [2] and b [3] must have one shape'));
    expect(() => mseLoss(x, tensor([1, 2]))).toThrow(
      new DTypeError('mseLoss: dtypes differ: a is float64, b is float32'),
    );
  });
});

// Saturated logits: where a naive log(softmax) or log(σ) takes log(0), the losses stay finite and
// their gradients are exactly the limits (softmax - target)/N and (σ - t)/N.
describe.each((await testBackendDTypes()).map((b) => ({ ...b, skip: b.reason })))(
  'saturated logits (±1e4) on $label',
  ({ backend, dtype, skip }) => {
    const test = skip === null ? it : it.skip;
    const make = (v: NestedArray, d: FloatDType | 'int32' = dtype, requiresGrad = false): Tensor =>
      tensor(v, { backend: backend as Backend, dtype: d, requiresGrad });

    test('crossEntropy: losses 0 and 2e4, gradient (softmax - one-hot)/N exactly', async () => {
      const logits = make(
        [
          [1e4, -1e4],
          [-1e4, 1e4],
          [1e4, -1e4],
        ],
        dtype,
        true,
      );
      const labels = make([0, 0, 1], 'int32');
      expect(Array.from(await crossEntropy(logits, labels, { reduction: 'none' }).data())).toEqual([0, 2e4, 2e4]);
      const loss = crossEntropy(logits, labels);
      const [value] = await loss.data();
      expect(value).toBeCloseTo(4e4 / 3, dtype === 'float64' ? 9 : 2);
      loss.backward();
      const third = dtype === 'float64' ? 1 / 3 : Math.fround(1 / 3);
      expect(Array.from(await logits.grad!.data())).toEqual([0, 0, -third, third, third, -third]);
    });

    test('binaryCrossEntropyWithLogits: losses 0 and 1e4, gradient (σ(x) - t)/N exactly', async () => {
      const logits = make([1e4, -1e4, 1e4, -1e4], dtype, true);
      const target = make([1, 0, 0, 1]);
      expect(Array.from(await binaryCrossEntropyWithLogits(logits, target, { reduction: 'none' }).data())).toEqual([
        0, 0, 1e4, 1e4,
      ]);
      const loss = binaryCrossEntropyWithLogits(logits, target);
      expect(Array.from(await loss.data())).toEqual([5e3]);
      loss.backward();
      expect(Array.from(await logits.grad!.data())).toEqual([0, 0, 0.25, -0.25]);
    });
  },
);
