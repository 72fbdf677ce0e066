/**
 * Training in the page: a `TrainingSession` is one run of the book's loop (shuffle every epoch,
 * minibatches, backward, optimizer step) that advances one minibatch per `step()`; a
 * `TrainingLoop` calls it in short slices and gives the page back to the browser between them.
 */
import { Generator, noGrad, setBackend, tensor, tidy, type Backend } from '@graphgrad/core';
import { loadSpiral, type Spiral } from '@graphgrad/datasets';
import { gather, softmax } from '@graphgrad/nodes';
import type { Optimizer } from '@graphgrad/optim';
import { toDot } from '@graphgrad/viz';
import { createOptimizer, TwoLayerNet, type OptimizerName } from './model.ts';

/** Everything a run depends on; a change of any of them starts a new run. */
export interface TrainingConfig {
  readonly hiddenSize: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly backend: Backend;
  /** Seeds the data, the weights and the shuffling (the book seeds numpy with 1984). */
  readonly seed: number;
}

/**
 * One training run on the spiral data: the data, the model and the optimizer live on
 * `config.backend` until `dispose()`.
 *
 * @example
 * const session = new TrainingSession({ hiddenSize: 10, optimizer: 'SGD', learningRate: 1, batchSize: 30, backend: cpuBackend(), seed: 1984 });
 * while (session.epoch < 10) await session.step();
 * console.log(session.lossHistory.at(-1));
 */
export class TrainingSession {
  readonly config: TrainingConfig;
  readonly spiral: Spiral;
  readonly model: TwoLayerNet;
  /** The mean minibatch loss of every finished epoch (the book prints it every 10 iterations, one epoch at batch 30). */
  readonly lossHistory: number[] = [];
  /** Epochs finished. */
  epoch = 0;
  readonly #optimizer: Optimizer;
  readonly #shuffler: Generator;
  #order: Int32Array = new Int32Array(0);
  #iteration = 0;
  #lossSum = 0;

  constructor(config: TrainingConfig) {
    this.config = config;
    // TwoLayerNet creates its weights on the default backend, so the run's backend becomes it.
    setBackend(config.backend);
    this.spiral = loadSpiral({ seed: config.seed, backend: config.backend });
    this.model = new TwoLayerNet(2, config.hiddenSize, this.spiral.classes, { seed: config.seed });
    this.#optimizer = createOptimizer(config.optimizer, this.model.params, config.learningRate);
    this.#shuffler = new Generator(config.seed);
  }

  /** Minibatches per epoch: the book's `data_size // batch_size` (at least one). */
  get iterationsPerEpoch(): number {
    return Math.max(1, Math.floor(this.spiral.x.shape[0] / this.config.batchSize));
  }

  /** Trains on one minibatch; after the epoch's last one, appends the epoch's mean loss to `lossHistory`. */
  async step(): Promise<void> {
    const { batchSize } = this.config;
    // The book shuffles x and t with one permutation per epoch; here it picks each minibatch.
    if (this.#iteration === 0) this.#order = this.#shuffler.permutation(this.spiral.x.shape[0]);
    const start = this.#iteration * batchSize;
    const loss = tidy(() => {
      const batch = tensor(this.#order.subarray(start, start + batchSize), { backend: this.config.backend });
      this.#optimizer.zeroGrad();
      const loss = this.model.forward(gather(this.spiral.x, batch), gather(this.spiral.t, batch));
      loss.backward();
      this.#optimizer.step();
      return loss;
    });
    this.#lossSum += await loss.item();
    loss.dispose();
    this.#iteration += 1;
    if (this.#iteration === this.iterationsPerEpoch) {
      this.lossHistory.push(this.#lossSum / this.#iteration);
      this.epoch += 1;
      this.#iteration = 0;
      this.#lossSum = 0;
    }
  }

  /**
   * The net's class probabilities (softmax of its scores) at `points`, row-major (x0, y0, x1, y1, …):
   * what the decision-boundary picture shades.
   */
  async classProbabilities(points: Float32Array): Promise<Float32Array> {
    const probabilities = noGrad(() =>
      tidy(() =>
        softmax(this.model.predict(tensor(points, { shape: [points.length / 2, 2], backend: this.config.backend }))),
      ),
    );
    const values = await probabilities.data();
    probabilities.dispose();
    return Float32Array.from(values);
  }

  /** Graphviz DOT of the graph that one minibatch's loss records (the book's computational graph). */
  lossGraphDot(): string {
    return tidy(() => {
      // Points spread over all three arms; the shuffler is left alone so the run stays reproducible.
      const { batchSize } = this.config;
      const stride = Math.floor(this.spiral.x.shape[0] / batchSize);
      const batch = tensor(
        Int32Array.from({ length: batchSize }, (_, i) => i * stride),
        { backend: this.config.backend },
      );
      const [x, t] = [gather(this.spiral.x, batch), gather(this.spiral.t, batch)];
      const loss = this.model.forward(x, t);
      const [W1, b1, W2, b2] = this.model.params;
      return toDot(loss, { names: { x, t, W1, b1, W2, b2, loss }, title: 'TwoLayerNet: the loss of one minibatch' });
    });
  }

  /** Frees the data, the weights and the optimizer's state. */
  dispose(): void {
    this.#optimizer.dispose();
    for (const p of this.model.params) {
      p.grad?.dispose();
      p.dispose();
    }
    this.spiral.x.dispose();
    this.spiral.t.dispose();
  }
}

/** What the loop calls: one training step, and a redraw between slices of steps. */
interface TrainingLoopHooks {
  step(): Promise<void>;
  /** Draws the current state; awaited before the loop yields. */
  redraw(): Promise<void>;
  /** A step or redraw threw: the loop has stopped. */
  failed(error: unknown): void;
}

/** How long the loop trains before it gives the page back to the browser. */
const SLICE_MS = 30;

/** Redraws take at most about 1 / (1 + this) of the time (evaluating the boundary's grid is not free). */
const TRAIN_TO_REDRAW = 3;

/**
 * Runs `hooks.step()` in slices of about 30 ms and yields to the event loop after each, so that
 * the page stays responsive (clicks, repaints) however long training runs. It redraws after a
 * slice unless the last redraw was recent compared with its cost (a slow backend, a large net),
 * and once more when paused.
 *
 * @example
 * const loop = new TrainingLoop({ step: () => session.step(), redraw, failed: console.error });
 * loop.start();
 * await loop.pause(); // resolves once the step in flight has finished
 */
export class TrainingLoop {
  readonly #hooks: TrainingLoopHooks;
  #run: Promise<void> | null = null;
  #stopRequested = false;

  constructor(hooks: TrainingLoopHooks) {
    this.#hooks = hooks;
  }

  /** Whether the loop is training. */
  get running(): boolean {
    return this.#run !== null;
  }

  /** Starts training (no-op when already running). */
  start(): void {
    if (this.#run !== null) return;
    this.#stopRequested = false;
    this.#run = this.#loop().finally(() => {
      this.#run = null;
    });
  }

  /** Stops after the step in flight; resolves once no step runs, so the session can be disposed. */
  async pause(): Promise<void> {
    this.#stopRequested = true;
    await this.#run;
  }

  async #loop(): Promise<void> {
    let redrawnAt = -Infinity;
    let redrawCost = 0;
    const redraw = async () => {
      const start = performance.now();
      await this.#hooks.redraw();
      redrawnAt = performance.now();
      redrawCost = redrawnAt - start;
    };
    try {
      while (!this.#stopRequested) {
        const sliceEnd = performance.now() + SLICE_MS;
        do await this.#hooks.step();
        while (!this.#stopRequested && performance.now() < sliceEnd);
        if (performance.now() - redrawnAt >= TRAIN_TO_REDRAW * redrawCost) await redraw();
        // NOTE: on the CPU backend every await above resolves as a microtask, which never lets the
        // browser paint or handle input; a timer is a macrotask, so the page gets its turn here.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await redraw();
    } catch (error) {
      this.#hooks.failed(error);
    }
  }
}
