// The gradient cases of the losses: crossEntropy (class indices with ignored targets and label
// smoothing, or probabilities, along any class axis, each reduction), binaryCrossEntropyWithLogits
// (the gradient reaching the targets too, with and without posWeight) and mseLoss.
import fc from 'fast-check';
import { arbitraries } from '@graphgrad/core/testing';
import { sizeOf, tensor, type Tensor } from '@graphgrad/core';
import { binaryCrossEntropyWithLogits, crossEntropy, mseLoss, softmax, type LossReduction } from '../../src/index.ts';
import { instance, int32, show, SMOOTH, type GradientCase } from './support.ts';

const REDUCTIONS: readonly LossReduction[] = ['mean', 'sum', 'none'];

/** Logits of rank 1 to 3 with the class axis drawn among them (written negative half the time). */
const logitsAndAxis = arbitraries
  .shape({ minRank: 1, maxRank: 3 })
  .chain((s) =>
    fc.tuple(
      arbitraries.tensorOf(s, { min: -3, max: 3 }),
      fc.integer({ min: 0, max: s.length - 1 }),
      fc.boolean(),
      fc.constantFrom(...REDUCTIONS),
      fc.constantFrom(0, 0.1),
    ),
  );

export const LOSS_CASES: readonly GradientCase[] = [
  {
    name: 'crossEntropy (class indices, some ignored)',
    node: 'CrossEntropyNode',
    instance: logitsAndAxis
      .chain(([logits, axis, negative, reduction, smoothing]) => {
        const rest = logits.shape.filter((_, i) => i !== axis);
        const classes = logits.shape[axis];
        // -1 stands for the ignored index; at least one target is kept, so that a mean has a count
        return fc
          .array(fc.integer({ min: -1, max: classes - 1 }), { minLength: sizeOf(rest), maxLength: sizeOf(rest) })
          .map((picks) => (picks.every((p) => p < 0) ? picks.map(() => 0) : picks))
          .map((picks) => ({ logits, axis: negative ? axis - logits.rank : axis, reduction, smoothing, picks, rest }));
      })
      .map(({ logits, axis, reduction, smoothing, picks, rest }) => {
        const target = int32(picks, rest);
        const options = { axis, reduction, labelSmoothing: smoothing, ignoreIndex: -1 };
        return instance(
          `crossEntropy ${show(logits.shape)} targets ${JSON.stringify(picks)} ${JSON.stringify(options)}`,
          (x) => crossEntropy(x, target, options),
          [logits],
        );
      }),
  },
  {
    name: 'crossEntropy (probabilities)',
    node: 'CrossEntropyNode',
    instance: logitsAndAxis
      .chain(([logits, axis, , reduction, smoothing]) =>
        arbitraries
          .tensorOf(logits.shape, SMOOTH)
          .map((scores) => ({ logits, axis, reduction, smoothing, target: softmax(scores, axis) })),
      )
      .map(({ logits, axis, reduction, smoothing, target }) => {
        const options = { axis, reduction, labelSmoothing: smoothing };
        return instance(
          `crossEntropy ${show(logits.shape)} probabilities ${JSON.stringify(options)}`,
          (x) => crossEntropy(x, target, options),
          [logits],
        );
      }),
  },
  {
    name: 'binaryCrossEntropyWithLogits',
    node: 'LogSigmoidNode',
    instance: arbitraries
      .shape()
      .chain((s) =>
        fc.tuple(
          arbitraries.tensorOf(s, { min: -6, max: 6 }),
          arbitraries.tensorOf(s, { min: 0, max: 1 }),
          fc.constantFrom(...REDUCTIONS),
          fc.constantFrom<'none' | 'number' | 'tensor'>('none', 'number', 'tensor'),
        ),
      )
      .map(([logits, target, reduction, weighting]) => {
        const last = logits.shape.slice(-1);
        const posWeight: Tensor | number | undefined =
          weighting === 'none'
            ? undefined
            : weighting === 'number'
              ? 2.5
              : tensor(
                  Array.from({ length: sizeOf(last) }, (_, i) => 0.5 + i),
                  { shape: last, dtype: 'float64' },
                );
        return instance(
          `binaryCrossEntropyWithLogits ${show(logits.shape)} reduction=${reduction} posWeight=${weighting}`,
          (x, t) => binaryCrossEntropyWithLogits(x, t, { reduction, posWeight }),
          [logits, target],
        );
      }),
  },
  {
    name: 'mseLoss',
    node: 'SquareNode',
    instance: arbitraries
      .shape()
      .chain((s) =>
        fc.tuple(arbitraries.tensorOf(s, SMOOTH), arbitraries.tensorOf(s, SMOOTH), fc.constantFrom(...REDUCTIONS)),
      )
      .map(([a, b, reduction]) =>
        instance(`mseLoss ${show(a.shape)} reduction=${reduction}`, (x, y) => mseLoss(x, y, { reduction }), [a, b]),
      ),
  },
];
