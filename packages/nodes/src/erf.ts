import { defineNode, type Tensor } from '@graphgrad/core';
import { exp } from './exp.ts';
import { mul } from './mul.ts';
import { neg } from './neg.ts';
import { square } from './square.ts';
import { requireFloat } from './validate.ts';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** The Erf node, y = erf(x). */
export const ErfNode = defineNode({
  kind: 'Erf',
  inputs: ['x'],
  forward: (k, [x]) => k.Erf(x),
  // dx = dy·(2/√π)·e^(-x²)
  backward: ({ inputs: [x] }, dy) => [mul(dy, mul(exp(neg(square(x))), TWO_OVER_SQRT_PI))],
});

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(-t²) dt, elementwise (`scipy.special.erf`, `torch.erf`).
 *
 * @example
 * erf(tensor([0, 0.5, 3])); // [0, 0.5205, 0.99998]
 */
export function erf(x: Tensor): Tensor {
  requireFloat('erf', x);
  return ErfNode.apply([x]);
}
