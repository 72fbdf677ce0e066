import { tensor } from '@graphgrad/core';
import { describe, expect, it } from 'vitest';
import { clipGrads } from '../src/index.ts';

describe('clipGrads', () => {
  it('scales every gradient by maxNorm / (total + 1e-6) when the global norm is above maxNorm', async () => {
    const a = tensor([3, 4], { dtype: 'float64' });
    const b = tensor([[12]], { dtype: 'float64' });
    // total = √(9 + 16 + 144) = 13; rate = 6.5 / (13 + 1e-6) = 0.49999996…
    const norm = clipGrads([a, null, b], 6.5);
    expect(await norm.item()).toBeCloseTo(13, 12);
    const rate = 6.5 / (13 + 1e-6);
    const [a0, a1] = await a.data();
    expect(a0).toBeCloseTo(3 * rate, 12);
    expect(a1).toBeCloseTo(4 * rate, 12);
    expect(await b.item()).toBeCloseTo(12 * rate, 12);
    expect(rate).toBeLessThan(0.5);
  });

  it('leaves the gradients alone when the global norm is within maxNorm', async () => {
    const a = tensor([3, 4], { dtype: 'float64' });
    const norm = clipGrads([a], 5.0001);
    expect(await norm.item()).toBeCloseTo(5, 12);
    expect(Array.from(await a.data())).toEqual([3, 4]);
  });

  it('rejects a maxNorm that is not positive', () => {
    expect(() => clipGrads([tensor([1])], 0)).toThrow(/clipGrads: maxNorm must be a finite number > 0, got 0/);
  });
});
