import type { Optimizer } from '../optimizers/optimizer.ts';
import { checkOption, LRScheduler } from './lr-scheduler.ts';

/** Options of `CosineAnnealingLR`. */
export interface CosineAnnealingLROptions {
  /** Epochs from the base learning rate down to `etaMin` (half a cosine period). */
  readonly tMax: number;
  /** The lowest learning rate (default 0). */
  readonly etaMin?: number;
}

/**
 * Cosine annealing, PyTorch's `CosineAnnealingLR` (closed form):
 * lr = etaMin + (baseLr - etaMin)·(1 + cos(π·epoch / tMax)) / 2, reaching etaMin at tMax (and
 * rising again after it, as PyTorch's does).
 *
 * @example
 * const schedule = new CosineAnnealingLR(optimizer, { tMax: 50, etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs of the descent. */
  readonly tMax: number;
  /** The lowest learning rate. */
  readonly etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    const { tMax, etaMin = 0 } = options;
    checkOption('CosineAnnealingLR', 'tMax', tMax, Number.isInteger(tMax) && tMax >= 1, 'a positive integer');
    checkOption('CosineAnnealingLR', 'etaMin', etaMin, Number.isFinite(etaMin) && etaMin >= 0, 'a finite number ≥ 0');
    super(optimizer);
    this.tMax = tMax;
    this.etaMin = etaMin;
  }

  /** etaMin + (baseLr - etaMin)·(1 + cos(π·epoch / tMax)) / 2. */
  lrAt(epoch: number, baseLr: number): number {
    return this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}
