import {
  Generator,
  gradCheck,
  isFloatDType,
  keep,
  tensor,
  tidy,
  type Backend,
  type BackendArray,
  type DType,
  type FloatDType,
  type Kernels,
  type Shape,
  type Tensor,
  type TypedArray,
} from '@graphgrad/core';
import { mul, sum } from '@graphgrad/nodes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstMismatch, type Tolerances } from './compare.ts';
import { createInputs, inputValues, isIntInput, seedOf } from './inputs.ts';
import { KERNEL_CASES, type KernelCase, type Tolerance } from './kernel-cases.ts';
import { NODE_CASES, type NodeCase } from './node-cases.ts';
import { referenceBackend } from './reference-backend.ts';

/** What `describeBackend` needs to know about the backend under test. */
export interface BackendUnderTest<B extends Backend = Backend> {
  /** The name in the tests' titles: `'cpu'`, `'webgpu'`. */
  name: string;
  /** Makes the backend, once, before the suite's first test (an async factory may wait for a device). */
  create: () => B | Promise<B>;
  /** The float dtypes the backend holds and the suite runs in (default `['float32']`). */
  floats?: readonly FloatDType[];
  /** Releases the backend after the suite. */
  destroy?: (backend: B) => void;
  /** Skips the suite with this reason (a backend that cannot start on this machine); null runs it. */
  skip?: string | null;
}

const KERNEL_TOLERANCES: Record<FloatDType, Record<Tolerance, Tolerances>> = {
  float32: {
    exact: { atol: 0, rtol: 0 },
    elementwise: { atol: 1e-6, rtol: 1e-5 },
    reduction: { atol: 1e-6, rtol: 1e-5 },
  },
  float64: {
    exact: { atol: 0, rtol: 0 },
    elementwise: { atol: 1e-12, rtol: 1e-12 },
    reduction: { atol: 1e-12, rtol: 1e-12 },
  },
};

const NODE_TOLERANCES: Record<FloatDType, Tolerances> = {
  float32: { atol: 1e-5, rtol: 1e-4 },
  float64: { atol: 1e-12, rtol: 1e-12 },
};

/**
 * The shared conformance suite, registered as vitest tests: every kernel of the backend interface
 * on its table of cases (a scalar, odd sizes, broadcasts, size 0, rank 4, NaN and ±Inf, strided
 * views, int32), and every node of `@graphgrad/nodes` forward and backward, each compared with the
 * plain reference definitions in float64; in float64 the node gradients are also checked against
 * central differences. Each case must also release every buffer it made. A backend package calls
 * it from one test file.
 *
 * @example
 * // packages/cpu/test/conformance.test.ts
 * describeBackend({ name: 'cpu', create: cpuBackend, floats: ['float64', 'float32'] });
 */
export function describeBackend<B extends Backend>(underTest: BackendUnderTest<B>): void {
  const floats = underTest.floats ?? ['float32'];
  describe.skipIf(underTest.skip != null)(
    `conformance of the ${underTest.name} backend${underTest.skip != null ? ` (${underTest.skip})` : ''}`,
    () => {
      let backend: B;
      beforeAll(async () => {
        backend = await underTest.create();
      });
      afterAll(() => {
        if (backend !== undefined) underTest.destroy?.(backend);
      });
      for (const float of floats) {
        describe(`kernels in ${float}`, () => {
          it.each(KERNEL_CASES.map((c) => ({ c, title: `${c.kernel}: ${c.name}` })))('$title', async ({ c }) => {
            await expectKernelConforms(backend, c, float);
          });
        });
        describe(`nodes in ${float}`, () => {
          it.each(NODE_CASES.map((c) => ({ c, title: `${c.kind}: ${c.name}` })))('$title', async ({ c }) => {
            await expectNodeConforms(backend, c, float);
          });
        });
      }
    },
  );
}

const reference = referenceBackend();

// ---- kernels -------------------------------------------------------------------------------------

interface KernelOutcome {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly values: TypedArray;
  /** liveBuffers() after disposing every array the case made, minus before. */
  readonly leaked: number;
}

/** Records every array the kernels return, so the case can dispose all of them. */
function tracking(kernels: Kernels, created: BackendArray[]): Kernels {
  return new Proxy(kernels, {
    get(target, name) {
      const kernel = Reflect.get(target, name) as (...args: unknown[]) => BackendArray;
      return (...args: unknown[]) => {
        const out = kernel(...args);
        created.push(out);
        return out;
      };
    },
  });
}

const drawn = new Map<KernelCase, number[][]>();

/** The case's input values, drawn once (every backend gets the same ones). */
function valuesOf(c: KernelCase): number[][] {
  let values = drawn.get(c);
  if (values === undefined) {
    const g = new Generator(seedOf(`${c.kernel} ${c.name}`));
    drawn.set(c, (values = c.inputs.map((spec) => inputValues(spec, g))));
  }
  return values;
}

/**
 * Runs a case and disposes every array it made. With `magnitudes`, float inputs are replaced by
 * their absolute values: a reduction of those is the scale its rounding error grows with.
 */
async function runKernelCase(
  backend: Backend,
  c: KernelCase,
  float: FloatDType,
  magnitudes = false,
): Promise<KernelOutcome> {
  const values = valuesOf(c).map((v, i) => (magnitudes && !isIntInput(c.inputs[i]) ? v.map(Math.abs) : v));
  const before = backend.liveBuffers();
  const created: BackendArray[] = createInputs(backend, c.inputs, values, float);
  const out = c.run(tracking(backend.kernels, created), [...created], float);
  const result = await backend.read(out);
  for (const a of created) backend.dispose(a);
  return { shape: out.shape, dtype: out.dtype, values: result, leaked: backend.liveBuffers() - before };
}

async function expectKernelConforms(backend: Backend, c: KernelCase, float: FloatDType): Promise<void> {
  const got = await runKernelCase(backend, c, float);
  const want = await runKernelCase(reference, c, 'float64');
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(want.dtype === 'float64' ? float : want.dtype);
  // NOTE: a float32 sum's rounding error scales with Σ|terms|, not with the (possibly cancelled)
  // result, so reductions are compared relative to the same reduction of the magnitudes.
  const scale =
    c.tolerance === 'reduction' && float === 'float32'
      ? (await runKernelCase(reference, c, 'float64', true)).values
      : undefined;
  const mismatch = firstMismatch(got.values, want.values, KERNEL_TOLERANCES[float][c.tolerance], scale);
  expect(mismatch, `${c.kernel} ${c.name}: ${mismatch}`).toBeNull();
  expect(got.leaked, 'buffers still live after disposing every array of the case').toBe(0);
}

// ---- nodes ---------------------------------------------------------------------------------------

interface NodeOutcome {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly values: TypedArray;
  /** The gradient of each float input (null where none flowed). */
  readonly grads: readonly (TypedArray | null)[];
  readonly leaked: number;
}

function nodeInputs(c: NodeCase): { floats: number[][]; ints: number[][] } {
  const g = new Generator(seedOf(`${c.kind} ${c.name}`));
  return { floats: c.floats.map((s) => inputValues(s, g)), ints: (c.ints ?? []).map((s) => inputValues(s, g)) };
}

/** Runs the case on `backend`: forward, then backward of Σ w·y when y is a float that needs a gradient. */
async function runNodeCase(backend: Backend, c: NodeCase, float: FloatDType): Promise<NodeOutcome> {
  const values = nodeInputs(c);
  const before = backend.liveBuffers();
  const { y, xs, grads } = tidy(() => {
    const xs = c.floats.map((s, i) =>
      tensor(Float64Array.from(values.floats[i]), { shape: s.shape, dtype: float, backend, requiresGrad: true }),
    );
    const ints = (c.ints ?? []).map((s, i) =>
      tensor(Int32Array.from(values.ints[i]), { shape: s.shape, dtype: 'int32', backend }),
    );
    const y = c.fn(xs, ints, float);
    if (y.requiresGrad) {
      const g = new Generator(seedOf(c.name) + 1);
      const w = tensor(
        Float64Array.from({ length: y.size }, () => Math.fround(g.normal())),
        { shape: y.shape, dtype: y.dtype, backend },
      );
      sum(mul(y, w)).backward();
    }
    return { y, xs, grads: xs.map((x) => (x.grad === null ? null : keep(x.grad))) };
  });
  const out = {
    shape: y.shape,
    dtype: y.dtype,
    values: await y.data(),
    grads: await Promise.all(grads.map(async (g) => (g === null ? null : g.data()))),
  };
  for (const t of [y, ...xs, ...grads]) t?.dispose();
  return { ...out, leaked: backend.liveBuffers() - before };
}

async function expectNodeConforms(backend: Backend, c: NodeCase, float: FloatDType): Promise<void> {
  const got = await runNodeCase(backend, c, float);
  const want = await runNodeCase(reference, c, 'float64');
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(isFloatDType(want.dtype) ? float : want.dtype);
  const tol = NODE_TOLERANCES[float];
  const forward = firstMismatch(got.values, want.values, tol);
  expect(forward, `${c.kind} ${c.name} forward: ${forward}`).toBeNull();
  expect(got.grads.map((g) => g === null)).toEqual(want.grads.map((g) => g === null));
  got.grads.forEach((g, i) => {
    const mismatch = g === null ? null : firstMismatch(g, want.grads[i] as TypedArray, tol);
    expect(mismatch, `${c.kind} ${c.name} gradient of input ${i}: ${mismatch}`).toBeNull();
  });
  expect(got.leaked, 'buffers still live after disposing every tensor of the case').toBe(0);
  if (float === 'float64' && got.grads.some((g) => g !== null)) await expectFiniteDifferences(backend, c);
}

/** In float64 the gradients are also checked against central differences. */
async function expectFiniteDifferences(backend: Backend, c: NodeCase): Promise<void> {
  const values = nodeInputs(c);
  const ints = (c.ints ?? []).map((s, i) =>
    tensor(Int32Array.from(values.ints[i]), { shape: s.shape, dtype: 'int32', backend }),
  );
  const xs = c.floats.map((s, i) =>
    tensor(Float64Array.from(values.floats[i]), { shape: s.shape, dtype: 'float64', backend }),
  );
  try {
    const report = await gradCheck((...fs: Tensor[]) => c.fn(fs, ints, 'float64'), xs);
    expect(report.passed, report.message).toBe(true);
  } finally {
    for (const t of [...xs, ...ints]) t.dispose();
  }
}
