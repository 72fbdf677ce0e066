// Checks of the arguments core's public functions take that are neither tensors nor shapes (those
// are tensor.ts's and shape.ts's): a callback, a count, a list of numbers. Each throws an
// `ArgumentError` that names the function and quotes the value with `describeValue`.
import { describeValue } from './describe-value.ts';
import { ArgumentError } from './errors.ts';

/** Throws unless `fn` is a function. */
export function requireFunction(op: string, fn: unknown, name = 'fn'): asserts fn is (...args: never[]) => unknown {
  if (typeof fn !== 'function') throw new ArgumentError(`${op}: ${name} must be a function, got ${describeValue(fn)}`);
}

/** Throws unless `value` is an integer in [min, max]. */
export function requireCount(op: string, value: unknown, name: string, min = 0, max = 2 ** 31 - 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ArgumentError(`${op}: ${name} must be an integer in [${min}, ${max}], got ${describeValue(value)}`);
  }
  return value;
}

/** Throws unless `value` is an array of numbers (a shape, strides or axes, before their own checks). */
export function requireNumbers(op: string, value: unknown, name: string): asserts value is readonly number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number')) {
    throw new ArgumentError(`${op}: ${name} must be a list of numbers, got ${describeValue(value)}`);
  }
}
