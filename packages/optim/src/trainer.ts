import {
  ArgumentError,
  BackendError,
  describeValue,
  DTypeError,
  Generator,
  isFloatDType,
  isTensor,
  formatShape,
  keep,
  noGrad,
  ShapeError,
  tensor,
  tidy,
  type Tensor,
} from '@graphgrad/core';
import { add, gather, mul, Module } from '@graphgrad/nodes';
import { defaultProgress } from '#default-progress';
import { clipGrads } from './clip-grads.ts';
import type { Optimizer } from './optimizers/optimizer.ts';
import { lossCurveSpec } from './plot/loss-curve.ts';
import { renderSvg } from './plot/render-svg.ts';
import { saveFile } from '#save-file';
import type { IntervalReport, ProgressReporter } from './progress/progress-reporter.ts';
import { LRScheduler } from './schedules/lr-scheduler.ts';
import type { ReduceLROnPlateau } from './schedules/reduce-lr-on-plateau.ts';

/**
 * What `Trainer` trains without a loss function: the book's model shape (its `TwoLayerNet`).
 * `forward(x, t)` returns the mean loss of a minibatch as a scalar tensor; `params` lists the
 * parameters (a tensor may appear more than once when layers share it). A `predict(x)` giving
 * scores is customary but the Trainer does not need it.
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

/**
 * The mean loss (or a mean metric) of a batch's output against its targets, as a scalar tensor:
 * `softmaxWithLoss`, a cross entropy, a mean squared error.
 *
 * @example
 * const loss: LossFunction = (scores, t) => softmaxWithLoss(scores, t);
 */
export type LossFunction = (output: Tensor, target: Tensor) => Tensor;

/** Options of the `Trainer`. */
export interface TrainerOptions {
  /**
   * The loss of a `Module`'s output against the targets; with it the Trainer runs
   * `loss(model.call(x), t)`. Without it the model's `forward(x, t)` gives the loss itself.
   */
  readonly loss?: LossFunction;
  /**
   * A learning-rate schedule stepped after each epoch: an `LRScheduler` by epoch, or a
   * `ReduceLROnPlateau` with the epoch's validation loss (the training loss without validation data).
   */
  readonly scheduler?: LRScheduler | ReduceLROnPlateau;
}

/** Data to evaluate on after each epoch. */
export interface ValidationData {
  /** Inputs, N rows. */
  readonly x: Tensor;
  /** Targets, N rows. */
  readonly t: Tensor;
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
  /** Evaluated after each epoch, without gradients and in `eval()` mode: its mean loss and `metrics`. */
  validation?: ValidationData;
  /** Rows per evaluation batch (default `batchSize`); the last batch may be smaller. */
  validationBatchSize?: number;
  /**
   * Mean metrics of the model's output against the targets (accuracy, perplexity…), computed on
   * the validation data after each epoch; needs the Trainer's `loss` option (a model's output).
   */
  metrics?: Readonly<Record<string, LossFunction>>;
  /** Called after each epoch with its report (also kept in `history`), and awaited. */
  onEpoch?: (report: EpochReport, trainer: Trainer) => void | Promise<void>;
  /**
   * The number of classes of int32 class-index targets, checked before the first step: every
   * target must lie in [0, classes). By default it is the last axis of the model's output (a
   * `Module` with a loss, or a model with `predict(x)`) when that output has one more axis than the
   * targets; otherwise only negative targets are refused.
   */
  classes?: number;
  /** A target value the loss leaves out (as `crossEntropy`'s `ignoreIndex`), let through by the check. */
  ignoreIndex?: number;
  /** Refuse the data, before the first step, when a float input or target holds NaN or ±Inf (default false). */
  checkFinite?: boolean;
}

/** What one epoch of `fit` gave. */
export interface EpochReport {
  /** Epoch, counted from 1 (continuing across `fit` calls). */
  readonly epoch: number;
  /** The mean training loss over the epoch's iterations. */
  readonly trainLoss: number;
  /** The mean loss over the validation data, when `validation` was given. */
  readonly validationLoss?: number;
  /** The mean of each metric over the validation data. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Each parameter group's learning rate during the epoch. */
  readonly lr: readonly number[];
  /** Seconds since `fit` started. */
  readonly elapsed: number;
}

/** The model as the training loop sees it. */
interface Fitted {
  readonly params: readonly Tensor[];
  /** The mean loss of a batch; `output` when the caller already ran the model on `x`. */
  loss(x: Tensor, t: Tensor, output?: Tensor): Tensor;
  /** The model's output, when it has one apart from the loss. */
  output?(x: Tensor): Tensor;
  /** A book model's class scores (its `predict`), for the check of class-index targets. */
  scores?(x: Tensor): Tensor;
  setTraining(mode: boolean): void;
}

/**
 * The book's `Trainer`, grown to take any module: runs the training loop for a model and an
 * optimizer, keeps the mean loss of each evaluation interval in `lossList`, evaluates on
 * validation data after each epoch (`history`), steps a learning-rate schedule, and plots the loss.
 *
 * The model is either the book's shape (`params` and `forward(x, t)` giving the loss) or a
 * `Module` with a loss function (`new Trainer(model, optimizer, { loss })`). Each epoch shuffles
 * the data with a seedable permutation, then for each minibatch (picked with `gather`): zeroes the
 * gradients, computes the loss and `backward()`, clips the gradients if `maxGrad` is set, and lets
 * the optimizer update. Each iteration runs in a `tidy` scope, and the losses are summed on the
 * device and read back once per interval and once per epoch, so a long run holds a constant number
 * of buffers and (on a GPU) waits only at the reports.
 *
 * @example
 * const trainer = new Trainer(model, new Adam(model.parameters()), { loss: softmaxWithLoss });
 * await trainer.fit(x, t, { maxEpoch: 10, batchSize: 30, validation: { x: xv, t: tv } });
 * trainer.history.at(-1)?.validationLoss;
 */
export class Trainer {
  /** The model being trained. */
  readonly model: TrainableModel | Module<[Tensor], Tensor>;
  /** The optimizer that updates the model's parameters. */
  readonly optimizer: Optimizer;
  /** The learning-rate schedule stepped after each epoch, if any. */
  readonly scheduler: LRScheduler | ReduceLROnPlateau | undefined;
  /** Mean loss of each evaluation interval, across every `fit` so far. */
  readonly lossList: number[] = [];
  /** One report per epoch, across every `fit` so far. */
  readonly history: EpochReport[] = [];
  /** Epochs run so far, across `fit` calls. */
  currentEpoch = 0;
  /** The evaluation interval of the latest `fit` (the plot's x unit). */
  evalInterval = 20;
  /** Seconds the latest `fit` took. */
  elapsed = 0;
  readonly #fitted: Fitted;

  constructor(model: TrainableModel | Module<[Tensor], Tensor>, optimizer: Optimizer, options: TrainerOptions = {}) {
    const { loss, scheduler } = options;
    if (loss !== undefined && typeof loss !== 'function')
      throw new ArgumentError(`Trainer: loss must be a function of (output, target), got ${typeof loss}`);
    if (loss !== undefined && !(model instanceof Module))
      throw new ArgumentError('Trainer: a loss function needs a Module whose call(x) gives the output');
    if (scheduler !== undefined && scheduler.optimizer !== optimizer)
      throw new ArgumentError("Trainer: the scheduler must be built on the Trainer's optimizer");
    const fitted = fittedModel(model, loss);
    const updated = new Set(optimizer.params);
    const missing = fitted.params.find((p) => !updated.has(p));
    if (missing !== undefined) {
      throw new ArgumentError(
        `Trainer: the optimizer does not update model parameter ${missing.toString()}; build it with the model's parameters`,
      );
    }
    this.model = model;
    this.optimizer = optimizer;
    this.scheduler = scheduler;
    this.#fitted = fitted;
  }

  /**
   * Trains on `x` (N rows) and targets `t` (N rows), as the book's `fit`, evaluating on
   * `validation` after each epoch. Resolves when done; the loss of each interval is in `lossList`,
   * each epoch's report in `history`.
   */
  async fit(x: Tensor, t: Tensor, options: FitOptions = {}): Promise<void> {
    const { maxEpoch = 10, batchSize = 32, maxGrad, evalInterval = 20, onInterval, onEpoch } = options;
    const { validation, validationBatchSize = batchSize, metrics = {} } = options;
    for (const [name, value] of [
      ['maxEpoch', maxEpoch],
      ['batchSize', batchSize],
      ['evalInterval', evalInterval],
      ['validationBatchSize', validationBatchSize],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new ArgumentError(`Trainer.fit: ${name} must be a positive integer, got ${value}`);
    }
    const { classes, ignoreIndex, checkFinite = false } = options;
    if (classes !== undefined && (!Number.isInteger(classes) || classes < 1))
      throw new ArgumentError(`Trainer.fit: classes must be a positive integer, got ${classes}`);
    if (ignoreIndex !== undefined && !Number.isInteger(ignoreIndex))
      throw new ArgumentError(`Trainer.fit: ignoreIndex must be an integer, got ${ignoreIndex}`);
    const sets: DataSet[] = [{ x, t, xName: 'x', tName: 't' }];
    if (validation !== undefined)
      sets.push({ x: validation.x, t: validation.t, xName: 'validation.x', tName: 'validation.t' });
    for (const set of sets) checkData(set, this.#fitted.params);
    if (Object.keys(metrics).length > 0 && this.#fitted.output === undefined)
      throw new ArgumentError(
        "Trainer.fit: metrics need the model's output: build the Trainer with a Module and a loss",
      );
    for (const [name, metric] of Object.entries(metrics))
      if (typeof metric !== 'function') throw new ArgumentError(`Trainer.fit: metric '${name}' is not a function`);
    const dataSize = x.shape[0];
    const maxIters = Math.floor(dataSize / batchSize);
    if (maxIters === 0)
      throw new ArgumentError(`Trainer.fit: batchSize ${batchSize} is larger than the ${dataSize} rows of data`);
    const generator = options.generator ?? new Generator(options.seed ?? 0);
    const progress = options.progress ?? defaultProgress();
    const fitted = this.#fitted;
    const params = [...new Set(fitted.params)];
    // Every check reads the data back at most once, before the first step: a refused fit changes nothing.
    const labels = await readLabels(sets, ignoreIndex);
    if (classes !== undefined) for (const l of labels) checkLabels(l, classes, ignoreIndex, 'classes');
    if (checkFinite) for (const set of sets) await checkFiniteData(set);
    // Without `classes`, the labels' upper bound waits for the model's output in the first iteration.
    let pendingLabels = classes === undefined && labels.length > 0 ? labels : null;
    this.evalInterval = evalInterval;

    // The running sums of the losses since the last report and over the epoch, kept on the device.
    let lossSum: Tensor | null = null;
    let epochSum: Tensor | null = null;
    let lossCount = 0;
    const start = performance.now();
    progress.start({ firstEpoch: this.currentEpoch + 1, maxEpoch, maxIters });
    try {
      for (let epoch = 0; epoch < maxEpoch; epoch++) {
        fitted.setTraining(true);
        const lr = this.optimizer.paramGroups.map((g) => g.lr);
        const order = generator.permutation(dataSize);
        for (let iter = 0; iter < maxIters; iter++) {
          [lossSum, epochSum] = tidy(() => {
            const picks = tensor(order.subarray(iter * batchSize, (iter + 1) * batchSize), { backend: x.backend });
            const xb = gather(x, picks);
            const tb = gather(t, picks);
            const output = fitted.output?.(xb);
            if (pendingLabels !== null) {
              const scores = output ?? (fitted.scores === undefined ? undefined : noGrad(() => fitted.scores!(xb)));
              // class scores have the targets' shape and a class axis
              if (scores !== undefined && scores.rank === tb.rank + 1) {
                const found = scores.shape[scores.rank - 1];
                for (const l of pendingLabels) checkLabels(l, found, ignoreIndex, 'output');
              }
              pendingLabels = null;
            }
            const loss = fitted.loss(xb, tb, output);
            // zeroed only now, so that a forward that throws leaves the gradients as they were
            this.optimizer.zeroGrad();
            loss.backward();
            if (maxGrad !== undefined)
              clipGrads(
                params.map((p) => p.grad),
                maxGrad,
              );
            this.optimizer.step();
            return noGrad(() => [accumulate(lossSum, loss), accumulate(epochSum, loss)]);
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
        const trainLoss = (await epochSum!.item()) / maxIters;
        epochSum!.dispose();
        epochSum = null;
        this.currentEpoch++;
        const evaluated =
          validation === undefined ? undefined : await this.#evaluate(validation, validationBatchSize, metrics);
        const report: EpochReport = {
          epoch: this.currentEpoch,
          trainLoss,
          ...(evaluated === undefined ? {} : { validationLoss: evaluated.loss }),
          metrics: evaluated?.metrics ?? {},
          lr,
          elapsed: (performance.now() - start) / 1000,
        };
        this.history.push(report);
        if (this.scheduler instanceof LRScheduler) this.scheduler.step();
        else this.scheduler?.step(report.validationLoss ?? trainLoss);
        await onEpoch?.(report, this);
      }
    } finally {
      lossSum?.dispose();
      epochSum?.dispose();
      progress.stop();
      this.elapsed = (performance.now() - start) / 1000;
    }
  }

  /**
   * The mean loss (and metrics) over `data`, in batches, without gradients and with the model in
   * `eval()` mode (restored to training afterwards). Each batch's mean is weighted by its rows.
   */
  async #evaluate(
    data: ValidationData,
    batchSize: number,
    metrics: Readonly<Record<string, LossFunction>>,
  ): Promise<{ loss: number; metrics: Record<string, number> }> {
    const fitted = this.#fitted;
    const rows = data.x.shape[0];
    const names = Object.keys(metrics);
    let sums: Tensor[] | null = null;
    fitted.setTraining(false);
    try {
      for (let begin = 0; begin < rows; begin += batchSize) {
        const count = Math.min(batchSize, rows - begin);
        const previous: Tensor[] | null = sums;
        sums = noGrad(() =>
          tidy(() => {
            const picks = tensor(
              Int32Array.from({ length: count }, (_, i) => begin + i),
              { backend: data.x.backend },
            );
            const xb = gather(data.x, picks);
            const tb = gather(data.t, picks);
            const values =
              names.length === 0
                ? [fitted.loss(xb, tb)]
                : ((output) => [fitted.loss(xb, tb, output), ...names.map((n) => metrics[n](output, tb))])(
                    fitted.output!(xb),
                  );
            return values.map((v, i) => {
              const weighted = mul(v, count);
              return keep(previous === null ? weighted : add(previous[i], weighted));
            });
          }),
        );
        for (const p of previous ?? []) p.dispose();
      }
      const totals = sums === null ? [] : await Promise.all(sums.map((s) => s.item()));
      return {
        loss: totals[0] / rows,
        metrics: Object.fromEntries(names.map((n, i) => [n, totals[i + 1] / rows])),
      };
    } finally {
      for (const s of sums ?? []) s.dispose();
      fitted.setTraining(true);
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

/** `sum + loss` (or a copy of `loss` to start), kept past the iteration's scope. */
function accumulate(sum: Tensor | null, loss: Tensor): Tensor {
  return keep(sum === null ? loss.detach() : sum.assign(add(sum, loss)));
}

/** Inputs and targets of one kind (training or validation), with the names the errors use. */
interface DataSet {
  readonly x: Tensor;
  readonly t: Tensor;
  readonly xName: string;
  readonly tName: string;
}

/** int32 targets read back once, with their name. */
interface Labels {
  readonly name: string;
  readonly values: Int32Array;
}

/** Rows, dtypes and backend of `x` and `t`, which the model's parameters fix. */
function checkData({ x, t, xName, tName }: DataSet, params: readonly Tensor[]): void {
  for (const [name, value] of [
    [xName, x],
    [tName, t],
  ] as const) {
    if (!isTensor(value)) throw new ArgumentError(`Trainer.fit: ${name} must be a Tensor, got ${describeValue(value)}`);
  }
  if (x.rank < 1 || t.rank < 1 || x.shape[0] !== t.shape[0]) {
    throw new ShapeError(
      `Trainer.fit: ${xName} ${formatShape(x.shape)} and ${tName} ${formatShape(t.shape)} must have the same number of rows`,
    );
  }
  const backend = params[0]?.backend;
  const floats = new Set(params.map((p) => p.dtype).filter(isFloatDType));
  for (const [name, value] of [
    [xName, x],
    [tName, t],
  ] as const) {
    if (backend !== undefined && value.backend !== backend)
      throw new BackendError(`Trainer.fit: ${name} is on another backend than the model's parameters`);
    if (isFloatDType(value.dtype) && floats.size === 1 && !floats.has(value.dtype)) {
      throw new DTypeError(
        `Trainer.fit: ${name} is ${value.dtype}, the model's parameters are ${[...floats][0]}; cast the data first`,
      );
    }
  }
}

/** The int32 targets of each set, read back once; refuses a negative one that is not `ignoreIndex`. */
async function readLabels(sets: readonly DataSet[], ignoreIndex: number | undefined): Promise<Labels[]> {
  const labels: Labels[] = [];
  for (const { t, tName } of sets) {
    if (t.dtype !== 'int32') continue;
    const values = (await t.data()) as Int32Array;
    const found = { name: tName, values };
    checkLabels(found, Infinity, ignoreIndex, 'classes');
    labels.push(found);
  }
  return labels;
}

/** Throws an `ArgumentError` for the first target outside [0, classes) that is not `ignoreIndex`. */
function checkLabels(
  { name, values }: Labels,
  classes: number,
  ignoreIndex: number | undefined,
  source: 'classes' | 'output',
): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if ((v < 0 || v >= classes) && v !== ignoreIndex) {
      const range = classes === Infinity ? '[0, ∞)' : `[0, ${classes})`;
      const why = source === 'output' ? ` (the last axis of the model's output)` : '';
      const skip =
        ignoreIndex === undefined
          ? '; pass ignoreIndex if the loss leaves it out'
          : ` and is not ignoreIndex (${ignoreIndex})`;
      throw new ArgumentError(
        `Trainer.fit: ${name} holds class index ${v} at element ${i}, outside ${range}${why}${skip}`,
      );
    }
  }
}

/** Throws an `ArgumentError` for the first NaN or ±Inf of a float `x` or `t`. */
async function checkFiniteData({ x, t, xName, tName }: DataSet): Promise<void> {
  for (const [name, value] of [
    [xName, x],
    [tName, t],
  ] as const) {
    if (!isFloatDType(value.dtype)) continue;
    const values = await value.data();
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]))
        throw new ArgumentError(`Trainer.fit: ${name} holds ${values[i]} at element ${i}; checkFinite refuses it`);
    }
  }
}

/** The model behind one interface: a Module with a loss function, or the book's `forward(x, t)`. */
function fittedModel(model: TrainableModel | Module<[Tensor], Tensor>, loss: LossFunction | undefined): Fitted {
  const setTraining = (mode: boolean): void => {
    if (model instanceof Module) model.train(mode);
  };
  if (loss !== undefined) {
    const module = model as Module<[Tensor], Tensor>;
    return {
      params: module.parameters(),
      loss: (x, t, output = module.call(x)) => loss(output, t),
      output: (x) => module.call(x),
      setTraining,
    };
  }
  const book = model;
  const predict: unknown = (book as { predict?: unknown }).predict;
  return {
    params: book.params,
    loss: (x, t) => book.forward(x, t),
    ...(typeof predict === 'function' ? { scores: (x: Tensor) => predict.call(book, x) as Tensor } : {}),
    setTraining,
  };
}
