import { cpuBackend } from '@graphgrad/cpu';
import { gradCheck, tidy, type Backend, type GradCheckResult, type Tensor } from '@graphgrad/core';
import { graphFunction, lossOf, makeInputs, runSteps, type GraphSpec, type Place } from './graph-spec.ts';

/** The float64 CPU, where gradients are checked against central differences and the GPU is compared with. */
const oracle: Place = { backend: cpuBackend(), dtype: 'float64' };

/** Analytic gradients of the graph against Richardson-extrapolated central differences, in float64. */
export async function checkGradients(spec: GraphSpec): Promise<GradCheckResult> {
  const inputs = makeInputs(spec, oracle);
  try {
    return await gradCheck(graphFunction(spec, oracle), inputs);
  } finally {
    for (const t of inputs) t.dispose();
  }
}

/** Every value of a graph, its loss and the gradient of each input, read back from one backend. */
export interface Evaluation {
  readonly values: readonly Float64Array[];
  readonly loss: number;
  /** One per input, zeros where no gradient flowed. */
  readonly grads: readonly Float64Array[];
  /** Buffers still live after every tensor of the evaluation was disposed. */
  readonly leaked: number;
  /** The index of the step that produced each value. */
  readonly owners: readonly number[];
}

/** Runs the graph forward and backward on `place` and reads everything back. */
export async function evaluate(spec: GraphSpec, place: Place): Promise<Evaluation> {
  const before = place.backend.liveBuffers();
  const inputs = makeInputs(spec, place);
  const owners: number[] = [];
  const { values, loss } = tidy(() => {
    const all = runSteps(spec, inputs, place, owners);
    const l = lossOf(spec, all, place);
    l.backward();
    return { values: all, loss: l };
  });
  const grads = inputs.map((x) => x.grad);
  const read = async (t: Tensor | null, size: number): Promise<Float64Array> =>
    t === null ? new Float64Array(size) : Float64Array.from(await t.data());
  // Every read is issued before any is awaited: they are in flight together.
  const [valueData, lossData, gradData] = await Promise.all([
    Promise.all(values.map((v) => read(v, v.size))),
    read(loss, 1),
    Promise.all(grads.map((g, i) => read(g, inputs[i].size))),
  ]);
  for (const t of [...values, loss, ...grads, ...inputs]) t?.dispose();
  return {
    values: valueData,
    loss: lossData[0],
    grads: gradData,
    leaked: place.backend.liveBuffers() - before,
    owners,
  };
}

/**
 * Relative tolerance of a float32 backend against the float64 oracle.
 */
// NOTE: each value is compared relative to the largest magnitude in its array (at least 1): a
// float32 kernel rounds at about 6e-8 of its operands' magnitude, and the graphs chain up to a
// couple of dozen nodes whose errors add and are amplified by their derivatives (bounded by the
// generator's guards). 1e-3 is then far above float32 noise and far below what a wrong index, a
// wrong broadcast or a missing gradient term produces (errors of the order of the values).
export const FLOAT32_TOLERANCE = 1e-3;

/** The first element of `got` that differs from `want` by more than the tolerance, described, or null. */
export function firstMismatch(got: Float64Array, want: Float64Array, tolerance = FLOAT32_TOLERANCE): string | null {
  if (got.length !== want.length) return `${got.length} values, expected ${want.length}`;
  const scale = Math.max(1, ...Array.from(want, Math.abs));
  for (let i = 0; i < want.length; i++) {
    const allowed = tolerance * scale;
    if (!(Math.abs(got[i] - want[i]) <= allowed))
      return `element ${i}: got ${got[i]}, expected ${want[i]} (allowed difference ${allowed})`;
  }
  return null;
}

/** Every disagreement between a float32 backend's evaluation and the oracle's, described. */
export async function compareWithOracle(spec: GraphSpec, backend: Backend): Promise<string[]> {
  const [got, want] = [await evaluate(spec, { backend, dtype: 'float32' }), await evaluate(spec, oracle)];
  const problems: string[] = [];
  got.values.forEach((v, i) => {
    const m = firstMismatch(v, want.values[i]);
    if (m !== null) problems.push(`value ${i} (step ${JSON.stringify(spec.steps[want.owners[i]])}): ${m}`);
  });
  const lossMismatch = firstMismatch(Float64Array.of(got.loss), Float64Array.of(want.loss));
  if (lossMismatch !== null) problems.push(`loss: ${lossMismatch}`);
  got.grads.forEach((g, i) => {
    const m = firstMismatch(g, want.grads[i]);
    if (m !== null) problems.push(`gradient of input ${i}: ${m}`);
  });
  if (got.leaked !== 0) problems.push(`${got.leaked} buffers still live on ${backend.name} after disposing everything`);
  return problems;
}
