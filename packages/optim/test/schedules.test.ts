// Learning-rate schedules: step decay, cosine annealing, and reduce-on-plateau (with the book's
// "divide by 4 when the validation perplexity does not improve" as its settings).
import { describe, expect, it } from 'vitest';
import { ArgumentError, tensor } from '@graphgrad/core';
import { CosineAnnealingLR, ReduceLROnPlateau, SGD, StepLR } from '../src/index.ts';

const sgd = (lr = 1, second?: number): SGD =>
  new SGD(
    second === undefined
      ? [tensor([1], { requiresGrad: true })]
      : [
          { params: [tensor([1], { requiresGrad: true })] },
          { params: [tensor([1], { requiresGrad: true })], lr: second },
        ],
    { lr },
  );

describe('StepLR', () => {
  it('multiplies every group’s base rate by gamma every stepSize epochs', () => {
    const optimizer = sgd(1, 0.5);
    const schedule = new StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
    const seen: number[][] = [];
    for (let epoch = 0; epoch < 5; epoch++) {
      seen.push(optimizer.paramGroups.map((g) => g.lr));
      schedule.step();
    }
    expect(seen).toEqual([
      [1, 0.5],
      [1, 0.5],
      [0.5, 0.25],
      [0.5, 0.25],
      [0.25, 0.125],
    ]);
    expect(schedule.lastLrs).toEqual([0.25, 0.125]);
  });

  it('resumes from a saved position and refuses bad options', () => {
    const a = new StepLR(sgd(), { stepSize: 3 });
    for (let i = 0; i < 4; i++) a.step();
    const optimizer = sgd();
    const b = new StepLR(optimizer, { stepSize: 3 });
    b.loadStateDict(a.stateDict());
    expect([b.lastEpoch, optimizer.lr]).toEqual([4, 0.1]);
    expect(() => new StepLR(sgd(), { stepSize: 0 })).toThrow(
      new ArgumentError('StepLR: stepSize must be a positive integer, got 0'),
    );
  });
});

describe('CosineAnnealingLR', () => {
  it('follows half a cosine from the base rate down to etaMin at tMax', () => {
    const optimizer = sgd(0.1);
    const schedule = new CosineAnnealingLR(optimizer, { tMax: 4, etaMin: 0.02 });
    const seen = [optimizer.lr];
    for (let epoch = 1; epoch <= 4; epoch++) {
      schedule.step();
      seen.push(optimizer.lr);
    }
    const want = [0, 1, 2, 3, 4].map((t) => 0.02 + (0.08 * (1 + Math.cos((Math.PI * t) / 4))) / 2);
    seen.forEach((lr, i) => expect(lr).toBeCloseTo(want[i], 15));
    expect(seen[4]).toBeCloseTo(0.02, 15);
  });
});

describe('ReduceLROnPlateau', () => {
  it("with the book's settings divides by 4 at every epoch that does not improve on the best", () => {
    const optimizer = sgd(20);
    const schedule = new ReduceLROnPlateau(optimizer, { factor: 0.25, patience: 0, threshold: 0 });
    const lrs: number[] = [];
    for (const perplexity of [300, 200, 210, 190, 190, 150]) {
      schedule.step(perplexity);
      lrs.push(optimizer.lr);
    }
    expect(lrs).toEqual([20, 20, 5, 5, 1.25, 1.25]);
    expect(schedule.best).toBe(150);
  });

  it('waits patience epochs with PyTorch’s defaults, and rises for a metric in max mode', () => {
    const optimizer = sgd(1);
    const schedule = new ReduceLROnPlateau(optimizer, { patience: 2 });
    for (const loss of [1, 1, 1]) schedule.step(loss);
    expect(optimizer.lr).toBe(1);
    schedule.step(1);
    expect(optimizer.lr).toBeCloseTo(0.1, 15);
    const accuracy = new ReduceLROnPlateau(sgd(1), { mode: 'max', patience: 0, factor: 0.5 });
    accuracy.step(0.5);
    accuracy.step(0.6);
    expect(accuracy.optimizer.lr).toBe(1);
    accuracy.step(0.55);
    expect(accuracy.optimizer.lr).toBe(0.5);
  });

  it('never goes below minLr, keeps its position across a checkpoint, and refuses a NaN metric', () => {
    const optimizer = sgd(1);
    const schedule = new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.1, minLr: 0.05, threshold: 0 });
    for (const loss of [1, 2, 2, 2]) schedule.step(loss);
    expect(optimizer.lr).toBe(0.05);
    const copy = new ReduceLROnPlateau(sgd(1));
    copy.loadStateDict(schedule.stateDict());
    expect([copy.best, copy.lastEpoch]).toEqual([1, 4]);
    expect(() => schedule.step(Number.NaN)).toThrow(ArgumentError);
    expect(() => new ReduceLROnPlateau(sgd(), { factor: 1 })).toThrow(
      new ArgumentError('ReduceLROnPlateau: factor must be in (0, 1), got 1'),
    );
  });
});
