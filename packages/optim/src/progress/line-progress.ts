import { ArgumentError, describeValue } from '@graphgrad/core';
import { formatIntervalLine, type ProgressReporter } from './progress-reporter.ts';

/**
 * A reporter that writes the book's line at every interval, through `write` (default
 * `console.log`): what `fit` uses where there is no terminal (a browser, a pipe, a log file).
 *
 * @example
 * await trainer.fit(x, t, { progress: lineProgress((line) => lines.push(line)) });
 */
export function lineProgress(write: (line: string) => void = (line) => console.log(line)): ProgressReporter {
  if (typeof write !== 'function')
    throw new ArgumentError(`lineProgress: write must be a function of a line, got ${describeValue(write)}`);
  return {
    start() {},
    interval(report) {
      write(formatIntervalLine(report));
    },
    stop() {},
  };
}

/**
 * The reporter `fit` uses when given none, outside Node.js: `lineProgress()`.
 *
 * @example
 * const progress = defaultProgress(); // for a training loop of one's own
 */
export function defaultProgress(): ProgressReporter {
  return lineProgress();
}
