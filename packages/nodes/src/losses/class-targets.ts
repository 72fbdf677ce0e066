import { defineNode, type FloatDType } from '@graphgrad/core';

/**
 * The ClassTargets node (not differentiable): from int32 class indices (M of them, any shape), the target
 * probabilities [M, C] (one-hot rows, smoothed) and the row weights [M] (1, or 0 for a row whose
 * index is `ignoreIndex`, whose probabilities are then 0 too).
 */
export const ClassTargetsNode = defineNode<{
  /** C, the number of classes. */
  classes: number;
  /** The index of rows to leave out. */
  ignoreIndex: number;
  /** ε: each row becomes (1 - ε)·one-hot + ε/C. */
  smoothing: number;
  /** The float dtype of both outputs. */
  dtype: FloatDType;
}>({
  kind: 'ClassTargets',
  inputs: ['target'],
  differentiable: [false],
  forward: (k, [indices], { classes, ignoreIndex, smoothing, dtype }, backend) => {
    const rows = indices.shape.reduce((n, d) => n * d, 1);
    const target = k.Reshape(indices, [rows]);
    const keep = k.NotEqual(target, backend.fill([], ignoreIndex, 'int32'));
    // an ignored row picks class 0 (a valid row for OneHot) and is zeroed with its weight
    let p = k.OneHot(k.Mul(target, keep), classes, dtype);
    if (smoothing > 0) {
      p = k.Add(k.Mul(p, backend.fill([], 1 - smoothing, dtype)), backend.fill([], smoothing / classes, dtype));
    }
    const weight = k.Cast(keep, dtype);
    return [k.Mul(p, k.Reshape(weight, [rows, 1])), weight];
  },
  // targets are constants
  backward: () => [null],
});
