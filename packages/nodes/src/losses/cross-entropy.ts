import {
  ArgumentError,
  defineNode,
  DTypeError,
  formatShape,
  full,
  isFloatDType,
  normalizeAxis,
  ShapeError,
  shapesEqual,
  sizeOf,
  type Tensor,
  type FloatDType,
} from '@graphgrad/core';
import { add } from '../add.ts';
import { div } from '../div.ts';
import { mul } from '../mul.ts';
import { reshape } from '../reshape.ts';
import { softmax } from '../softmax.ts';
import { sub } from '../sub.ts';
import { sum } from '../sum.ts';
import { transpose } from '../transpose.ts';
import { describeValue, requireFloat, requireOptions, requireTensor } from '../validate.ts';
import { ClassTargetsNode } from './class-targets.ts';
import { checkReduction, type LossReduction } from './reduction.ts';

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions {
  /**
   * The class axis of the logits (default -1, the last, as the book's [N, T, C] scores). PyTorch's
   * `cross_entropy` takes classes on axis 1 ([N, C] or [N, C, T]): pass `axis: 1` for logits laid
   * out that way. For [N, C] logits both are the same axis.
   */
  axis?: number;
  /**
   * A class index whose targets contribute neither to the loss nor to the mean's count (default
   * -100, PyTorch's); for int32 targets only.
   */
  ignoreIndex?: number;
  /** `'mean'` over the counted targets (default), `'sum'`, or `'none'`: one loss per target. */
  reduction?: LossReduction;
  /** ε in [0, 1]: each target row becomes (1 - ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

/**
 * The CrossEntropy node over rows: logits [M, C], target probabilities [M, C] and row weights [M]
 * (0 for an ignored row), reduced by weighted mean, sum or not at all.
 */
export const CrossEntropyNode = defineNode<{
  /** How the rows' losses are combined. */
  reduction: LossReduction;
}>({
  kind: 'CrossEntropy',
  inputs: ['logits', 'target', 'weight'],
  differentiable: [true, false, false],
  forward: (k, [logits, target, weight], { reduction }, backend) => {
    // NOTE: the fused kernel computes logsumexp(a) - Σ t·a itself, never log(softmax(a)), so a
    // saturated logit (±1e4) gives a finite loss instead of log(0). A row of weight 0 is 0 whatever
    // its logits (Where, not a product that would keep an infinite or NaN row).
    const rows = k.Where(
      weight,
      k.Mul(k.SoftmaxCrossEntropy(logits, target), weight),
      backend.fill([], 0, logits.dtype),
    );
    if (reduction === 'none') return rows;
    const total = k.Sum(rows, [0], false);
    return reduction === 'sum' ? total : k.Div(total, k.Sum(weight, [0], false));
  },
  // dlogits = (softmax(logits)·Σ_c t - t)·w·g, with g = dy per row ('none'), dy ('sum') or dy/Σw ('mean')
  backward: ({ inputs: [logits, target, weight], attrs: { reduction } }, dy) => {
    const rows = logits.shape[0];
    const g = reduction === 'none' ? reshape(dy, [rows, 1]) : reduction === 'sum' ? dy : div(dy, sum(weight));
    const residual = sub(mul(softmax(logits), sum(target, 1, true)), target);
    return [mul(residual, mul(reshape(weight, [rows, 1]), g)), null, null];
  },
});

/** The values of an int32 tensor when the host can read them now (CPU, or data an asynchronous backend kept). */
function hostValuesOf(t: Tensor): ArrayLike<number> | undefined {
  return t.backend.readSync?.(t.array) ?? t.backend.hostValues?.(t.array);
}

/**
 * Cross entropy between softmax(logits) along the class axis and the targets
 * (`torch.nn.functional.cross_entropy`), for logits of any rank with the classes on `axis` (default
 * the last: [N, C], the book's [N, T, C]; PyTorch's layout is `axis: 1`). `target` is either int32
 * class indices shaped like the logits without the class axis, where `ignoreIndex` (default -100)
 * marks targets that contribute neither to the loss nor to the mean's count, or float probabilities
 * shaped like the logits. `labelSmoothing` ε mixes each target with the uniform distribution;
 * `reduction` is `'mean'` (default), `'sum'` or `'none'` (the losses, shaped like an index target).
 * Finite for saturated logits (±1e4), with the gradient softmax - target at its exact limit.
 *
 * @example
 * crossEntropy(scores, labels);                                // [N, C], int32 [N]: the mean loss
 * crossEntropy(scores, ids, { ignoreIndex: 0 });               // [N, T, C], int32 [N, T], 0 = padding
 * crossEntropy(scoresNCT, ids, { axis: 1, reduction: 'none' }); // PyTorch's [N, C, T] layout: [N, T]
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  requireFloat('crossEntropy', logits, 'logits');
  requireOptions('crossEntropy', options);
  requireTensor('crossEntropy', target, 'target');
  const { ignoreIndex = -100, labelSmoothing = 0 } = options;
  const reduction = options.reduction ?? 'mean';
  checkReduction('crossEntropy', reduction);
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex))
    throw new ArgumentError(`crossEntropy: ignoreIndex must be an integer, got ${describeValue(ignoreIndex)}`);
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing <= 1))
    throw new ArgumentError(`crossEntropy: labelSmoothing must be in [0, 1], got ${describeValue(labelSmoothing)}`);
  if (logits.rank === 0) throw new ShapeError('crossEntropy: logits must have a class axis, got a scalar []');
  const axis = normalizeAxis('crossEntropy', options.axis ?? -1, logits.rank);
  const classes = logits.shape[axis];
  if (classes === 0)
    throw new ShapeError(`crossEntropy: the class axis ${axis} of logits ${formatShape(logits.shape)} has no classes`);
  const rest = logits.shape.filter((_, i) => i !== axis);
  const rows = sizeOf(rest);
  const dtype = logits.dtype as FloatDType;
  // the classes last, then one row per target
  const perm = [...rest.map((_, i) => (i < axis ? i : i + 1)), axis];
  const asRows = (t: Tensor): Tensor => reshape(axis === logits.rank - 1 ? t : transpose(t, perm), [rows, classes]);

  let probabilities: Tensor;
  let weight: Tensor;
  if (target.dtype === 'int32') {
    if (!shapesEqual(target.shape, rest)) {
      throw new ShapeError(
        `crossEntropy: class indices ${formatShape(target.shape)} do not match logits ${formatShape(logits.shape)} with classes on axis ${axis} (expected ${formatShape(rest)})`,
      );
    }
    const values = hostValuesOf(target);
    if (values !== undefined) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (!(v >= 0 && v < classes) && v !== ignoreIndex) {
          throw new ArgumentError(
            `crossEntropy: class index ${v} is outside [0, ${classes}) and is not ignoreIndex (${ignoreIndex})`,
          );
        }
      }
    }
    [probabilities, weight] = ClassTargetsNode.applyMany([target], {
      classes,
      ignoreIndex,
      smoothing: labelSmoothing,
      dtype,
    });
  } else {
    if (!isFloatDType(target.dtype) || target.dtype !== logits.dtype) {
      throw new DTypeError(
        `crossEntropy: target is ${target.dtype}, logits are ${logits.dtype}; pass int32 class indices or ${logits.dtype} probabilities`,
      );
    }
    if (!shapesEqual(target.shape, logits.shape)) {
      throw new ShapeError(
        `crossEntropy: target probabilities ${formatShape(target.shape)} do not match logits ${formatShape(logits.shape)}`,
      );
    }
    const flat = asRows(target);
    probabilities = labelSmoothing > 0 ? add(mul(flat, 1 - labelSmoothing), labelSmoothing / classes) : flat;
    weight = full([rows], 1, { dtype, backend: logits.backend });
  }
  const loss = CrossEntropyNode.apply([asRows(logits), probabilities, weight], { reduction });
  return reduction === 'none' ? reshape(loss, rest) : loss;
}
