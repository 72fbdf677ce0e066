import { DTypeError, GraphgradError } from './errors.ts';
import { noGrad } from './grad-mode.ts';
import { Generator } from './random.ts';
import { formatShape } from './shape.ts';
import { Tensor } from './tensor.ts';
import { tidy } from './scope.ts';

/** Options of `gradCheck`. */
export interface GradCheckOptions {
  /**
   * Step h of the central differences (default 1e-3). The derivative is extrapolated from steps h
   * and h/2 (Richardson), so its truncation error is O(h⁴) rather than O(h²).
   */
  eps?: number;
  /** Absolute tolerance per element (default 1e-6). */
  atol?: number;
  /** Relative tolerance per element (default 1e-5): passes when |analytic - numeric| ≤ atol + rtol·|numeric|. */
  rtol?: number;
  /** Seed of the random projection used when `fn` returns a non-scalar (default 0). */
  seed?: number;
}

/** How one input's analytic gradient compared with the numerical one. */
export interface InputGradReport {
  /** Which input of `fn` this is. */
  readonly index: number;
  /** The input's shape. */
  readonly shape: readonly number[];
  /** Largest |analytic - numeric| over the elements. */
  readonly maxAbsError: number;
  /** ‖analytic - numeric‖ / max(‖analytic‖, ‖numeric‖) (0 when both are zero). */
  readonly relError: number;
  /** Flat index of the worst element, and its two values. */
  readonly worst: {
    /** Flat (row-major) index of the element. */
    readonly at: number;
    /** The gradient `backward()` computed there. */
    readonly analytic: number;
    /** The central difference there. */
    readonly numeric: number;
  };
  /** Whether every element is within atol + rtol·|numeric|. */
  readonly passed: boolean;
}

/** The result of `gradCheck`: per-input reports, an overall verdict and a readable message. */
export interface GradCheckResult {
  /** Whether every input passed. */
  readonly passed: boolean;
  /** One report per input, in order. */
  readonly inputs: readonly InputGradReport[];
  /** A readable summary: one line per input, the worst element of each failing one. */
  readonly message: string;
}

/** Thrown by `assertGradCheck` when a gradient disagrees with its finite differences. */
export class GradCheckError extends GraphgradError {
  /** Always `'GradCheckError'`, so logs and messages name the kind of error. */
  override name = 'GradCheckError';
}

async function projectedValue(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  weights: Float64Array,
): Promise<number> {
  const out = noGrad(() => tidy(() => fn(...inputs)));
  const values = await out.data();
  out.dispose();
  let total = 0;
  for (let i = 0; i < values.length; i++) total += weights[i] * values[i];
  return total;
}

/**
 * Compares the analytic gradient of `fn` with respect to each input against central differences
 * (Richardson-extrapolated), in float64. A non-scalar output is reduced to Σ w·fn(x) with fixed
 * random weights w. Inputs are copied (float64, requiring a gradient), so the caller's tensors are
 * left alone.
 *
 * @example
 * const result = await gradCheck((a, b) => sum(mul(a, b)), [randn([3, 4], { dtype: 'float64' }), randn([4], { dtype: 'float64' })]);
 * result.passed; // true
 */
export async function gradCheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradCheckOptions = {},
): Promise<GradCheckResult> {
  const { eps = 1e-3, atol = 1e-6, rtol = 1e-5, seed = 0 } = options;
  const originals: Float64Array[] = [];
  for (const t of inputs) {
    if (t.dtype !== 'float64') {
      throw new DTypeError(
        `gradCheck: input ${formatShape(t.shape)} is ${t.dtype}; finite differences need float64 inputs`,
      );
    }
    originals.push(Float64Array.from(await t.data()));
  }
  const leaf = (i: number, values: Float64Array, requiresGrad: boolean): Tensor =>
    new Tensor(inputs[i].backend.fromData(values, inputs[i].shape, 'float64'), inputs[i].backend, requiresGrad);

  const leaves = originals.map((v, i) => leaf(i, v, true));
  // The forward's intermediates (and the seed) go with the tidy; the leaves' gradients outlive it.
  const weights = tidy(() => {
    const out = fn(...leaves);
    const generator = new Generator(seed);
    const w = Float64Array.from({ length: out.size }, () => (out.size === 1 ? 1 : generator.normal()));
    out.backward(out.size === 1 ? undefined : new Tensor(out.backend.fromData(w, out.shape, out.dtype), out.backend));
    return w;
  });
  const analytic = await Promise.all(
    leaves.map(async (l) => (l.grad === null ? new Float64Array(l.size) : Float64Array.from(await l.grad.data()))),
  );
  leaves.forEach((l) => {
    l.grad?.dispose();
    l.dispose();
  });

  const reports: InputGradReport[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const numeric = new Float64Array(originals[i].length);
    for (let j = 0; j < numeric.length; j++) {
      const at = (delta: number): Promise<number> => {
        const values = Float64Array.from(originals[i]);
        values[j] += delta;
        const args = originals.map((v, k) => leaf(k, k === i ? values : v, false));
        return projectedValue(fn, args, weights).finally(() => args.forEach((a) => a.dispose()));
      };
      // NOTE: a plain central difference errs by h²·f'''/6 plus rounding of about ε·|f|/h, which
      // no single h keeps small when a gradient is tiny next to the loss (the bias of the book's
      // 0.01·randn net gave 1e-5 relative error at h = 1e-6). Richardson's (4·D(h/2) - D(h)) / 3
      // cancels the h² term, so a large h keeps the rounding small as well.
      const central = async (h: number): Promise<number> => ((await at(h)) - (await at(-h))) / (2 * h);
      const coarse = await central(eps);
      const fine = await central(eps / 2);
      numeric[j] = (4 * fine - coarse) / 3;
    }
    reports.push(compare(i, inputs[i].shape, analytic[i], numeric, atol, rtol));
  }
  const passed = reports.every((r) => r.passed);
  const lines = reports.map(
    (r) =>
      `  input ${r.index} ${formatShape(r.shape)}: max abs error ${r.maxAbsError.toExponential(2)}, ` +
      `relative error ${r.relError.toExponential(2)}${r.passed ? '' : ` FAILED at element ${r.worst.at}: analytic ${r.worst.analytic}, numeric ${r.worst.numeric}`}`,
  );
  const message = `gradCheck ${passed ? 'passed' : 'FAILED'} (eps ${eps}, atol ${atol}, rtol ${rtol})\n${lines.join('\n')}`;
  return { passed, inputs: reports, message };
}

/** `gradCheck` that throws a `GradCheckError` with the report when any gradient disagrees. */
export async function assertGradCheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradCheckOptions = {},
): Promise<GradCheckResult> {
  const result = await gradCheck(fn, inputs, options);
  if (!result.passed) throw new GradCheckError(result.message);
  return result;
}

function compare(
  index: number,
  shape: readonly number[],
  analytic: Float64Array,
  numeric: Float64Array,
  atol: number,
  rtol: number,
): InputGradReport {
  let maxAbsError = 0;
  let worstAt = 0;
  let passed = true;
  let diffNorm = 0;
  let analyticNorm = 0;
  let numericNorm = 0;
  for (let k = 0; k < analytic.length; k++) {
    const diff = Math.abs(analytic[k] - numeric[k]);
    if (!(diff <= atol + rtol * Math.abs(numeric[k]))) passed = false;
    if (!(diff <= maxAbsError)) {
      maxAbsError = diff;
      worstAt = k;
    }
    diffNorm += diff * diff;
    analyticNorm += analytic[k] * analytic[k];
    numericNorm += numeric[k] * numeric[k];
  }
  const scale = Math.sqrt(Math.max(analyticNorm, numericNorm));
  const relError = scale === 0 ? Math.sqrt(diffNorm) : Math.sqrt(diffNorm) / scale;
  return {
    index,
    shape,
    maxAbsError,
    relError,
    worst: { at: worstAt, analytic: analytic[worstAt] ?? 0, numeric: numeric[worstAt] ?? 0 },
    passed,
  };
}
