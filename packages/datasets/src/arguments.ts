// Checks of the plain-data arguments the datasets' helpers take (text, corpora of word ids, lists
// of numbers), each throwing an `ArgumentError` that names the helper and quotes the value.
import { ArgumentError, describeValue } from '@graphgrad/core';

/** Throws unless `text` is a string. */
export function requireText(op: string, text: unknown, name = 'text'): asserts text is string {
  if (typeof text !== 'string') throw new ArgumentError(`${op}: ${name} must be a string, got ${describeValue(text)}`);
}

/** Throws unless `corpus` is an Int32Array of word ids. */
export function requireCorpus(op: string, corpus: unknown, name = 'corpus'): asserts corpus is Int32Array {
  if (!(corpus instanceof Int32Array))
    throw new ArgumentError(`${op}: ${name} must be an Int32Array of word ids, got ${describeValue(corpus)}`);
}

/** Throws unless `values` is a typed array or an array of numbers. */
export function requireNumbers(op: string, values: unknown, name: string): asserts values is ArrayLike<number> {
  const ok =
    (ArrayBuffer.isView(values) && !(values instanceof DataView)) ||
    (Array.isArray(values) && values.every((v) => typeof v === 'number'));
  if (!ok) throw new ArgumentError(`${op}: ${name} must be a list of numbers, got ${describeValue(values)}`);
}

/** Throws unless `options` is an object or undefined. */
export function requireOptions(op: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object'))
    throw new ArgumentError(`${op}: options must be an object, got ${describeValue(options)}`);
}
