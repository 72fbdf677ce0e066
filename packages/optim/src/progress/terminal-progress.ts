// Node.js only: reached through the package's "#default-progress" import (its "node" condition)
// or the "@graphgrad/optim/node" entry, never from the browser-safe main entry directly.
import { SingleBar } from 'cli-progress';
import { lineProgress } from './line-progress.ts';
import type { ProgressReporter } from './progress-reporter.ts';

/** The part of a Node.js writable stream the reporter needs (`process.stdout` by default). */
export interface TerminalStream {
  readonly isTTY?: boolean;
  write(chunk: string): unknown;
}

/**
 * On a terminal, a live progress bar (cli-progress) with the epoch, the latest interval's mean
 * loss, the elapsed time and an estimate of the time left; anywhere else (a pipe, a file, CI), the
 * book's line per interval. What `fit` uses by default under Node.js.
 *
 * @example
 * await trainer.fit(x, t, { progress: terminalProgress({ stream: process.stderr }) });
 */
export function terminalProgress(options: { stream?: TerminalStream } = {}): ProgressReporter {
  const stream = options.stream ?? process.stdout;
  if (stream.isTTY !== true) return lineProgress((line) => stream.write(`${line}\n`));
  let bar: SingleBar | null = null;
  return {
    start({ firstEpoch, maxEpoch, maxIters }) {
      bar = new SingleBar({
        // cli-progress writes to a NodeJS.WritableStream; only write/cursor calls are made on it
        stream: stream as NodeJS.WritableStream,
        format:
          '{bar} {percentage}% | epoch {epoch}/{maxEpoch} | loss {loss} | {duration_formatted} (eta {eta_formatted})',
        barsize: 30,
        hideCursor: true,
        etaBuffer: 100,
      });
      bar.start(maxEpoch * maxIters, 0, { epoch: firstEpoch, maxEpoch: firstEpoch + maxEpoch - 1, loss: '-' });
    },
    iteration(done, epoch) {
      bar?.update(done, { epoch });
    },
    interval(report) {
      bar?.update({ loss: report.loss.toFixed(2) });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

/**
 * The reporter `fit` uses when given none, under Node.js: `terminalProgress()`.
 *
 * @example
 * const progress = defaultProgress(); // for a training loop of one's own
 */
export function defaultProgress(): ProgressReporter {
  return terminalProgress();
}
