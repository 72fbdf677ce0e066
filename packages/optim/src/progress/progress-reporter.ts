import { ArgumentError, describeValue } from '@graphgrad/core';

/** Where a `fit` stands at the end of an evaluation interval. */
export interface IntervalReport {
  /** Epoch, counted from 1 (continuing across `fit` calls, as the book's `current_epoch`). */
  readonly epoch: number;
  /** Iteration within the epoch, counted from 1. */
  readonly iter: number;
  /** Iterations per epoch (data size // batch size). */
  readonly maxIters: number;
  /** Seconds since `fit` started. */
  readonly elapsed: number;
  /** The mean loss over the iterations since the previous report. */
  readonly loss: number;
}

/** What a reporter is told when `fit` starts. */
export interface FitStart {
  /** The number of the first epoch this `fit` runs (1, or more when a `fit` continues). */
  readonly firstEpoch: number;
  /** Epochs this `fit` runs. */
  readonly maxEpoch: number;
  /** Iterations per epoch. */
  readonly maxIters: number;
}

/**
 * Shows a `fit`'s progress: a log line per interval, a progress bar, a chart in a page.
 * Every method is called synchronously from the training loop.
 *
 * @example
 * const quiet: ProgressReporter = { start() {}, interval() {}, stop() {} };
 * await trainer.fit(x, t, { progress: quiet });
 */
export interface ProgressReporter {
  /** When `fit` starts, with the epochs and iterations it will run. */
  start(info: FitStart): void;
  /** After every iteration: `done` of this fit's `maxEpoch · maxIters`, in epoch `epoch`; optional. */
  iteration?(done: number, epoch: number): void;
  /** At the end of each evaluation interval, with its mean loss. */
  interval(report: IntervalReport): void;
  /** When `fit` ends (or throws). */
  stop(): void;
}

/**
 * The book's Trainer line: `| epoch %d | iter %d / %d | time %d[s] | loss %.2f`.
 *
 * @example
 * formatIntervalLine({ epoch: 1, iter: 1, maxIters: 10, elapsed: 0.2, loss: 1.0986 });
 * // '| epoch 1 | iter 1 / 10 | time 0[s] | loss 1.10'
 */
export function formatIntervalLine(report: IntervalReport): string {
  const fields = ['epoch', 'iter', 'maxIters', 'elapsed', 'loss'] as const;
  if (report === null || typeof report !== 'object' || fields.some((f) => typeof report[f] !== 'number'))
    throw new ArgumentError(
      `formatIntervalLine: report must hold the numbers ${fields.join(', ')}, got ${describeValue(report)}`,
    );
  const { epoch, iter, maxIters, elapsed, loss } = report;
  return `| epoch ${epoch} | iter ${iter} / ${maxIters} | time ${Math.floor(elapsed)}[s] | loss ${loss.toFixed(2)}`;
}
