import { ArgumentError, type Tensor } from '@graphgrad/core';
import { mean } from '../mean.ts';
import { sum } from '../sum.ts';
import { describeValue } from '../validate.ts';

/** How a loss combines its per-element values: their mean (the default), their sum, or none (each kept). */
export type LossReduction = 'mean' | 'sum' | 'none';

/** Throws an `ArgumentError` naming `op` unless `reduction` is one of the three. */
export function checkReduction(op: string, reduction: unknown): asserts reduction is LossReduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none')
    throw new ArgumentError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${describeValue(reduction)}`);
}

/** The per-element `losses` reduced as `reduction` says. */
export function reduceLoss(losses: Tensor, reduction: LossReduction): Tensor {
  if (reduction === 'none') return losses;
  return reduction === 'sum' ? sum(losses) : mean(losses);
}
