import { describe, expect, it } from 'vitest';
import { cpuBackend, Generator, gradCheck, isFloatDType, keep, tensor, tidy, type Backend, type DType, type Shape, type Tensor, type TypedArray } from '../../src/index.ts';
import { firstMismatch } from './compare.ts';
import { inputValues, isIntInput, seedOf } from './inputs.ts';
import { NODE_CASES, type NodeCase } from './node-cases.ts';
import { gpuForTests, nodes } from './packages.ts';
import { referenceBackend } from './reference-backend.ts';

const { mul, sum } = nodes;
const gpu = await gpuForTests();

interface Outcome {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly values: TypedArray;
  /** The gradient of each float input (null where none flowed). */
  readonly grads: readonly (TypedArray | null)[];
  readonly leaked: number;
}

function inputsOf(c: NodeCase): { floats: number[][]; ints: number[][] } {
  const g = new Generator(seedOf(`${c.kind} ${c.name}`));
  return { floats: c.floats.map((s) => inputValues(s, g)), ints: (c.ints ?? []).map((s) => inputValues(s, g)) };
}

/** Runs the case on `backend`: forward, then backward of Σ w·y when y is a float that needs a gradient. */
async function runCase(backend: Backend, c: NodeCase, float: 'float32' | 'float64'): Promise<Outcome> {
  const values = inputsOf(c);
  const before = backend.liveBuffers();
  const { y, xs, grads } = tidy(() => {
    const xs = c.floats.map((s, i) => tensor(Float64Array.from(values.floats[i]), { shape: s.shape, dtype: float, backend, requiresGrad: true }));
    const ints = (c.ints ?? []).map((s, i) => tensor(Int32Array.from(values.ints[i]), { shape: s.shape, dtype: 'int32', backend }));
    const y = c.fn(xs, ints, float);
    if (y.requiresGrad) {
      const g = new Generator(seedOf(c.name) + 1);
      const w = tensor(Float64Array.from({ length: y.size }, () => Math.fround(g.normal())), { shape: y.shape, dtype: y.dtype, backend });
      sum(mul(y, w)).backward();
    }
    return { y, xs, grads: xs.map((x) => (x.grad === null ? null : keep(x.grad))) };
  });
  const out = { shape: y.shape, dtype: y.dtype, values: await y.data(), grads: await Promise.all(grads.map((g) => g?.data() ?? null)) };
  for (const t of [y, ...xs, ...grads]) t?.dispose();
  return { ...out, leaked: backend.liveBuffers() - before };
}

const oracle = cpuBackend();
const reference = referenceBackend();
const TOLERANCE = { atol: 1e-5, rtol: 1e-4 };

function expectClose(got: Outcome, want: Outcome, float: DType, exact: boolean, c: NodeCase): void {
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(isFloatDType(want.dtype) ? float : want.dtype);
  const tol = exact ? { atol: 1e-12, rtol: 1e-12 } : TOLERANCE;
  const forward = firstMismatch(got.values, want.values, tol);
  expect(forward, `${c.kind} ${c.name} forward: ${forward}`).toBeNull();
  expect(got.grads.map((g) => g === null)).toEqual(want.grads.map((g) => g === null));
  got.grads.forEach((g, i) => {
    const mismatch = g === null ? null : firstMismatch(g, want.grads[i] as TypedArray, tol);
    expect(mismatch, `${c.kind} ${c.name} gradient of input ${i}: ${mismatch}`).toBeNull();
  });
  expect(got.leaked, 'buffers still live after disposing every tensor of the case').toBe(0);
}

const cases = NODE_CASES.map((c) => ({ ...c, title: `${c.kind}: ${c.name}` }));

describe('node conformance: cpu float64 (the oracle)', () => {
  it.each(cases)('$title: the reference kernels agree, and gradients match finite differences', async (c) => {
    const got = await runCase(oracle, c, 'float64');
    expectClose(got, await runCase(reference, c, 'float64'), 'float64', true, c);
    if (!got.grads.some((g) => g !== null)) return;
    const values = inputsOf(c);
    const ints = (c.ints ?? []).map((s, i) => tensor(Int32Array.from(values.ints[i]), { shape: s.shape, dtype: 'int32', backend: oracle }));
    const xs = c.floats.map((s, i) => tensor(Float64Array.from(values.floats[i]), { shape: s.shape, dtype: 'float64', backend: oracle }));
    const report = await gradCheck((...fs: Tensor[]) => c.fn(fs, ints, 'float64'), xs);
    expect(report.passed, report.message).toBe(true);
    for (const t of [...xs, ...ints]) t.dispose();
  });
});

describe.each([
  { label: 'cpu float32', backend: cpuBackend() as Backend | null, skip: null as string | null },
  { label: 'webgpu float32', backend: gpu.backend as Backend | null, skip: gpu.reason },
])('node conformance: $label against the oracle', ({ backend, skip }) => {
  describe.skipIf(backend === null)(skip ?? 'forward values and gradients', () => {
    it.each(cases)('$title', async (c) => {
      expectClose(await runCase(backend as Backend, c, 'float32'), await runCase(oracle, c, 'float64'), 'float32', false, c);
    });
  });
});

describe('the node table', () => {
  it('has a case for every node kind @graphgrad/nodes exports', () => {
    const kinds = Object.entries(nodes)
      .filter(([name]) => name.endsWith('Node'))
      .map(([, kind]) => (kind as { spec: { kind: string } }).spec.kind);
    expect(kinds.length).toBeGreaterThan(20);
    expect(kinds.filter((k) => !NODE_CASES.some((c) => c.kind === k))).toEqual([]);
  });
});
