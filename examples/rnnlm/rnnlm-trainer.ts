/**
 * The book's language-model training (`common/trainer.py`'s `RnnlmTrainer` and `common/util.py`'s
 * `eval_perplexity`), for any module that scores the next word of every position of `[N, T]` word
 * ids as `[N, T, V]` and carries its recurrent state from one call to the next (`stateful`).
 *
 * - `TimeBatches`: the book's minibatches: `batchSize` streams reading the corpus from offsets
 *   `jump = (length - 1) // batchSize` apart, `timeSize` words a step, each step continuing where
 *   the previous one stopped, so the carried state is the state of the text just before.
 * - `RnnlmTrainer`: the loop (forward, `softmaxWithLoss` over the `[N, T, V]` scores, the book's
 *   `TimeSoftmaxWithLoss`; backward, clipping, update) with truncated backpropagation through
 *   time: the model's stateful layer cuts the graph between steps.
 * - `evalPerplexity`: exp of the mean loss over a corpus, without gradients or dropout.
 * - `plotPerplexity`: perplexity per epoch as an SVG line chart.
 */
import {
  add,
  ArgumentError,
  clipGrads,
  keep,
  noGrad,
  renderSvg,
  saveFile,
  softmaxWithLoss,
  tensor,
  tidy,
  type Module,
  type Optimizer,
  type ProgressReporter,
  type Tensor,
} from 'graphgrad';

/** A language model as the trainer sees it: word ids `[N, T]` to scores `[N, T, V]`, with a carried state. */
export interface LanguageModel extends Module<[xs: Tensor], Tensor> {
  /** Forgets the carried recurrent state (a new pass over a text, another batch size). */
  resetState(): void;
}

/** One step's words: inputs and the next word of each, both `[batchSize, timeSize]` row-major. */
export interface TimeBatch {
  readonly xs: Int32Array;
  readonly ts: Int32Array;
}

/**
 * The book's `RnnlmTrainer.get_batch`: stream b reads `corpus[(b·jump + position) mod (length - 1)]`
 * with its target one word on, and `position` advances by `timeSize` with every batch, across
 * epochs, wrapping around the corpus.
 *
 * @example
 * const batches = new TimeBatches(corpus, 10, 5);
 * const { xs, ts } = batches.next(); // 10 streams of 5 words and their next words
 */
export class TimeBatches {
  /** The number of word positions, the corpus length less one (the last word is only a target). */
  readonly dataSize: number;
  /** How far apart the streams start. */
  readonly jump: number;
  #position = 0;

  constructor(
    /** The text as word ids. */
    readonly corpus: Int32Array,
    /** Streams read side by side (the batch's rows). */
    readonly batchSize: number,
    /** Words per stream and step (the length of backpropagation through time). */
    readonly timeSize: number,
  ) {
    for (const [name, value] of [
      ['batchSize', batchSize],
      ['timeSize', timeSize],
    ] as const)
      if (!Number.isInteger(value) || value < 1)
        throw new ArgumentError(`TimeBatches: ${name} must be a positive integer, got ${value}`);
    this.dataSize = corpus.length - 1;
    this.jump = Math.floor(this.dataSize / batchSize);
    if (this.dataSize < batchSize * timeSize)
      throw new ArgumentError(
        `TimeBatches: a corpus of ${corpus.length} words is too short for ${batchSize} streams of ${timeSize} words`,
      );
  }

  /** Steps in one epoch, the book's `data_size // (batch_size * time_size)`. */
  get itersPerEpoch(): number {
    return Math.floor(this.dataSize / (this.batchSize * this.timeSize));
  }

  /** The next `timeSize` words of every stream, and their targets. */
  next(): TimeBatch {
    const { batchSize, timeSize, dataSize, jump, corpus } = this;
    const xs = new Int32Array(batchSize * timeSize);
    const ts = new Int32Array(batchSize * timeSize);
    for (let b = 0; b < batchSize; b++) {
      for (let t = 0; t < timeSize; t++) {
        const at = (b * jump + this.#position + t) % dataSize;
        xs[b * timeSize + t] = corpus[at];
        ts[b * timeSize + t] = corpus[at + 1];
      }
    }
    this.#position += timeSize;
    return { xs, ts };
  }
}

/** What one epoch of `RnnlmTrainer.fit` gave. */
export interface LanguageModelEpoch {
  /** Epoch, counted from 1 across `fit` calls. */
  readonly epoch: number;
  /** exp of the mean training loss over the epoch's steps. */
  readonly perplexity: number;
  /** Seconds the epoch's training steps took (reading its loss back included). */
  readonly seconds: number;
}

/** Options of `RnnlmTrainer.fit`; the defaults are the book's chapter-6 settings. */
export interface RnnlmFitOptions {
  /** Epochs to run (default 10). */
  readonly maxEpoch?: number;
  /** Streams per step (default 20). */
  readonly batchSize?: number;
  /** Words per stream and step (default 35). */
  readonly timeSize?: number;
  /** Clip the gradients to this global L2 norm before each update (default: no clipping). */
  readonly maxGrad?: number;
  /** Report the perplexity every this many steps (default 20, the book's `eval_interval`). */
  readonly evalInterval?: number;
  /** How progress is shown: the Trainer's reporters (`lineProgress`, a progress bar). */
  readonly progress: ProgressReporter;
  /** Called after each epoch, and awaited: evaluate, step a schedule, log. */
  readonly onEpoch?: (report: LanguageModelEpoch) => void | Promise<void>;
}

/**
 * The book's `RnnlmTrainer`: trains a stateful language model on one text with the book's
 * minibatches (`TimeBatches`) and truncated backpropagation through time, keeping the perplexity
 * of each evaluation interval (`pplList`) and of each epoch (`history`).
 *
 * Each step runs in a `tidy` scope; the losses are summed on the device and read back once per
 * interval, so a GPU waits only at the reports.
 *
 * @example
 * const trainer = new RnnlmTrainer(model, new SGD(model.parameters(), { lr: 20 }));
 * await trainer.fit(corpus, { maxEpoch: 4, batchSize: 20, timeSize: 35, maxGrad: 0.25, progress });
 * trainer.history.at(-1)?.perplexity;
 */
export class RnnlmTrainer {
  /** Perplexity of each evaluation interval, across every `fit` so far. */
  readonly pplList: number[] = [];
  /** One report per epoch, across every `fit` so far. */
  readonly history: LanguageModelEpoch[] = [];

  constructor(
    readonly model: LanguageModel,
    readonly optimizer: Optimizer,
  ) {}

  /**
   * Trains on `corpus` (word ids). As the book's `fit`, each call starts the streams at their
   * offsets again; the model's carried state is left as it is.
   */
  async fit(corpus: Int32Array, options: RnnlmFitOptions): Promise<void> {
    const { maxEpoch = 10, batchSize = 20, timeSize = 35, maxGrad, evalInterval = 20, progress, onEpoch } = options;
    const batches = new TimeBatches(corpus, batchSize, timeSize);
    const maxIters = batches.itersPerEpoch;
    const params = this.optimizer.params;
    const firstEpoch = this.history.length + 1;
    const start = performance.now();
    let intervalSum: Tensor | null = null;
    let epochSum: Tensor | null = null;
    let intervalCount = 0;
    progress.start({ firstEpoch, maxEpoch, maxIters });
    try {
      for (let e = 0; e < maxEpoch; e++) {
        const epoch = firstEpoch + e;
        const epochStart = performance.now();
        this.model.train();
        for (let iter = 0; iter < maxIters; iter++) {
          const { xs, ts } = batches.next();
          [intervalSum, epochSum] = tidy(() => {
            const x = tensor(xs, { shape: [batchSize, timeSize] });
            const t = tensor(ts, { shape: [batchSize, timeSize] });
            this.optimizer.zeroGrad();
            const loss = softmaxWithLoss(this.model.call(x), t);
            loss.backward();
            if (maxGrad !== undefined)
              clipGrads(
                params.map((p) => p.grad),
                maxGrad,
              );
            this.optimizer.step();
            return noGrad(() => [accumulate(intervalSum, loss), accumulate(epochSum, loss)]);
          });
          intervalCount++;
          progress.iteration?.(e * maxIters + iter + 1, epoch);
          if ((iter + 1) % evalInterval === 0 || iter === maxIters - 1) {
            const loss = (await intervalSum.item()) / intervalCount;
            intervalSum.dispose();
            intervalSum = null;
            intervalCount = 0;
            this.pplList.push(Math.exp(loss));
            const elapsed = (performance.now() - start) / 1000;
            progress.interval({ epoch, iter: iter + 1, maxIters, elapsed, loss });
          }
        }
        const perplexity = Math.exp((await epochSum!.item()) / maxIters);
        epochSum!.dispose();
        epochSum = null;
        const report = { epoch, perplexity, seconds: (performance.now() - epochStart) / 1000 };
        this.history.push(report);
        await onEpoch?.(report);
      }
    } finally {
      intervalSum?.dispose();
      epochSum?.dispose();
      progress.stop();
    }
  }
}

/** `sum + loss` (or a copy of `loss` to start), kept past the step's scope. */
function accumulate(sum: Tensor | null, loss: Tensor): Tensor {
  return keep(sum === null ? loss.detach() : sum.assign(add(sum, loss)));
}

/** Options of `evalPerplexity`: the book's batch 10 and time 35 by default. */
export interface EvalOptions {
  readonly batchSize?: number;
  readonly timeSize?: number;
}

/**
 * The book's `eval_perplexity`: exp of the mean loss over `corpus`, read as `batchSize` streams of
 * `timeSize` words a step, in `eval()` mode (no dropout) and without gradients. The model's carried
 * state is reset before and after, so evaluating starts from zeros and leaves nothing behind.
 *
 * @example
 * const testPerplexity = await evalPerplexity(model, corpus.test);
 */
export async function evalPerplexity(
  model: LanguageModel,
  corpus: Int32Array,
  options: EvalOptions = {},
): Promise<number> {
  const { batchSize = 10, timeSize = 35 } = options;
  const batches = new TimeBatches(corpus, batchSize, timeSize);
  const steps = batches.itersPerEpoch;
  const wasTraining = model.training;
  model.eval();
  model.resetState();
  let total: Tensor | null = null;
  try {
    for (let step = 0; step < steps; step++) {
      const { xs, ts } = batches.next();
      total = noGrad(() =>
        tidy(() => {
          const x = tensor(xs, { shape: [batchSize, timeSize] });
          const t = tensor(ts, { shape: [batchSize, timeSize] });
          return accumulate(total, softmaxWithLoss(model.call(x), t));
        }),
      );
    }
    return Math.exp((await total!.item()) / steps);
  } finally {
    total?.dispose();
    model.resetState();
    model.train(wasTraining);
  }
}

/** One point of a perplexity plot. */
export interface PerplexityPoint {
  readonly epoch: number;
  readonly perplexity: number;
  /** The text it was measured on: `train`, `test`, `validation`. */
  readonly text: string;
}

/**
 * Writes perplexity against epochs as an SVG line chart (one line per text, a log scale, since
 * perplexity falls by orders of magnitude) at `path`, and returns its absolute path.
 *
 * @example
 * await plotPerplexity('out/rnnlm-perplexity.svg', 'SimpleRnnlm', points);
 */
export async function plotPerplexity(path: string, title: string, points: readonly PerplexityPoint[]): Promise<string> {
  const svg = await renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 300,
    background: 'white',
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: true, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'perplexity', type: 'quantitative', title: 'perplexity', scale: { type: 'log' } },
      color: { field: 'text', type: 'nominal', title: 'text' },
    },
  });
  return saveFile(path, svg);
}
