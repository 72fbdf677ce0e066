import { ArgumentError } from './errors.ts';

/** The longest quotation of user input an error message carries. */
const QUOTE_LIMIT = 60;

/** The longest quotation a caller may ask for: a message stays readable. */
const MAX_LIMIT = 500;

/**
 * A value as an error message quotes it: short, whatever it is (a Symbol, a BigInt, a function, a
 * cyclic object, a string of a million characters), and never `[object Object]`. Long quotations
 * are cut with `…`.
 *
 * @example
 * describeValue('x'.repeat(1e6)); // '"xxxxxxxx…" (a string of 1000000 characters)'
 * describeValue({ lr: 0.1 });     // '{"lr":0.1}'
 */
export function describeValue(value: unknown, limit = QUOTE_LIMIT): string {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new ArgumentError(
      `describeValue: limit must be an integer in [1, ${MAX_LIMIT}], got ${describeValue(limit)}`,
    );
  const cut = (text: string): string => (text.length > limit ? `${text.slice(0, limit)}…` : text);
  switch (typeof value) {
    case 'string':
      return value.length > limit
        ? `${JSON.stringify(value.slice(0, limit)).slice(0, -1)}…" (a string of ${value.length} characters)`
        : JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return cut(`${value}n`);
    case 'symbol':
      return cut(value.toString());
    case 'function':
      return `a function${value.name === '' ? '' : ` (${cut(value.name)})`}`;
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return String(value);
  }
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value))
    return `a ${value.constructor.name} of ${(value as unknown as ArrayLike<number>).length} elements`;
  // An instance of a class that says what it is (a Tensor: `Tensor #3 [2, 3] float32`) by its own words.
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== null && proto !== Object.prototype && proto !== Array.prototype) {
      const text: unknown = (value as { toString(): unknown }).toString();
      if (typeof text === 'string' && !text.startsWith('[object ')) return cut(text);
    }
  } catch {
    // A toString that throws: quote the value as data below.
  }
  try {
    const seen = new WeakSet<object>();
    const json = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (typeof v === 'symbol' || typeof v === 'function') return describeValue(v, limit);
      if (v !== null && typeof v === 'object') {
        if (seen.has(v)) return '(cycle)';
        seen.add(v);
      }
      return v;
    });
    if (json !== undefined && json !== '{}') return cut(json);
  } catch {
    // A getter that throws, or an object JSON cannot walk: fall through to its kind.
  }
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? `a ${cut(name)}` : Array.isArray(value) ? '[]' : '{}';
}
