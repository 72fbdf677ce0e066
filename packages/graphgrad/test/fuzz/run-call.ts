// One fuzzed call and what it must leave behind: either a result (every tensor it returned healthy,
// every buffer it made given back once those are disposed), or a GraphgradError whose message is
// bounded and names the function, with every input tensor, gradient, version and buffer count
// exactly as before.
import { expect } from 'vitest';
import { GraphgradError, isTensor, tensor, tidy, type Backend, type DType, type Tensor } from '../../src/index.ts';
import { materialize, type ArgRecipe } from './hostile.ts';

/** The longest message an error may have: user input is quoted cut short, never whole. */
export const MAX_MESSAGE = 600;

/** What a call must not change when it throws. */
interface Snapshot {
  readonly live: number;
  readonly tensors: readonly {
    readonly t: Tensor;
    readonly disposed: boolean;
    readonly version: number;
    readonly grad: Tensor | null;
    readonly values: readonly number[] | null;
  }[];
}

async function snapshot(backend: Backend, tensors: readonly Tensor[]): Promise<Snapshot> {
  const entries = [];
  for (const t of tensors) {
    entries.push({
      t,
      disposed: t.isDisposed,
      version: t.version,
      grad: t.grad,
      values: t.isDisposed ? null : Array.from(await t.data()),
    });
  }
  return { live: backend.liveBuffers(), tensors: entries };
}

async function expectUnchanged(label: string, backend: Backend, before: Snapshot): Promise<void> {
  expect(backend.liveBuffers(), `${label}: buffers left behind by a refused call`).toBe(before.live);
  for (const e of before.tensors) {
    expect(e.t.isDisposed, `${label}: a refused call disposed tensor #${e.t.id}`).toBe(e.disposed);
    expect(e.t.version, `${label}: a refused call changed tensor #${e.t.id} in place`).toBe(e.version);
    expect(e.t.grad, `${label}: a refused call changed the gradient of tensor #${e.t.id}`).toBe(e.grad);
    if (e.values !== null) {
      const now = Array.from(await e.t.data());
      expect(
        Object.is(now.length, e.values.length) && now.every((v, i) => Object.is(v, e.values![i])),
        `${label}: a refused call changed the values of tensor #${e.t.id}`,
      ).toBe(true);
    }
  }
}

/** Every tensor in a result (a tensor, or arrays and plain objects holding some). */
function tensorsIn(value: unknown, found: Tensor[] = []): Tensor[] {
  if (isTensor(value)) found.push(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, found);
  return found;
}

function make(
  values: readonly number[],
  shape: readonly number[],
  dtype: DType,
  requiresGrad: boolean,
  on: Backend,
): Tensor {
  const data =
    dtype === 'int32'
      ? Int32Array.from(values)
      : dtype === 'float64'
        ? Float64Array.from(values)
        : Float32Array.from(values);
  return tensor(data, { shape: [...shape], dtype, requiresGrad, backend: on });
}

/** How one call ended, for statistics: which error class, or a result. */
export type Outcome = string;

/**
 * Runs `call` on arguments made from `recipes` and checks the contract. Returns the outcome: the
 * error class's name, or 'ok'.
 */
export async function runCall(
  label: string,
  backend: Backend,
  other: Backend,
  recipes: readonly ArgRecipe[],
  call: (args: unknown[]) => unknown,
): Promise<Outcome> {
  const { args, tensors } = materialize(recipes, backend, other, make);
  try {
    const before = await snapshot(backend, tensors);
    let result: unknown;
    let error: unknown = null;
    try {
      // A call may record nodes and make tensors: the scope frees them all once the result is checked.
      result = tidy(() => {
        const r = call(args);
        if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') return r;
        for (const t of tensorsIn(r)) expect(t.isDisposed, `${label}: returned a disposed tensor`).toBe(false);
        return null;
      });
      if (result !== null) await (result as Promise<unknown>);
    } catch (e) {
      error = e;
    }
    if (error === null) {
      expect(backend.liveBuffers(), `${label}: a call that succeeded left buffers behind after its scope`).toBe(
        before.live,
      );
      return 'ok';
    }
    if (!(error instanceof GraphgradError)) {
      const what =
        error instanceof Error
          ? `${error.name}: ${error.message.slice(0, 300)}`
          : Object.prototype.toString.call(error);
      throw new Error(`${label}: threw ${what}, not a GraphgradError`, { cause: error });
    }
    expect(
      error.message.length,
      `${label}: message of ${error.message.length} characters: ${error.message.slice(0, 200)}…`,
    ).toBeLessThanOrEqual(MAX_MESSAGE);
    expect(error.message, `${label}: message says [object Object]`).not.toContain('[object Object]');
    await expectUnchanged(label, backend, before);
    return error.name;
  } finally {
    for (const t of tensors) t.dispose();
  }
}
