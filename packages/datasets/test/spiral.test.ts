import { cpuBackend } from '@graphgrad/cpu';
import { describe, expect, it } from 'vitest';
import { loadSpiral } from '../src/index.ts';

describe('loadSpiral', () => {
  it('gives 300 points in 2 dimensions with one-hot targets over 3 classes', async () => {
    const { x, t, points, labels, classes } = loadSpiral({ seed: 1984 });
    expect(x.shape).toEqual([300, 2]);
    expect(t.shape).toEqual([300, 3]);
    expect(x.dtype).toBe('float32');
    expect(t.dtype).toBe('float32');
    expect(classes).toBe(3);
    expect(points.length).toBe(600);
    expect(labels.length).toBe(300);
    const targets = await t.data();
    for (let n = 0; n < 300; n++) {
      const row = Array.from(targets.subarray(3 * n, 3 * n + 3));
      expect(row.reduce((a, b) => a + b, 0)).toBe(1);
      expect(row[labels[n]]).toBe(1);
    }
  });

  it('has 100 points in each class, ordered by class as in the book', () => {
    const { labels } = loadSpiral();
    const counts = [0, 0, 0];
    for (const label of labels) counts[label]++;
    expect(counts).toEqual([100, 100, 100]);
    expect(labels[0]).toBe(0);
    expect(labels[100]).toBe(1);
    expect(labels[299]).toBe(2);
  });

  it('follows the book formula: radius i / N, angle 4j + 4r plus noise', () => {
    const { points } = loadSpiral({ seed: 3 });
    for (let index = 0; index < 300; index++) {
      const i = index % 100;
      const j = Math.floor(index / 100);
      const [px, py] = [points[2 * index], points[2 * index + 1]];
      expect(Math.hypot(px, py)).toBeCloseTo(i / 100, 12);
      if (i === 0) continue;
      // θ = atan2(sin θ, cos θ); the noise 0.2·n is the difference from 4j + 4r (mod 2π)
      const noise = Math.atan2(px, py) - (4 * j + (4 * i) / 100);
      const wrapped = Math.atan2(Math.sin(noise), Math.cos(noise));
      expect(Math.abs(wrapped)).toBeLessThan(0.2 * 6); // six standard deviations
    }
  });

  it('puts every point inside the unit disk', () => {
    const { points } = loadSpiral({ seed: 7 });
    for (let n = 0; n < 300; n++) expect(Math.hypot(points[2 * n], points[2 * n + 1])).toBeLessThan(1);
  });

  it('is deterministic: the same seed gives the same data, another seed other data', async () => {
    const a = loadSpiral({ seed: 42 });
    const b = loadSpiral({ seed: 42 });
    const c = loadSpiral({ seed: 43 });
    expect(await a.x.data()).toEqual(await b.x.data());
    expect(a.points).toEqual(b.points);
    expect(a.points).not.toEqual(c.points);
  });

  it('stores the tensors on the backend and in the dtype asked for', () => {
    const backend = cpuBackend();
    const { x, t } = loadSpiral({ dtype: 'float64', backend, pointsPerClass: 5, classes: 4 });
    expect(x.backend).toBe(backend);
    expect(x.dtype).toBe('float64');
    expect(x.shape).toEqual([20, 2]);
    expect(t.shape).toEqual([20, 4]);
  });

  it('rejects a class count that is not a positive integer', () => {
    expect(() => loadSpiral({ classes: 0 })).toThrow(/classes must be a positive integer, got 0/);
  });
});
