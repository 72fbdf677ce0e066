import type { TypedArray, UnaryKernelName } from '@graphgrad/core';
import { erf } from './erf.ts';

/** A unary loop: `out[i] = f(x[offset + i])` for i < n (both contiguous). */
type UnaryLoop = (out: TypedArray, x: TypedArray, offset: number, n: number) => void;

/**
 * Each unary kernel as a JavaScript expression of the element's value `v`, computed in float64
 * (`erf` is in scope); storing it into the output's typed array rounds it once.
 */
const UNARY_EXPRESSIONS: { readonly [K in UnaryKernelName]: string } = {
  Neg: '-v',
  Exp: 'Math.exp(v)',
  Log: 'Math.log(v)',
  // NOTE: log(1 + v) without rounding 1 + v first, so that log1p(1e-10) keeps its digits.
  Log1p: 'Math.log1p(v)',
  Sqrt: 'Math.sqrt(v)',
  Abs: 'Math.abs(v)',
  Tanh: 'Math.tanh(v)',
  Erf: 'erf(v)',
  // NOTE: sigmoid takes the form whose exponential cannot overflow, so ±1e3 gives exactly 1 and 0.
  Sigmoid: 'v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))',
};

// NOTE: one template with each operation's expression pasted in, compiled once per operation, so
// that V8 sees each Math call inline (see binary-loops.ts).
const TEMPLATE = 'for (let i = 0; i < n; i++) { const v = x[off + i]; o[i] = EXPR; }';

const compiled: Partial<Record<UnaryKernelName, UnaryLoop>> = {};

/** The plain loop of unary kernel `name`, compiled on first use. */
export function unaryLoop(name: UnaryKernelName): UnaryLoop {
  let loop = compiled[name];
  if (loop === undefined) {
    const body = TEMPLATE.replace('EXPR', `(${UNARY_EXPRESSIONS[name]})`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the template above, see binary-loops.ts
    const withHelpers = new Function('erf', `return function loop(o, x, off, n) { ${body} };`) as (
      helper: typeof erf,
    ) => UnaryLoop;
    loop = withHelpers(erf);
    compiled[name] = loop;
  }
  return loop;
}
