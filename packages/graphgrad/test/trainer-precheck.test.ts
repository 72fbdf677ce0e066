// Trainer.fit checks its whole data once, before the first step, on every backend: rows, dtypes,
// backend, class-index targets (read back once, so WebGPU refuses a bad label instead of training
// to NaN), and, when asked, finite values. A refused fit has run no step: the parameters, their
// gradients and the Trainer's history are as they were.
import { describe, expect, it } from 'vitest';
import {
  add,
  ArgumentError,
  BackendError,
  cpuBackend,
  crossEntropy,
  DTypeError,
  lineProgress,
  Linear,
  matmul,
  randn,
  SGD,
  ShapeError,
  softmaxWithLoss,
  tensor,
  Trainer,
  zeros,
  type Backend,
  type Tensor,
} from '../src/index.ts';
import { testBackends } from '@graphgrad/test-backends';

const backends = await testBackends();
const quiet = lineProgress(() => {});
const ROWS = 8;
const CLASSES = 3;

/** The book's model shape: a linear layer and softmaxWithLoss, with `predict` (or without). */
function bookModel(backend: Backend, withPredict = true) {
  const W = randn([2, CLASSES], { std: 0.1, seed: 1, backend, requiresGrad: true });
  const b = zeros([CLASSES], { backend, requiresGrad: true });
  const predict = (x: Tensor): Tensor => add(matmul(x, W), b);
  return {
    params: [W, b],
    forward: (x: Tensor, t: Tensor) => softmaxWithLoss(predict(x), t),
    ...(withPredict ? { predict } : {}),
  };
}

async function snapshot(params: readonly Tensor[]): Promise<number[][]> {
  return Promise.all(params.map(async (p) => Array.from(await p.data())));
}

describe.each(backends)('Trainer.fit checks its data before the first step, on $name', ({ backend, reason }) => {
  describe.skipIf(backend === null)(reason ?? 'runs', () => {
    const gpu = backend!;
    const x = (rows = ROWS, bad?: number): Tensor =>
      tensor(
        Array.from({ length: rows }, (_, i) => [i === bad ? NaN : i / rows, 1 - i / rows]),
        { backend: gpu },
      );
    const labels = (values: number[]): Tensor => tensor(Int32Array.from(values), { backend: gpu });
    const good = Array.from({ length: ROWS }, (_, i) => i % CLASSES);
    const withLast = (v: number): number[] => [...good.slice(0, -1), v];

    /** Expects `fit` to reject with `error` and to have changed nothing. */
    async function refuses(
      model: { params: readonly Tensor[] } & ({ forward(x: Tensor, t: Tensor): Tensor } | Linear),
      fit: (trainer: Trainer) => Promise<void>,
      error: abstract new (...args: never[]) => Error,
      message: string | RegExp,
      loss?: (y: Tensor, t: Tensor) => Tensor,
    ): Promise<void> {
      const params = model instanceof Linear ? model.parameters() : model.params;
      const trainer =
        model instanceof Linear
          ? new Trainer(model, new SGD(params, { lr: 1 }), { loss })
          : new Trainer(model, new SGD(params, { lr: 1 }));
      const before = await snapshot(params);
      const rejected = fit(trainer);
      await expect(rejected).rejects.toThrow(error);
      await expect(rejected).rejects.toThrow(message);
      expect(await snapshot(params)).toEqual(before);
      expect(params.every((p) => p.grad === null)).toBe(true);
      expect(trainer.history).toEqual([]);
      expect(trainer.lossList).toEqual([]);
      expect(trainer.currentEpoch).toBe(0);
    }

    const fitOptions = { maxEpoch: 2, batchSize: 2, evalInterval: 1, progress: quiet };

    it('refuses a class index at or past the classes (the last axis of predict) in the last row', async () => {
      await refuses(
        bookModel(gpu),
        (tr) => tr.fit(x(), labels(withLast(CLASSES)), fitOptions),
        ArgumentError,
        "Trainer.fit: t holds class index 3 at element 7, outside [0, 3) (the last axis of the model's output); pass ignoreIndex if the loss leaves it out",
      );
    });

    it('refuses a negative class index, even without a way to know the classes', async () => {
      await refuses(
        bookModel(gpu, false),
        (tr) => tr.fit(x(), labels(withLast(-1)), fitOptions),
        ArgumentError,
        'Trainer.fit: t holds class index -1 at element 7, outside [0, ∞)',
      );
    });

    it('refuses a class index past the given classes', async () => {
      await refuses(
        bookModel(gpu, false),
        (tr) => tr.fit(x(), labels(withLast(5)), { ...fitOptions, classes: CLASSES }),
        ArgumentError,
        'Trainer.fit: t holds class index 5 at element 7, outside [0, 3); pass ignoreIndex',
      );
    });

    it('refuses a bad class index of a Module with a loss, and of the validation targets', async () => {
      const module = () => new Linear(2, CLASSES, { backend: gpu, seed: 2 });
      await refuses(
        module(),
        (tr) => tr.fit(x(), labels(withLast(4)), fitOptions),
        ArgumentError,
        'Trainer.fit: t holds class index 4 at element 7, outside [0, 3)',
        softmaxWithLoss,
      );
      await refuses(
        module(),
        (tr) => tr.fit(x(), labels(good), { ...fitOptions, validation: { x: x(4), t: labels([0, 1, 9, 2]) } }),
        ArgumentError,
        'Trainer.fit: validation.t holds class index 9 at element 2, outside [0, 3)',
        softmaxWithLoss,
      );
    });

    it('refuses rows that do not match, and data on another backend', async () => {
      await refuses(
        bookModel(gpu),
        (tr) => tr.fit(x(), labels(good.slice(1)), fitOptions),
        ShapeError,
        'Trainer.fit: x [8,2] and t [7] must have the same number of rows',
      );
      const other = gpu.name === 'cpu' ? null : cpuBackend();
      if (other !== null) {
        await refuses(
          bookModel(gpu),
          (tr) => tr.fit(tensor([[0, 1]], { backend: other }), labels([0]), fitOptions),
          BackendError,
          "Trainer.fit: x is on another backend than the model's parameters",
        );
      }
    });

    it('refuses float data of another dtype than the parameters', async () => {
      if (!gpu.dtypes.includes('float64')) return;
      await refuses(
        bookModel(gpu),
        (tr) => tr.fit(tensor([[0, 1]], { dtype: 'float64', backend: gpu }), labels([0]), fitOptions),
        DTypeError,
        "Trainer.fit: x is float64, the model's parameters are float32; cast the data first",
      );
    });

    it('refuses NaN inputs when checkFinite asks, and trains on them (to NaN) when not', async () => {
      await refuses(
        bookModel(gpu),
        (tr) => tr.fit(x(ROWS, 5), labels(good), { ...fitOptions, checkFinite: true }),
        ArgumentError,
        'Trainer.fit: x holds NaN at element 10; checkFinite refuses it',
      );
      const model = bookModel(gpu);
      const trainer = new Trainer(model, new SGD(model.params, { lr: 1 }));
      await trainer.fit(x(ROWS, 5), labels(good), { ...fitOptions, maxEpoch: 1 });
      expect(trainer.history).toHaveLength(1);
    });

    it('lets ignoreIndex through, and trains on good data', async () => {
      const module = new Linear(2, CLASSES, { backend: gpu, seed: 2 });
      const trainer = new Trainer(module, new SGD(module.parameters(), { lr: 0.5 }), { loss: crossEntropy });
      await trainer.fit(x(), labels(withLast(-100)), { ...fitOptions, ignoreIndex: -100 });
      expect(trainer.history.map((h) => Number.isFinite(h.trainLoss))).toEqual([true, true]);
      const book = bookModel(gpu);
      const before = await snapshot(book.params);
      const bookTrainer = new Trainer(book, new SGD(book.params, { lr: 0.5 }));
      await bookTrainer.fit(x(), labels(good), fitOptions);
      expect(await snapshot(book.params)).not.toEqual(before);
      expect(bookTrainer.history.every((h) => Number.isFinite(h.trainLoss))).toBe(true);
    });
  });
});
