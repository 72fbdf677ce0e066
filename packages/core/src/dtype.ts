import { requireCount } from './arguments.ts';
import { describeValue } from './describe-value.ts';
import { DTypeError } from './errors.ts';
/** The element types a tensor can hold. `int32` is for labels and indices and is never differentiated. */
export type DType = 'float32' | 'float64' | 'int32';

/** The floating-point dtypes, the only ones that carry gradients. */
export type FloatDType = 'float32' | 'float64';

/** The typed array that backs each dtype. */
export interface TypedArrayFor {
  /** 32-bit floats. */
  float32: Float32Array;
  /** 64-bit floats. */
  float64: Float64Array;
  /** 32-bit signed integers. */
  int32: Int32Array;
}

/** Any typed array a tensor's data can be read into or created from. */
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** The default dtype of new tensors: float32, as the book argues (same accuracy, half the bandwidth). */
export const DEFAULT_DTYPE: DType = 'float32';

const CONSTRUCTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
} as const;

/** Allocates a zero-filled typed array of `dtype` with `length` elements. */
export function allocTypedArray<D extends DType>(dtype: D, length: number): TypedArrayFor[D] {
  if (!isDType(dtype))
    throw new DTypeError(`allocTypedArray: dtype must be 'float32', 'float64' or 'int32', got ${describeValue(dtype)}`);
  requireCount('allocTypedArray', length, 'length');
  return new CONSTRUCTORS[dtype](length) as TypedArrayFor[D];
}

/** Copies `values` into a new typed array of `dtype` (int32 truncates as a C cast would). */
export function toTypedArray<D extends DType>(dtype: D, values: ArrayLike<number>): TypedArrayFor[D] {
  return CONSTRUCTORS[dtype].from(values) as TypedArrayFor[D];
}

/** The dtype whose typed array `data` is. */
export function dtypeOfTypedArray(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  throw new DTypeError(
    `dtypeOfTypedArray: data must be a Float32Array, Float64Array or Int32Array, got ${describeValue(data)}`,
  );
}

/** True for the dtypes that can carry a gradient. */
export function isFloatDType(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

/** True when `value` names one of graphgrad's dtypes. */
export function isDType(value: unknown): value is DType {
  return value === 'float32' || value === 'float64' || value === 'int32';
}
