import { ArgumentError } from '@graphgrad/core';
import type { Optimizer } from '../optimizers/optimizer.ts';
import { checkOption } from './lr-scheduler.ts';

/** Options of `ReduceLROnPlateau`; the defaults are PyTorch's. */
export interface ReduceLROnPlateauOptions {
  /** Whether the metric should fall (`'min'`, default: a loss, a perplexity) or rise (`'max'`: an accuracy). */
  readonly mode?: 'min' | 'max';
  /** The factor a reduction multiplies the learning rate by (default 0.1; the book's is 0.25). */
  readonly factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10; the book's is 0). */
  readonly patience?: number;
  /** How much better than the best a metric must be to count as an improvement (default 1e-4; the book's is 0). */
  readonly threshold?: number;
  /** Whether `threshold` is relative to the best (`'rel'`, default) or absolute (`'abs'`). */
  readonly thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again (default 0). */
  readonly cooldown?: number;
  /** The learning rate is never reduced below this (default 0). */
  readonly minLr?: number;
}

/**
 * Reduces the learning rate when a validation metric stops improving, PyTorch's
 * `ReduceLROnPlateau`: `step(metric)` once per epoch; after more than `patience` epochs without
 * an improvement, every group's lr is multiplied by `factor`. The book's chapter-6 rule, "divide
 * the learning rate by 4 whenever the validation perplexity does not improve", is
 * `{ factor: 0.25, patience: 0, threshold: 0 }`.
 *
 * @example
 * const schedule = new ReduceLROnPlateau(optimizer, { factor: 0.25, patience: 0, threshold: 0 });
 * schedule.step(validationPerplexity);
 */
export class ReduceLROnPlateau {
  /** The optimizer whose groups' `lr` this sets. */
  readonly optimizer: Optimizer;
  /** The best metric so far (Infinity, or -Infinity in 'max' mode, before the first step). */
  best: number;
  /** Epochs since the last improvement. */
  badEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownLeft = 0;
  /** Epochs stepped so far. */
  lastEpoch = 0;
  readonly #options: Required<ReduceLROnPlateauOptions>;

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const resolved: Required<ReduceLROnPlateauOptions> = {
      mode: options.mode ?? 'min',
      factor: options.factor ?? 0.1,
      patience: options.patience ?? 10,
      threshold: options.threshold ?? 1e-4,
      thresholdMode: options.thresholdMode ?? 'rel',
      cooldown: options.cooldown ?? 0,
      minLr: options.minLr ?? 0,
    };
    const op = 'ReduceLROnPlateau';
    if (resolved.mode !== 'min' && resolved.mode !== 'max')
      throw new ArgumentError(`${op}: mode must be 'min' or 'max', got ${String(resolved.mode)}`);
    if (resolved.thresholdMode !== 'rel' && resolved.thresholdMode !== 'abs')
      throw new ArgumentError(`${op}: thresholdMode must be 'rel' or 'abs', got ${String(resolved.thresholdMode)}`);
    const { factor, patience, threshold, cooldown, minLr } = resolved;
    checkOption(op, 'factor', factor, factor > 0 && factor < 1, 'in (0, 1)');
    checkOption(op, 'patience', patience, Number.isInteger(patience) && patience >= 0, 'an integer ≥ 0');
    checkOption(op, 'threshold', threshold, Number.isFinite(threshold) && threshold >= 0, 'a finite number ≥ 0');
    checkOption(op, 'cooldown', cooldown, Number.isInteger(cooldown) && cooldown >= 0, 'an integer ≥ 0');
    checkOption(op, 'minLr', minLr, Number.isFinite(minLr) && minLr >= 0, 'a finite number ≥ 0');
    this.optimizer = optimizer;
    this.#options = resolved;
    this.best = resolved.mode === 'min' ? Infinity : -Infinity;
  }

  #improves(metric: number): boolean {
    const { mode, threshold, thresholdMode } = this.#options;
    if (mode === 'min') return metric < (thresholdMode === 'rel' ? this.best * (1 - threshold) : this.best - threshold);
    return metric > (thresholdMode === 'rel' ? this.best * (1 + threshold) : this.best + threshold);
  }

  /**
   * Records the epoch's metric and reduces every group's learning rate once `patience` epochs
   * have passed without an improvement.
   */
  step(metric: number): void {
    if (Number.isNaN(metric)) throw new ArgumentError('ReduceLROnPlateau.step: the metric is NaN');
    this.lastEpoch++;
    if (this.#improves(metric)) {
      this.best = metric;
      this.badEpochs = 0;
    } else this.badEpochs++;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.#options.patience) {
      for (const group of this.optimizer.paramGroups)
        group.lr = Math.max(group.lr * this.#options.factor, this.#options.minLr);
      this.cooldownLeft = this.#options.cooldown;
      this.badEpochs = 0;
    }
  }

  /**
   * The schedule's position, for checkpoints.
   *
   * @example
   * const saved = schedule.stateDict();
   */
  stateDict(): Record<string, number> {
    return { best: this.best, badEpochs: this.badEpochs, cooldownLeft: this.cooldownLeft, lastEpoch: this.lastEpoch };
  }

  /**
   * Restores a position saved by `stateDict()` (the learning rates themselves are the optimizer's).
   *
   * @example
   * schedule.loadStateDict(saved);
   */
  loadStateDict(dict: Readonly<Record<string, number>>): void {
    const { best, badEpochs, cooldownLeft, lastEpoch } = dict;
    for (const [name, v] of [
      ['badEpochs', badEpochs],
      ['cooldownLeft', cooldownLeft],
      ['lastEpoch', lastEpoch],
    ] as const)
      if (!Number.isSafeInteger(v) || v < 0)
        throw new ArgumentError(`ReduceLROnPlateau.loadStateDict: ${name} must be a non-negative integer, got ${v}`);
    if (typeof best !== 'number' || Number.isNaN(best))
      throw new ArgumentError(`ReduceLROnPlateau.loadStateDict: best must be a number, got ${best}`);
    Object.assign(this, { best, badEpochs, cooldownLeft, lastEpoch });
  }
}
