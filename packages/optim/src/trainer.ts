import {
  ArgumentError,
  Generator,
  formatShape,
  keep,
  noGrad,
  ShapeError,
  tensor,
  tidy,
  type Tensor,
} from '@graphgrad/core';
import { add, gather } from '@graphgrad/nodes';
import { defaultProgress } from '#default-progress';
import { clipGrads } from './clip-grads.ts';
import type { Optimizer } from './optimizers/optimizer.ts';
import { lossCurveSpec } from './plot/loss-curve.ts';
import { renderSvg } from './plot/render-svg.ts';
import { saveFile } from '#save-file';
import type { IntervalReport, ProgressReporter } from './progress/progress-reporter.ts';

/**
 * What `Trainer` trains: the book's model shape (its `TwoLayerNet`). `forward(x, t)` returns the
 * mean loss of a minibatch as a scalar tensor; `params` lists the parameters (a tensor may appear
 * more than once when layers share it). A `predict(x)` giving scores is customary but the Trainer
 * does not need it.
 *
 * @example
 * class Net implements TrainableModel {
 *   readonly params = [W, b];
 *   predict(x: Tensor) { return add(matmul(x, W), b); }
 *   forward(x: Tensor, t: Tensor) { return softmaxWithLoss(this.predict(x), t); }
 * }
 */
export interface TrainableModel {
  /** The parameters the optimizer updates (leaf tensors with `requiresGrad`). */
  readonly params: readonly Tensor[];
  /** The mean loss of the minibatch `x` with targets `t`, as a scalar tensor. */
  forward(x: Tensor, t: Tensor): Tensor;
}

/** Options of `Trainer.fit`; the defaults are the book's. */
export interface FitOptions {
  /** Epochs to run (default 10). */
  maxEpoch?: number;
  /** Minibatch size (default 32); each epoch runs data size // batchSize iterations. */
  batchSize?: number;
  /** Clip the gradients to this global L2 norm before each update (default: no clipping). */
  maxGrad?: number;
  /**
   * Report the mean loss when the iteration within the epoch (from 0) is a multiple of this
   * (default 20), as the book's `iters % eval_interval == 0`.
   */
  evalInterval?: number;
  /** Called after each report, and awaited: log, plot, stop a browser from freezing. */
  onInterval?: (report: IntervalReport, trainer: Trainer) => void | Promise<void>;
  /** How progress is shown (default: a bar on a terminal, otherwise the book's line per interval). */
  progress?: ProgressReporter;
  /** Seed of the generator that shuffles each epoch (default 0), unless `generator` is given. */
  seed?: number;
  /** The generator that shuffles each epoch (advanced by `fit`). */
  generator?: Generator;
}

/**
 * The book's `Trainer`: runs the training loop for a model and an optimizer, keeps the mean loss
 * of each evaluation interval in `lossList`, and plots it.
 *
 * Each epoch shuffles the data with a seedable permutation, then for each minibatch (picked with
 * `gather`): zeroes the gradients, runs `model.forward(x, t)` and `backward()`, clips the
 * gradients if `maxGrad` is set, and lets the optimizer update. Each iteration runs in a `tidy`
 * scope, and the losses are summed on the device and read back once per interval, so a long run
 * holds a constant number of buffers and (on a GPU) waits only at the reports.
 *
 * @example
 * const trainer = new Trainer(model, new SGD(model.params, { lr: 1.0 }));
 * await trainer.fit(x, t, { maxEpoch: 300, batchSize: 30, evalInterval: 10 });
 * await trainer.plot('out/loss.svg');
 */
export class Trainer {
  /** The model being trained. */
  readonly model: TrainableModel;
  /** The optimizer that updates the model's parameters. */
  readonly optimizer: Optimizer;
  /** Mean loss of each evaluation interval, across every `fit` so far. */
  readonly lossList: number[] = [];
  /** Epochs run so far, across `fit` calls. */
  currentEpoch = 0;
  /** The evaluation interval of the latest `fit` (the plot's x unit). */
  evalInterval = 20;
  /** Seconds the latest `fit` took. */
  elapsed = 0;

  constructor(model: TrainableModel, optimizer: Optimizer) {
    const updated = new Set(optimizer.params);
    const missing = model.params.find((p) => !updated.has(p));
    if (missing !== undefined) {
      throw new ArgumentError(
        `Trainer: the optimizer does not update model parameter ${missing.toString()}; build it with model.params`,
      );
    }
    this.model = model;
    this.optimizer = optimizer;
  }

  /**
   * Trains on `x` (N rows) and targets `t` (N rows), as the book's `fit`. Resolves when done; the
   * loss of each interval is in `lossList`.
   */
  async fit(x: Tensor, t: Tensor, options: FitOptions = {}): Promise<void> {
    const { maxEpoch = 10, batchSize = 32, maxGrad, evalInterval = 20, onInterval } = options;
    for (const [name, value] of [
      ['maxEpoch', maxEpoch],
      ['batchSize', batchSize],
      ['evalInterval', evalInterval],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new ArgumentError(`Trainer.fit: ${name} must be a positive integer, got ${value}`);
    }
    if (x.rank < 1 || t.rank < 1 || x.shape[0] !== t.shape[0]) {
      throw new ShapeError(
        `Trainer.fit: x ${formatShape(x.shape)} and t ${formatShape(t.shape)} must have the same number of rows`,
      );
    }
    const dataSize = x.shape[0];
    const maxIters = Math.floor(dataSize / batchSize);
    if (maxIters === 0)
      throw new ArgumentError(`Trainer.fit: batchSize ${batchSize} is larger than the ${dataSize} rows of data`);
    const generator = options.generator ?? new Generator(options.seed ?? 0);
    const progress = options.progress ?? defaultProgress();
    const params = [...new Set(this.model.params)];
    this.evalInterval = evalInterval;

    // The running sum of the losses since the last report, kept on the device.
    let lossSum: Tensor | null = null;
    let lossCount = 0;
    const start = performance.now();
    progress.start({ firstEpoch: this.currentEpoch + 1, maxEpoch, maxIters });
    try {
      for (let epoch = 0; epoch < maxEpoch; epoch++) {
        const order = generator.permutation(dataSize);
        for (let iter = 0; iter < maxIters; iter++) {
          lossSum = tidy(() => {
            const picks = tensor(order.subarray(iter * batchSize, (iter + 1) * batchSize), { backend: x.backend });
            this.optimizer.zeroGrad();
            const loss = this.model.forward(gather(x, picks), gather(t, picks));
            loss.backward();
            if (maxGrad !== undefined)
              clipGrads(
                params.map((p) => p.grad),
                maxGrad,
              );
            this.optimizer.step();
            return noGrad(() => keep(lossSum === null ? loss.detach() : lossSum.assign(add(lossSum, loss))));
          });
          lossCount++;
          progress.iteration?.(epoch * maxIters + iter + 1, this.currentEpoch + 1);
          if (iter % evalInterval === 0) {
            const report: IntervalReport = {
              epoch: this.currentEpoch + 1,
              iter: iter + 1,
              maxIters,
              elapsed: (performance.now() - start) / 1000,
              loss: (await lossSum.item()) / lossCount,
            };
            lossSum.dispose();
            lossSum = null;
            lossCount = 0;
            this.lossList.push(report.loss);
            progress.interval(report);
            await onInterval?.(report, this);
          }
        }
        this.currentEpoch++;
      }
    } finally {
      lossSum?.dispose();
      progress.stop();
      this.elapsed = (performance.now() - start) / 1000;
    }
  }

  /** The loss curve (`lossList` against intervals) as an SVG document; works in a browser too. */
  async lossCurveSvg(): Promise<string> {
    return renderSvg(lossCurveSpec(this.lossList, this.evalInterval));
  }

  /**
   * Writes the loss curve, the book's `plot()`, as an SVG file at `path` and returns its absolute
   * path. Node.js only (in a browser use `lossCurveSvg()`).
   */
  async plot(path: string): Promise<string> {
    return saveFile(path, await this.lossCurveSvg());
  }
}
