import {
  ArgumentError,
  broadcastShapes,
  DTypeError,
  formatShape,
  ShapeError,
  shapesEqual,
  Tensor,
} from '@graphgrad/core';
import { add } from '../add.ts';
import { logSigmoid } from '../log-sigmoid.ts';
import { mul } from '../mul.ts';
import { sub } from '../sub.ts';
import { describeValue, requireFloat, requireOptions } from '../validate.ts';
import { checkReduction, reduceLoss, type LossReduction } from './reduction.ts';

/** Options of `binaryCrossEntropyWithLogits`. */
export interface BinaryCrossEntropyOptions {
  /** `'mean'` (default), `'sum'`, or `'none'`: one loss per element. */
  reduction?: LossReduction;
  /**
   * The weight of the positive targets' term: a number, or a tensor broadcast against the logits
   * (one per class along the last axis, say); default 1. Above 1 it favours recall.
   */
  posWeight?: Tensor | number;
}

/**
 * Binary cross entropy of sigmoid(logits) against targets t in [0, 1], elementwise
 * (`torch.nn.functional.binary_cross_entropy_with_logits`; the book's SigmoidWithLoss, as negative
 * sampling uses it): ℓ = -[w·t·log σ(x) + (1 - t)·log(1 - σ(x))] with w = `posWeight`, computed
 * as (1 - t)·x - (1 + (w - 1)·t)·log σ(x) with a stable log σ, so saturated logits (±1e4) give
 * finite losses and the gradient σ(x) - t at its exact limit. Composed of existing nodes; the
 * gradient reaches the targets too.
 *
 * @example
 * binaryCrossEntropyWithLogits(scores, labels);                  // the mean loss
 * binaryCrossEntropyWithLogits(scores, labels, { posWeight: 3 }); // positives weigh 3×
 */
export function binaryCrossEntropyWithLogits(
  logits: Tensor,
  target: Tensor,
  options: BinaryCrossEntropyOptions = {},
): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  requireFloat(op, logits, 'logits');
  requireOptions(op, options);
  requireFloat(op, target, 'target');
  if (target.dtype !== logits.dtype)
    throw new DTypeError(`${op}: target is ${target.dtype}, logits are ${logits.dtype}`);
  if (!shapesEqual(target.shape, logits.shape)) {
    throw new ShapeError(
      `${op}: target ${formatShape(target.shape)} does not match logits ${formatShape(logits.shape)}`,
    );
  }
  const reduction = options.reduction ?? 'mean';
  checkReduction(op, reduction);
  const { posWeight } = options;
  if (posWeight instanceof Tensor) {
    requireFloat(op, posWeight, 'posWeight');
    if (posWeight.dtype !== logits.dtype)
      throw new DTypeError(`${op}: posWeight is ${posWeight.dtype}, logits are ${logits.dtype}`);
    if (!shapesEqual(broadcastShapes(op, posWeight.shape, logits.shape), logits.shape)) {
      throw new ShapeError(
        `${op}: posWeight ${formatShape(posWeight.shape)} does not broadcast to logits ${formatShape(logits.shape)}`,
      );
    }
  } else if (posWeight !== undefined && (typeof posWeight !== 'number' || !Number.isFinite(posWeight))) {
    throw new ArgumentError(`${op}: posWeight must be a finite number or a Tensor, got ${describeValue(posWeight)}`);
  }
  const logSig = logSigmoid(logits);
  let positive = logSig;
  if (posWeight instanceof Tensor) positive = mul(add(mul(target, sub(posWeight, 1)), 1), logSig);
  else if (posWeight !== undefined && posWeight !== 1) positive = mul(add(mul(target, posWeight - 1), 1), logSig);
  return reduceLoss(sub(mul(sub(1, target), logits), positive), reduction);
}
