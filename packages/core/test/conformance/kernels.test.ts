import { describe, expect, it } from 'vitest';
import { cpuBackend, Generator, KERNEL_NAMES, type Backend, type BackendArray, type DType, type Kernels, type Shape, type TypedArray } from '../../src/index.ts';
import { firstMismatch, type Tolerances } from './compare.ts';
import { createInputs, inputValues, isIntInput, seedOf } from './inputs.ts';
import { EXEMPT, KERNEL_CASES, type Coverage, type KernelCase, type Tolerance } from './kernel-cases.ts';
import { gpuForTests } from './packages.ts';
import { referenceBackend } from './reference-backend.ts';

const gpu = await gpuForTests();

/** One backend under test: where its float inputs live and what its results are compared with. */
interface Row {
  readonly label: string;
  readonly backend: Backend | null;
  readonly float: 'float32' | 'float64';
  /** The CPU float64 backend is the oracle; it is itself checked against the reference definitions. */
  readonly against: 'reference' | 'oracle';
  readonly skip: string | null;
}

const ROWS: readonly Row[] = [
  { label: 'cpu float64 (the oracle, against the reference definitions)', backend: cpuBackend(), float: 'float64', against: 'reference', skip: null },
  { label: 'cpu float32 (against the oracle)', backend: cpuBackend(), float: 'float32', against: 'oracle', skip: null },
  { label: 'webgpu float32 (against the oracle)', backend: gpu.backend, float: 'float32', against: 'oracle', skip: gpu.reason },
];

const TOLERANCES: Record<'float32' | 'float64', Record<Tolerance, Tolerances>> = {
  float32: { exact: { atol: 0, rtol: 0 }, elementwise: { atol: 1e-6, rtol: 1e-5 }, reduction: { atol: 1e-6, rtol: 1e-5 } },
  float64: { exact: { atol: 0, rtol: 0 }, elementwise: { atol: 1e-12, rtol: 1e-12 }, reduction: { atol: 1e-12, rtol: 1e-12 } },
};

interface Outcome {
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
async function runCase(backend: Backend, c: KernelCase, float: 'float32' | 'float64', magnitudes = false): Promise<Outcome> {
  const values = valuesOf(c).map((v, i) => (magnitudes && !isIntInput(c.inputs[i]) ? v.map(Math.abs) : v));
  const before = backend.liveBuffers();
  const created: BackendArray[] = createInputs(backend, c.inputs, values, float);
  const out = c.run(tracking(backend.kernels, created), [...created], float);
  const result = await backend.read(out);
  for (const a of created) backend.dispose(a);
  return { shape: out.shape, dtype: out.dtype, values: result, leaked: backend.liveBuffers() - before };
}

const oracle = cpuBackend();
const reference = referenceBackend();

describe.each(ROWS)('kernel conformance: $label', (row) => {
  describe.skipIf(row.backend === null)(row.skip ?? 'on this backend', () => {
    it.each(KERNEL_CASES.map((c) => ({ c, title: `${c.kernel}: ${c.name}` })))('$title', async ({ c }) => {
      const backend = row.backend as Backend;
      const got = await runCase(backend, c, row.float);
      const want = row.against === 'reference' ? await runCase(reference, c, 'float64') : await runCase(oracle, c, 'float64');
      expect(got.shape).toEqual(want.shape);
      const wantDType = want.dtype === 'float64' ? row.float : want.dtype;
      expect(got.dtype).toBe(wantDType);
      // NOTE: a float32 sum's rounding error scales with Σ|terms|, not with the (possibly cancelled)
      // result, so reductions are compared relative to the same reduction of the magnitudes.
      const scale = c.tolerance === 'reduction' && row.against === 'oracle' ? (await runCase(oracle, c, 'float64', true)).values : undefined;
      const mismatch = firstMismatch(got.values, want.values, TOLERANCES[row.float][c.tolerance], scale);
      expect(mismatch, `${c.kernel} ${c.name}: ${mismatch}`).toBeNull();
      expect(got.leaked, 'buffers still live after disposing every array of the case').toBe(0);
    });
  });
});

describe('the kernel table', () => {
  const CLASSES: readonly Coverage[] = ['scalar', 'odd', 'broadcast', 'size0', 'rank4', 'special', 'view', 'int32'];

  it('has a case for every kernel of the backend interface', () => {
    const missing = KERNEL_NAMES.filter((name) => !KERNEL_CASES.some((c) => c.kernel === name));
    expect(missing).toEqual([]);
  });

  it('covers every class of input for every kernel, except the documented exemptions', () => {
    const gaps = KERNEL_NAMES.flatMap((name) =>
      CLASSES.filter((cls) => EXEMPT[name]?.[cls] === undefined && !KERNEL_CASES.some((c) => c.kernel === name && c.covers.includes(cls))).map(
        (cls) => `${name}: ${cls}`,
      ),
    );
    expect(gaps).toEqual([]);
  });

  it('names each case once per kernel', () => {
    const titles = KERNEL_CASES.map((c) => `${c.kernel}: ${c.name}`);
    expect(new Set(titles).size).toBe(titles.length);
  });
});
