// The Trainer with a Module and a loss function: validation after each epoch (in eval mode, without
// gradients), metrics, the epoch callback and history, and a schedule stepped by it.
import { describe, expect, it } from 'vitest';
import { ArgumentError, randn, tensor, type Tensor } from '@graphgrad/core';
import { loadSpiral } from '@graphgrad/datasets';
import {
  argmax,
  cast,
  Dropout,
  greater,
  Linear,
  Module,
  mean,
  neg,
  Sequential,
  Sigmoid,
  softmaxWithLoss,
  sub,
  abs,
} from '@graphgrad/nodes';
import { Adam, lineProgress, ReduceLROnPlateau, SGD, StepLR, Trainer, type EpochReport } from '../src/index.ts';

const quiet = lineProgress(() => {});

const net = (seed: number): Sequential =>
  new Sequential([
    new Linear(2, 10, { seed }),
    new Sigmoid(),
    new Dropout(0.1, { seed }),
    new Linear(10, 3, { seed: seed + 1 }),
  ]);

/** The fraction of rows whose highest score is the target class. */
const accuracy = (scores: Tensor, t: Tensor): Tensor =>
  mean(sub(1, cast(greater(abs(sub(cast(argmax(scores), 'float32'), cast(t, 'float32'))), 0.5), 'float32')));

describe('Trainer with a Module and a loss function', () => {
  const { x, t } = loadSpiral({ seed: 3 });
  const labels = tensor(Array.from(argmax(t).dataSync()), { dtype: 'int32' });

  it('trains, evaluates on the validation data after each epoch and reports it', async () => {
    const model = net(1);
    const trainer = new Trainer(model, new Adam(model.parameters(), { lr: 0.05 }), { loss: softmaxWithLoss });
    const reports: EpochReport[] = [];
    await trainer.fit(x, labels, {
      maxEpoch: 4,
      batchSize: 30,
      progress: quiet,
      validation: { x, t: labels },
      validationBatchSize: 128,
      metrics: { accuracy },
      onEpoch: (report) => void reports.push(report),
    });
    expect(trainer.history).toEqual(reports);
    expect(reports.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    for (const r of reports) {
      expect(r.trainLoss).toBeGreaterThan(0);
      expect(r.validationLoss).toBeGreaterThan(0);
      expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.metrics.accuracy).toBeLessThanOrEqual(1);
      expect(r.lr).toEqual([0.05]);
    }
    expect(reports[3].validationLoss!).toBeLessThan(reports[0].validationLoss!);
    expect(model.training).toBe(true);
  });

  it('evaluates the whole validation set in eval mode and without gradients, as one weighted mean', async () => {
    const model = net(2);
    const modes: boolean[] = [];
    class Spy extends Module<[Tensor], Tensor> {
      readonly inner = model;
      forward(input: Tensor): Tensor {
        modes.push(this.training);
        return this.inner.call(input);
      }
    }
    const spy = new Spy();
    const trainer = new Trainer(spy, new SGD(spy.parameters(), { lr: 0 }), { loss: softmaxWithLoss });
    // 300 validation rows in batches of 128: 128 + 128 + 44, each weighted by its rows
    await trainer.fit(x, labels, {
      maxEpoch: 1,
      batchSize: 100,
      progress: quiet,
      validation: { x, t: labels },
      validationBatchSize: 128,
    });
    expect(modes).toEqual([true, true, true, false, false, false]);
    model.eval();
    const whole = await softmaxWithLoss(model.call(x), labels).item();
    expect(trainer.history[0].validationLoss).toBeCloseTo(whole, 5);
    expect(spy.grads.every((g) => g !== null)).toBe(true);
  });

  it('steps a schedule after each epoch: by epoch, or by the validation loss', async () => {
    const model = net(3);
    const optimizer = new SGD(model.parameters(), { lr: 0.4 });
    const trainer = new Trainer(model, optimizer, {
      loss: softmaxWithLoss,
      scheduler: new StepLR(optimizer, { stepSize: 1, gamma: 0.5 }),
    });
    await trainer.fit(x, labels, { maxEpoch: 3, batchSize: 100, progress: quiet });
    expect(trainer.history.map((r) => r.lr[0])).toEqual([0.4, 0.2, 0.1]);
    expect(optimizer.lr).toBe(0.05);

    const frozen = net(4);
    const sgd = new SGD(frozen.parameters(), { lr: 0 });
    const plateau = new ReduceLROnPlateau(sgd, { factor: 0.5, patience: 0, threshold: 0 });
    sgd.lr = 1e-12; // too small to move the validation loss by more than rounding
    const second = new Trainer(frozen.eval(), sgd, { loss: softmaxWithLoss, scheduler: plateau });
    await second.fit(x, labels, { maxEpoch: 3, batchSize: 100, progress: quiet, validation: { x, t: labels } });
    expect(plateau.lastEpoch).toBe(3);
    expect(plateau.best).toBe(Math.min(...second.history.map((r) => r.validationLoss!)));
  });

  it('keeps the book’s Trainer for a model whose forward gives the loss', async () => {
    const layers = net(5);
    const model = { params: layers.params, forward: (a: Tensor, b: Tensor) => softmaxWithLoss(layers.call(a), b) };
    const trainer = new Trainer(model, new SGD(model.params, { lr: 1 }));
    await trainer.fit(x, t, { maxEpoch: 2, batchSize: 30, evalInterval: 10, progress: quiet, validation: { x, t } });
    expect(trainer.lossList).toHaveLength(2);
    expect(trainer.history.map((r) => typeof r.validationLoss)).toEqual(['number', 'number']);
  });

  it('refuses a loss without a Module, metrics without a loss, and a scheduler of another optimizer', () => {
    const model = net(6);
    const plain = { params: model.params, forward: (a: Tensor) => neg(a) };
    expect(() => new Trainer(plain, new SGD(plain.params), { loss: softmaxWithLoss })).toThrow(
      new ArgumentError('Trainer: a loss function needs a Module whose call(x) gives the output'),
    );
    const other = new SGD([randn([1], { requiresGrad: true })]);
    expect(
      () =>
        new Trainer(model, new SGD(model.parameters()), {
          loss: softmaxWithLoss,
          scheduler: new StepLR(other, { stepSize: 1 }),
        }),
    ).toThrow(ArgumentError);
    const trainer = new Trainer(plain, new SGD(plain.params));
    return expect(trainer.fit(x, t, { progress: quiet, metrics: { accuracy } })).rejects.toThrow(
      /metrics need the model's output/,
    );
  });
});
