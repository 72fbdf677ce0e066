import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, SpiralNet } from './module-template.ts';

// The template runs a few epochs, so that the file a researcher copies never rots.

describe('module-template', () => {
  it('trains with validation each epoch, saves, reloads into a new instance and evaluates it the same', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'graphgrad-template-'));
    const lines: string[] = [];
    const result = await main({ maxEpoch: 10, outDir, log: (l) => lines.push(l) });
    expect(result.history.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(result.history.every((r) => r.validationLoss !== undefined && r.metrics.accuracy >= 0)).toBe(true);
    // the cosine schedule lowered the learning rate from epoch to epoch
    expect(result.history[9].lr[0]).toBeLessThan(result.history[0].lr[0]);
    expect(result.history[9].trainLoss).toBeLessThan(result.history[0].trainLoss);
    expect(result.reloadedAccuracy).toBe(result.trainedAccuracy);
    expect(Object.keys(result.reloaded.stateDict())).toEqual([
      'fc1.W',
      'fc1.b',
      'norm.gamma',
      'norm.beta',
      'fc2.W',
      'fc2.b',
    ]);
    expect(lines[0]).toMatch(/^SpiralNet\nlayer \(type\) +output shape +params/);
    expect(lines.at(-1)).toMatch(
      /^saved .*spiral-net\.safetensors; validation accuracy [01]\.\d{3}, reloaded [01]\.\d{3}$/,
    );
    expect(new SpiralNet(8).numParameters()).toBe(2 * 8 + 8 + 8 + 8 + 8 * 3 + 3);
  });
});
