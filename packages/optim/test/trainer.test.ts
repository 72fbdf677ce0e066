import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuBackend } from '@graphgrad/cpu';
import { tensor, type Tensor } from '@graphgrad/core';
import { loadSpiral } from '@graphgrad/datasets';
import { matmul, mul, sum } from '@graphgrad/nodes';
import { describe, expect, it } from 'vitest';
import { Adam, formatIntervalLine, type IntervalReport, lineProgress, Momentum, SGD, Trainer } from '../src/index.ts';
import { TinyNet } from './tiny-net.ts';

const quiet = lineProgress(() => {});

describe('Trainer.fit', () => {
  it('keeps one mean loss per evaluation: iterations 0, k, 2k, … of each epoch, as the book', async () => {
    const { x, t } = loadSpiral({ seed: 1 });
    const model = new TinyNet({ seed: 1 });
    const trainer = new Trainer(model, new SGD(model.params, { lr: 1 }));
    const lines: string[] = [];
    // 300 rows, batch 30: 10 iterations per epoch; evaluated at iterations 1, 5 and 9
    await trainer.fit(x, t, {
      maxEpoch: 2,
      batchSize: 30,
      evalInterval: 4,
      progress: lineProgress((l) => lines.push(l)),
    });
    expect(trainer.lossList).toHaveLength(6);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^\| epoch 1 \| iter 1 \/ 10 \| time \d+\[s\] \| loss \d+\.\d\d$/);
    expect(lines[5]).toMatch(/^\| epoch 2 \| iter 9 \/ 10 \| /);
    // the first report is the first minibatch's loss: about ln 3 for near-zero weights
    expect(trainer.lossList[0]).toBeCloseTo(Math.log(3), 1);
    expect(trainer.currentEpoch).toBe(2);
  });

  it('lowers the loss on the spiral in a short run (the book settings)', async () => {
    const { x, t } = loadSpiral({ seed: 1984 });
    const model = new TinyNet({ seed: 1984 });
    const trainer = new Trainer(model, new SGD(model.params, { lr: 1 }));
    await trainer.fit(x, t, { maxEpoch: 40, batchSize: 30, evalInterval: 10, progress: quiet });
    expect(trainer.lossList).toHaveLength(40);
    const first = trainer.lossList.slice(0, 5);
    const last = trainer.lossList.slice(-5);
    expect(Math.max(...last)).toBeLessThan(Math.min(...first));
  });

  it('shuffles reproducibly: the same seed gives the same losses', async () => {
    const { x, t } = loadSpiral({ seed: 2 });
    const run = async (seed: number): Promise<number[]> => {
      const model = new TinyNet({ seed: 5 });
      const trainer = new Trainer(model, new Momentum(model.params, { lr: 0.1 }));
      await trainer.fit(x, t, { maxEpoch: 3, batchSize: 30, evalInterval: 3, seed, progress: quiet });
      return trainer.lossList;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });

  it('calls onInterval after each report and awaits it', async () => {
    const { x, t } = loadSpiral({ seed: 3, pointsPerClass: 20 });
    const model = new TinyNet();
    const trainer = new Trainer(model, new SGD(model.params, { lr: 1 }));
    const reports: IntervalReport[] = [];
    await trainer.fit(x, t, {
      maxEpoch: 2,
      batchSize: 20,
      evalInterval: 2,
      progress: quiet,
      onInterval: async (report, self) => {
        await Promise.resolve();
        expect(self).toBe(trainer);
        reports.push(report);
      },
    });
    // 60 rows, batch 20: 3 iterations, reported at iterations 1 and 3 of each epoch
    expect(reports.map((r) => [r.epoch, r.iter, r.maxIters])).toEqual([
      [1, 1, 3],
      [1, 3, 3],
      [2, 1, 3],
      [2, 3, 3],
    ]);
    expect(reports.map((r) => r.loss)).toEqual(trainer.lossList);
    expect(formatIntervalLine({ epoch: 3, iter: 11, maxIters: 20, elapsed: 12.9, loss: 0.456 })).toBe(
      '| epoch 3 | iter 11 / 20 | time 12[s] | loss 0.46',
    );
  });

  it('clips the gradients to maxGrad before the update', async () => {
    const w = tensor([[0], [0]], { dtype: 'float64', requiresGrad: true });
    // loss = 1000·Σ(x·w): a huge gradient, clipped to norm 0.5, so one SGD step (lr 1) moves w by 0.5
    const model = { params: [w], forward: (x: Tensor) => scaledSum(x, w) };
    const trainer = new Trainer(model, new SGD([w], { lr: 1 }));
    const x = tensor([[3, 4]], { dtype: 'float64' });
    await trainer.fit(x, x, { maxEpoch: 1, batchSize: 1, maxGrad: 0.5, progress: quiet });
    const [a, b] = await w.data();
    expect(Math.hypot(a, b)).toBeCloseTo(0.5, 5);
    expect(a / b).toBeCloseTo(3 / 4, 10);
  });

  it('holds a constant number of buffers over a long run', async () => {
    const backend = cpuBackend();
    const { x, t } = loadSpiral({ seed: 4, backend, pointsPerClass: 20 });
    const model = new TinyNet({ backend });
    const trainer = new Trainer(model, new Adam(model.params, { lr: 0.01 }));
    const live: number[] = [];
    await trainer.fit(x, t, {
      maxEpoch: 30,
      batchSize: 10,
      evalInterval: 6,
      progress: quiet,
      onInterval: () => void live.push(backend.liveBuffers()),
    });
    expect(live).toHaveLength(30);
    // Adam's state appears at the first step; from then on nothing accumulates
    expect(new Set(live.slice(1)).size).toBe(1);
  });

  it('refuses an optimizer that does not update every model parameter, and oversized batches', async () => {
    const model = new TinyNet();
    expect(() => new Trainer(model, new SGD(model.params.slice(1)))).toThrow(
      /Trainer: the optimizer does not update model parameter/,
    );
    const trainer = new Trainer(model, new SGD(model.params));
    const { x, t } = loadSpiral({ pointsPerClass: 3 });
    await expect(trainer.fit(x, t, { batchSize: 10, progress: quiet })).rejects.toThrow(
      /batchSize 10 is larger than the 9 rows/,
    );
  });
});

describe('Trainer.plot', () => {
  it('writes the loss curve as an SVG with the book axis labels', async () => {
    const { x, t } = loadSpiral({ seed: 5, pointsPerClass: 20 });
    const model = new TinyNet();
    const trainer = new Trainer(model, new SGD(model.params, { lr: 1 }));
    await trainer.fit(x, t, { maxEpoch: 5, batchSize: 20, evalInterval: 1, progress: quiet });
    const path = await trainer.plot(join(await mkdtemp(join(tmpdir(), 'graphgrad-')), 'plots', 'loss.svg'));
    const svg = await readFile(path, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('iterations (x1)');
    expect(svg).toContain('>loss<');
    // one line through all 15 losses
    expect(svg).toMatch(/<path [^>]*d="M[^"]*"/);
  });
});

/** 1000·Σ(x·w), whose gradient (1000·x) is far above any sensible norm. */
function scaledSum(x: Tensor, w: Tensor): Tensor {
  return mul(sum(matmul(x, w)), 1000);
}
