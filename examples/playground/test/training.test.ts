import { cpuBackend } from '@graphgrad/cpu';
import { describe, expect, it } from 'vitest';
import { main as customLoop } from '../../spiral-custom-loop.ts';
import { createOptimizer, DEFAULT_LEARNING_RATES, OPTIMIZER_NAMES, TwoLayerNet } from '../src/model.ts';
import { TrainingLoop, TrainingSession, type TrainingConfig } from '../src/training.ts';

// The page's training code, in Node on the CPU backend (the browser test drives it through the page).

const BOOK: TrainingConfig = {
  hiddenSize: 10,
  optimizer: 'SGD',
  learningRate: 1,
  batchSize: 30,
  backend: cpuBackend(),
  seed: 1984,
};

describe('TrainingSession', () => {
  it("is the book's loop: the same losses per epoch as the custom-loop example", async () => {
    const session = new TrainingSession(BOOK);
    while (session.epoch < 3) await session.step();
    const { lossList, model } = await customLoop({ maxEpoch: 3, log: () => undefined });
    expect(session.lossHistory).toEqual(lossList);
    session.dispose();
    for (const p of model.params) p.dispose();
  });

  it('holds a constant number of buffers while training, and frees them all on dispose', async () => {
    const backend = cpuBackend();
    const before = backend.liveBuffers();
    const session = new TrainingSession({ ...BOOK, optimizer: 'Adam', learningRate: DEFAULT_LEARNING_RATES.Adam });
    await session.step();
    const training = backend.liveBuffers();
    for (let i = 0; i < 25; i++) await session.step();
    await session.classProbabilities(new Float32Array([0, 0, 0.5, -0.5]));
    session.lossGraphDot();
    expect(backend.liveBuffers()).toBe(training);
    session.dispose();
    expect(backend.liveBuffers()).toBe(before);
  });

  it('counts epochs by the batch size, and gives class probabilities that sum to one', async () => {
    const session = new TrainingSession({ ...BOOK, batchSize: 100 });
    expect(session.iterationsPerEpoch).toBe(3);
    for (let i = 0; i < 7; i++) await session.step();
    expect(session.epoch).toBe(2);
    expect(session.lossHistory).toHaveLength(2);
    const probabilities = await session.classProbabilities(new Float32Array([0, 0, 0.5, -0.5, -1, 1]));
    expect(probabilities).toHaveLength(9);
    for (let row = 0; row < 3; row++)
      expect(probabilities[3 * row] + probabilities[3 * row + 1] + probabilities[3 * row + 2]).toBeCloseTo(1, 5);
    session.dispose();
    const fullBatch = new TrainingSession({ ...BOOK, batchSize: 300 });
    expect(fullBatch.iterationsPerEpoch).toBe(1);
    fullBatch.dispose();
  });

  it('draws the graph of one minibatch with the named parameters', () => {
    const session = new TrainingSession({ ...BOOK, hiddenSize: 5 });
    const dot = session.lossGraphDot();
    for (const label of ['W1\\n[2,5] float32', 'b2\\n[3] float32', 'x\\n[30,2] float32', 'SoftmaxWithLoss'])
      expect(dot).toContain(label);
    session.dispose();
  });
});

describe('the optimizers the page offers', () => {
  it('each trains the book net at its proposed learning rate, without diverging', async () => {
    for (const optimizer of OPTIMIZER_NAMES) {
      const session = new TrainingSession({ ...BOOK, optimizer, learningRate: DEFAULT_LEARNING_RATES[optimizer] });
      while (session.epoch < 30) await session.step();
      // NOTE: every run starts near ln 3 ≈ 1.10 (the loss of guessing); a learning rate too large
      // stays there or goes to NaN. By epoch 30 each has reached the plateau near 0.7 or left it.
      expect(session.lossHistory[0], optimizer).toBeGreaterThan(0.9);
      expect(session.lossHistory[29], optimizer).toBeLessThan(0.9);
      session.dispose();
    }
  });

  it('creates the optimizer named', () => {
    const model = new TwoLayerNet(2, 4, 3);
    for (const name of OPTIMIZER_NAMES) expect(createOptimizer(name, model.params, 0.1).constructor.name).toBe(name);
  });
});

describe('TrainingLoop', () => {
  it('steps until paused, redraws once more on pause, and reports a failing step', async () => {
    let steps = 0;
    let redraws = 0;
    let failNextStep = false;
    const failures: unknown[] = [];
    const loop = new TrainingLoop({
      step: async () => {
        if (failNextStep) throw new Error('this step failed');
        steps += 1;
      },
      redraw: async () => {
        redraws += 1;
      },
      failed: (error) => failures.push(error),
    });
    loop.start();
    expect(loop.running).toBe(true);
    while (steps < 50) await new Promise((resolve) => setTimeout(resolve, 1));
    const redrawsBefore = redraws;
    await loop.pause();
    expect(loop.running).toBe(false);
    const stoppedAt = steps;
    expect(redraws).toBeGreaterThan(redrawsBefore);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(steps).toBe(stoppedAt);

    failNextStep = true;
    loop.start();
    await new Promise<void>((resolve) => {
      const check = () => (failures.length > 0 ? resolve() : setTimeout(check, 1));
      check();
    });
    expect(loop.running).toBe(false);
    expect(String(failures[0])).toContain('this step failed');
    expect(steps).toBe(stoppedAt);
  });
});
