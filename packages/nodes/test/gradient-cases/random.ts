// The gradient cases of the sampling operations: dropout, whose mask is fixed by its seed, so the
// function central differences evaluate is the same at every call.
import fc from 'fast-check';
import { arbitraries } from '@graphgrad/core/testing';
import { dropout } from '../../src/index.ts';
import { instance, show, SMOOTH, type GradientCase } from './support.ts';

export const RANDOM_CASES: readonly GradientCase[] = [
  {
    name: 'dropout',
    node: 'MulNode',
    instance: fc
      .tuple(
        arbitraries.tensorOf(arbitraries.shape(), SMOOTH),
        fc.constantFrom(0.2, 0.5, 0.9),
        fc.integer({ min: 0, max: 1000 }),
      )
      .map(([x, p, seed]) =>
        instance(`dropout ${show(x.shape)} p=${p} seed=${seed}`, (t) => dropout(t, p, { seed }), [x]),
      ),
  },
];
