import { tensor, type Tensor } from '@graphgrad/core';
import { mul, sum } from '@graphgrad/nodes';
import { describe, expect, it } from 'vitest';
import { lineProgress, SGD, Trainer, type IntervalReport } from '../src/index.ts';

// How Trainer.fit cuts the data: a fresh shuffle each epoch, minibatches of batchSize rows that
// visit each row at most once per epoch, x and t picked by the same permutation, and the time.

const quiet = lineProgress(() => {});

/** A model whose loss is Σ w·x (so it trains), recording the rows of x and t of every minibatch. */
function recordingModel() {
  const w = tensor([1], { dtype: 'float64', requiresGrad: true });
  const batches: { x: number[]; t: number[]; loss: number }[] = [];
  return {
    batches,
    params: [w],
    forward(x: Tensor, t: Tensor): Tensor {
      const loss = sum(mul(x, w));
      batches.push({ x: Array.from(x.dataSync()), t: Array.from(t.dataSync()), loss: loss.itemSync() });
      return loss;
    },
  };
}

describe('Trainer.fit minibatches', () => {
  // 23 rows, row i holding the value i in x and 100 + i in t
  const rows = 23;
  const x = tensor(
    Array.from({ length: rows }, (_, i) => [i]),
    { dtype: 'float64' },
  );
  const t = tensor(
    Array.from({ length: rows }, (_, i) => [100 + i]),
    { dtype: 'float64' },
  );

  it('runs rows // batchSize minibatches per epoch, each row at most once, reshuffled every epoch', async () => {
    const model = recordingModel();
    const trainer = new Trainer(model, new SGD(model.params, { lr: 0.01 }));
    await trainer.fit(x, t, { maxEpoch: 4, batchSize: 5, evalInterval: 1, seed: 3, progress: quiet });

    // 23 // 5 = 4 minibatches of 5 per epoch (the 3 rows left over are skipped, as in the book)
    expect(model.batches).toHaveLength(16);
    expect(model.batches.every((b) => b.x.length === 5)).toBe(true);
    const epochs = Array.from({ length: 4 }, (_, e) => model.batches.slice(4 * e, 4 * e + 4).flatMap((b) => b.x));
    for (const seen of epochs) {
      expect(new Set(seen).size).toBe(20);
      expect(seen.every((v) => Number.isInteger(v) && v >= 0 && v < rows)).toBe(true);
    }
    // each epoch draws its own order
    expect(new Set(epochs.map((seen) => seen.join(','))).size).toBe(4);
    // not the rows in their stored order
    expect(epochs[0]).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
    // x and t are picked by the same indices
    for (const b of model.batches) expect(b.t).toEqual(b.x.map((v) => 100 + v));
  });

  it('reports the elapsed time, which never goes back, and keeps the total in elapsed', async () => {
    const model = recordingModel();
    const trainer = new Trainer(model, new SGD(model.params, { lr: 0.01 }));
    const reports: IntervalReport[] = [];
    await trainer.fit(x, t, {
      maxEpoch: 3,
      batchSize: 5,
      evalInterval: 2,
      progress: quiet,
      onInterval: (r) => void reports.push(r),
    });
    // 4 iterations per epoch, reported at iterations 1 and 3 of each of the 3 epochs
    expect(reports.map((r) => [r.epoch, r.iter, r.maxIters])).toEqual([
      [1, 1, 4],
      [1, 3, 4],
      [2, 1, 4],
      [2, 3, 4],
      [3, 1, 4],
      [3, 3, 4],
    ]);
    const times = reports.map((r) => r.elapsed);
    times.slice(1).forEach((s, i) => expect(s).toBeGreaterThanOrEqual(times[i]));
    expect(times[0]).toBeGreaterThanOrEqual(0);
    expect(trainer.elapsed).toBeGreaterThanOrEqual(times.at(-1)!);
    // each report is the mean loss of the minibatches since the previous one, across epoch ends
    // as in the book: [0], [1, 2], [3, 4], [5, 6], [7, 8], [9, 10] (minibatch 11 is never reported)
    const losses = model.batches.map((b) => b.loss);
    const mean = (...i: number[]): number => i.reduce((s, k) => s + losses[k], 0) / i.length;
    const expected = [mean(0), mean(1, 2), mean(3, 4), mean(5, 6), mean(7, 8), mean(9, 10)];
    trainer.lossList.forEach((l, i) => expect(l).toBeCloseTo(expected[i], 12));
    expect(trainer.lossList).toEqual(reports.map((r) => r.loss));
  });
});
