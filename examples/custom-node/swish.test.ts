import { gradCheck } from 'graphgrad';
import { arbitraries } from 'graphgrad/testing';
import { expect, it } from 'vitest';
import { swish } from './swish.ts';
import fc from 'fast-check';

it('swish: the gradient matches central differences on random tensors', async () => {
  const inputs = arbitraries.tensorOf(arbitraries.shape(), { min: -6, max: 6 });
  await fc.assert(
    fc.asyncProperty(inputs, async (x) => {
      const { passed, message } = await gradCheck(swish, [x]);
      expect(passed, message).toBe(true);
    }),
    { numRuns: 30 },
  );
});
