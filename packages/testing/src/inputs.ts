import { type Generator, sizeOf, type Backend, type BackendArray, type DType } from '@graphgrad/core';
import type { InputSpec } from './kernel-cases.ts';

/** A stable seed for a case, so every backend sees the same inputs. */
export function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h | 0;
}

/** Whether an input is created as int32. */
export function isIntInput(spec: InputSpec): boolean {
  return spec.int32 === true || (typeof spec.values === 'object' && 'ints' in spec.values);
}

/**
 * The values of an input. Float values are rounded to float32 first, so the float64 oracle and
 * the float32 backends compute from identical inputs and differ only in arithmetic.
 */
export function inputValues(spec: InputSpec, g: Generator): number[] {
  const n = sizeOf(spec.shape);
  const v = spec.values;
  if (Array.isArray(v))
    return isIntInput(spec) ? [...(v as readonly number[])] : (v as readonly number[]).map((x) => Math.fround(x));
  if (typeof v === 'object' && 'ints' in v) {
    const [lo, hi] = (v as { ints: readonly [number, number] }).ints;
    return Array.from({ length: n }, () => lo + g.int(hi - lo));
  }
  const draw = (): number => {
    if (v === 'positive') return 0.1 + 3 * g.uniform();
    if (v === 'wide') return 4 * g.normal();
    return g.normal();
  };
  return Array.from({ length: n }, () => Math.fround(draw()));
}

/** Creates a case's inputs on `backend`, float inputs in `float`. */
export function createInputs(
  backend: Backend,
  specs: readonly InputSpec[],
  values: readonly number[][],
  float: DType,
): BackendArray[] {
  return specs.map((spec, i) => {
    const dtype: DType = isIntInput(spec) ? 'int32' : float;
    const data =
      dtype === 'int32'
        ? Int32Array.from(values[i])
        : dtype === 'float32'
          ? Float32Array.from(values[i])
          : Float64Array.from(values[i]);
    return backend.fromData(data, spec.shape, dtype);
  });
}
