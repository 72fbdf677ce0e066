import type { Optimizer } from '../optimizers/optimizer.ts';
import { checkOption, LRScheduler } from './lr-scheduler.ts';

/** Options of `StepLR`. */
export interface StepLROptions {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** The factor each decay multiplies the learning rate by (default 0.1). */
  readonly gamma?: number;
}

/**
 * Step decay, PyTorch's `StepLR`: lr = baseLr·gamma^⌊epoch / stepSize⌋.
 *
 * @example
 * const schedule = new StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** The factor of each decay. */
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    const { stepSize, gamma = 0.1 } = options;
    checkOption('StepLR', 'stepSize', stepSize, Number.isInteger(stepSize) && stepSize >= 1, 'a positive integer');
    checkOption('StepLR', 'gamma', gamma, Number.isFinite(gamma) && gamma > 0, 'a finite number > 0');
    super(optimizer);
    this.stepSize = stepSize;
    this.gamma = gamma;
  }

  /** baseLr·gamma^⌊epoch / stepSize⌋. */
  lrAt(epoch: number, baseLr: number): number {
    return baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}
