import { ArgumentError } from '@graphgrad/core';
import type { Optimizer } from '../optimizers/optimizer.ts';

/**
 * A learning-rate schedule that depends on the epoch only, PyTorch's `LRScheduler`: it records
 * each group's learning rate when built (`baseLrs`), and each `step()` (once per epoch, after the
 * optimizer's steps) advances `lastEpoch` and sets every group's `lr` from its base.
 *
 * @example
 * const schedule = new StepLR(optimizer, { stepSize: 10 });
 * for (let epoch = 0; epoch < 30; epoch++) { train(); schedule.step(); }
 */
export abstract class LRScheduler {
  /** The optimizer whose groups' `lr` this sets. */
  readonly optimizer: Optimizer;
  /** Each group's learning rate when the schedule was built. */
  readonly baseLrs: readonly number[];
  /** Epochs stepped so far. */
  lastEpoch = 0;

  constructor(optimizer: Optimizer) {
    this.optimizer = optimizer;
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rate at `epoch` of a group that started at `baseLr`. */
  abstract lrAt(epoch: number, baseLr: number): number;

  /** Each group's current learning rate. */
  get lastLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Advances one epoch and sets every group's learning rate. */
  step(): void {
    this.lastEpoch++;
    this.#apply();
  }

  #apply(): void {
    this.optimizer.paramGroups.forEach((group, g) => {
      group.lr = this.lrAt(this.lastEpoch, this.baseLrs[g]);
    });
  }

  /**
   * The schedule's position, for checkpoints (`lastEpoch`).
   *
   * @example
   * const saved = schedule.stateDict();
   */
  stateDict(): Record<string, number> {
    return { lastEpoch: this.lastEpoch };
  }

  /**
   * Restores a position saved by `stateDict()` and sets the learning rates for it.
   *
   * @example
   * schedule.loadStateDict(saved);
   */
  loadStateDict(dict: Readonly<Record<string, number>>): void {
    const epoch = dict.lastEpoch;
    if (!Number.isSafeInteger(epoch) || epoch < 0)
      throw new ArgumentError(
        `${this.constructor.name}.loadStateDict: lastEpoch must be a non-negative integer, got ${epoch}`,
      );
    this.lastEpoch = epoch;
    this.#apply();
  }
}

/** Throws an `ArgumentError` naming the schedule unless `value` passes `ok`. */
export function checkOption(schedule: string, name: string, value: number, ok: boolean, expected: string): void {
  if (!ok) throw new ArgumentError(`${schedule}: ${name} must be ${expected}, got ${value}`);
}
