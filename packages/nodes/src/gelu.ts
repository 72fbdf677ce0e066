import { ArgumentError, defineNode, type Tensor } from '@graphgrad/core';
import { add } from './add.ts';
import { erf } from './erf.ts';
import { exp } from './exp.ts';
import { mul } from './mul.ts';
import { square } from './square.ts';
import { sub } from './sub.ts';
import { tanh } from './tanh.ts';
import { describeValue, requireFloat, requireOptions } from './validate.ts';

const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
/** The cubic coefficient of the tanh approximation. */
const CUBIC = 0.044715;

/** How `gelu` computes Φ(x): exactly with erf, or with PyTorch's tanh approximation. */
export type GeluApproximation = 'none' | 'tanh';

/** The Gelu node, y = x·Φ(x) with Φ the standard normal CDF (or its tanh approximation). */
export const GeluNode = defineNode<{
  /** `'none'`: Φ(x) = ½(1 + erf(x/√2)); `'tanh'`: ½(1 + tanh(√(2/π)(x + 0.044715x³))). */
  approximate: GeluApproximation;
}>({
  kind: 'Gelu',
  inputs: ['x'],
  forward: (k, [x], { approximate }, backend) => {
    const c = (v: number) => backend.fill([], v, x.dtype);
    const halfX = k.Mul(x, c(0.5));
    if (approximate === 'none') return k.Mul(halfX, k.Add(c(1), k.Erf(k.Mul(x, c(SQRT_HALF)))));
    const inner = k.Mul(k.Add(x, k.Mul(c(CUBIC), k.Mul(x, k.Mul(x, x)))), c(SQRT_2_OVER_PI));
    return k.Mul(halfX, k.Add(c(1), k.Tanh(inner)));
  },
  // exact: dx = dy·(Φ(x) + x·φ(x)), φ(x) = e^(-x²/2)/√(2π);
  // tanh: dx = dy·(½(1 + t) + ½x(1 - t²)·√(2/π)(1 + 3·0.044715x²)), t = tanh(√(2/π)(x + 0.044715x³))
  backward: ({ inputs: [x], attrs: { approximate } }, dy) => {
    if (approximate === 'none') {
      const cdf = mul(add(erf(mul(x, SQRT_HALF)), 1), 0.5);
      const pdf = mul(exp(mul(square(x), -0.5)), INV_SQRT_2PI);
      return [mul(dy, add(cdf, mul(x, pdf)))];
    }
    const t = tanh(mul(add(x, mul(mul(square(x), x), CUBIC)), SQRT_2_OVER_PI));
    const slope = mul(add(mul(square(x), 3 * CUBIC), 1), SQRT_2_OVER_PI);
    const dt = mul(mul(mul(x, 0.5), sub(1, square(t))), slope);
    return [mul(dy, add(mul(add(t, 1), 0.5), dt))];
  },
});

/**
 * The Gaussian error linear unit x·Φ(x), Φ the standard normal CDF, elementwise
 * (`torch.nn.functional.gelu`): exact by default, or with `approximate: 'tanh'` PyTorch's (and
 * GPT-2's) ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
 *
 * @example
 * gelu(tensor([-1, 0, 1]));                          // [-0.1587, 0, 0.8413]
 * gelu(tensor([-1, 0, 1]), { approximate: 'tanh' }); // [-0.1588, 0, 0.8412]
 */
export function gelu(x: Tensor, options: { approximate?: GeluApproximation } = {}): Tensor {
  requireFloat('gelu', x);
  requireOptions('gelu', options);
  const approximate = options.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh')
    throw new ArgumentError(`gelu: approximate must be 'none' or 'tanh', got ${describeValue(approximate)}`);
  return GeluNode.apply([x], { approximate });
}
