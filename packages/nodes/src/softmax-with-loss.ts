import {
  ArgumentError,
  defineNode,
  DTypeError,
  formatShape,
  isFloatDType,
  ShapeError,
  shapesEqual,
  type Tensor,
} from '@graphgrad/core';
import { div } from './div.ts';
import { mul } from './mul.ts';
import { oneHot } from './one-hot.ts';
import { reshape } from './reshape.ts';
import { softmax } from './softmax.ts';
import { sub } from './sub.ts';
import { indexOutside, requireFloat, requireTensor } from './validate.ts';

/**
 * The SoftmaxWithLoss node: mean over the batch of the cross entropy between softmax(logits) and
 * target probabilities, both [N, C].
 */
export const SoftmaxWithLossNode = defineNode({
  kind: 'SoftmaxWithLoss',
  inputs: ['logits', 'target'],
  differentiable: [true, false],
  forward: (k, [logits, target], _attrs, backend) => {
    // NOTE: the fused kernel computes logsumexp(a) - Σ t·a, the exact value of -Σ t·log softmax(a);
    // it needs neither the book's 1e-7 inside the log nor a softmax that could underflow to 0.
    const perRow = k.SoftmaxCrossEntropy(logits, target);
    const total = k.Sum(perRow, [0], false);
    const count = backend.fill([], logits.shape[0], logits.dtype);
    return k.Div(total, count);
  },
  // dlogits = (softmax(logits) - t) · dy / N
  backward: ({ inputs: [logits, target] }, dy) => [mul(sub(softmax(logits), target), div(dy, logits.shape[0])), null],
});

/**
 * Softmax followed by cross entropy, averaged over the batch: the book's SoftmaxWithLoss. `target`
 * is either int32 class indices shaped like `logits` without its last axis, or float probabilities
 * (one-hot rows) shaped like `logits`. Logits of rank above 2 are flattened to rows.
 *
 * @example
 * const loss = softmaxWithLoss(scores, labels); // scores [N, C], labels int32 [N]
 */
export function softmaxWithLoss(logits: Tensor, target: Tensor): Tensor {
  requireFloat('softmaxWithLoss', logits, 'logits');
  if (logits.rank < 2 || logits.size === 0) {
    throw new ShapeError(`softmaxWithLoss: logits must be [N, C] with N, C ≥ 1, got ${formatShape(logits.shape)}`);
  }
  requireTensor('softmaxWithLoss', target, 'target');
  const classes = logits.shape[logits.rank - 1];
  let probabilities: Tensor;
  if (target.dtype === 'int32') {
    if (!shapesEqual(target.shape, logits.shape.slice(0, -1))) {
      throw new ShapeError(
        `softmaxWithLoss: class indices ${formatShape(target.shape)} do not match logits ${formatShape(logits.shape)} (expected ${formatShape(logits.shape.slice(0, -1))})`,
      );
    }
    // Checked here too, so that the message names the call the user made rather than oneHot.
    const bad = indexOutside(target, classes);
    if (bad !== undefined) {
      throw new ArgumentError(
        `softmaxWithLoss: class index ${bad} is outside [0, ${classes}) for logits ${formatShape(logits.shape)}`,
      );
    }
    probabilities = oneHot(target, classes, logits.dtype as 'float32' | 'float64');
  } else {
    if (!isFloatDType(target.dtype) || target.dtype !== logits.dtype) {
      throw new DTypeError(
        `softmaxWithLoss: target is ${target.dtype}, logits are ${logits.dtype}; pass int32 indices or ${logits.dtype} probabilities`,
      );
    }
    if (!shapesEqual(target.shape, logits.shape)) {
      throw new ShapeError(
        `softmaxWithLoss: target ${formatShape(target.shape)} does not match logits ${formatShape(logits.shape)}`,
      );
    }
    probabilities = target;
  }
  const rows = logits.size / classes;
  const flatLogits = logits.rank === 2 ? logits : reshape(logits, [rows, classes]);
  const flatTarget = probabilities.rank === 2 ? probabilities : reshape(probabilities, [rows, classes]);
  return SoftmaxWithLossNode.apply([flatLogits, flatTarget]);
}
