import {
  ArgumentError,
  describeValue,
  DTypeError,
  formatShape,
  GraphgradError,
  isFloatDType,
  sizeOf,
  ShapeError,
  tensor,
  Tensor,
  type Backend,
  type DType,
  type TypedArray,
} from '@graphgrad/core';

/**
 * The safetensors format (the one PyTorch, numpy and the Hugging Face tools read and write): an
 * 8-byte little-endian header length N, N bytes of JSON header, then the raw little-endian data of
 * every tensor, packed without holes. The header maps each name to `{ dtype, shape, data_offsets }`
 * (offsets relative to the start of the data) and may hold a `__metadata__` map of strings.
 *
 * graphgrad writes F64, F32 and I32; it reads those three, and also F16 and BF16 (widened exactly
 * to float32) and I64 (narrowed to int32 when every value fits).
 */

/** A malformed safetensors file: a header that does not parse, offsets that do not fit, a truncated buffer. */
export class SafetensorsError extends GraphgradError {
  /** Always `'SafetensorsError'`, so logs and messages name the kind of error. */
  override name = 'SafetensorsError';
}

/**
 * Something with a state dict: a `Module` (its tensors by dotted name), an optimizer (its state
 * tensors and numbers), anything that saves and restores itself by name.
 *
 * @example
 * const target: Stateful = model;
 */
export interface Stateful {
  /** Its state by name: tensors, and numbers (a step count, a learning rate). */
  stateDict(): Readonly<Record<string, Tensor | number>>;
  /** Restores a state given by name (strict: every name must match). */
  loadStateDict(dict: Readonly<Record<string, Tensor | number>>, options?: { strict?: boolean }): unknown;
}

/**
 * Tensors to save: something `Stateful` (a `Module` by dotted name, an optimizer), named tensors
 * (`{ W1, b1 }`), a list (named "0", "1", …), or a book-style model with `params` (by position).
 */
export type NamedTensors =
  | Stateful
  | Readonly<Record<string, Tensor>>
  | readonly Tensor[]
  | {
      /** A layer's or model's parameters, saved under their positions. */
      readonly params: readonly Tensor[];
    };

/** Options of `encodeSafetensors` and `save`. */
export interface EncodeOptions {
  /** Free-form string metadata, stored as the header's `__metadata__`. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Options of `decodeSafetensors` and `load`. */
export interface DecodeOptions {
  /** The backend to create the tensors on (default: `getBackend()`). */
  readonly backend?: Backend;
  /** Make every float tensor a leaf that requires a gradient (what a model's parameters need). */
  readonly requiresGrad?: boolean;
}

/** One tensor's entry in the header. */
interface HeaderEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data_offsets: readonly [number, number];
}

const METADATA_KEY = '__metadata__';

/** The metadata entry holding a state dict's numbers (a JSON object of decimal strings). */
const NUMBERS_KEY = 'graphgrad.numbers';

/** The reference implementation refuses headers above 100 MB; so does this one, before parsing. */
const MAX_HEADER_BYTES = 100_000_000;

const WRITTEN: Record<DType, { readonly code: string; readonly bytes: number }> = {
  float64: { code: 'F64', bytes: 8 },
  float32: { code: 'F32', bytes: 4 },
  int32: { code: 'I32', bytes: 4 },
};

/** How each dtype code that can be read becomes one of graphgrad's dtypes. */
const READ: Record<
  string,
  { readonly dtype: DType; readonly bytes: number; readonly get: (view: DataView, at: number) => number }
> = {
  F64: { dtype: 'float64', bytes: 8, get: (v, at) => v.getFloat64(at, true) },
  F32: { dtype: 'float32', bytes: 4, get: (v, at) => v.getFloat32(at, true) },
  I32: { dtype: 'int32', bytes: 4, get: (v, at) => v.getInt32(at, true) },
  F16: { dtype: 'float32', bytes: 2, get: (v, at) => halfToNumber(v.getUint16(at, true)) },
  // NOTE: bfloat16 is the top half of a float32, so widening it is exact: shift it back into place.
  BF16: {
    dtype: 'float32',
    bytes: 2,
    get: (v, at) => new Float32Array(new Uint32Array([v.getUint16(at, true) << 16]).buffer)[0],
  },
  I64: { dtype: 'int32', bytes: 8, get: (v, at) => Number(v.getBigInt64(at, true)) },
};

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Sets an own property, even one named `__proto__` (which plain assignment would treat as the prototype). */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True when `source` saves and restores itself by name (`stateDict`, `loadStateDict`). */
export function isStateful(source: unknown): source is Stateful {
  const s = source as Partial<Stateful> | null;
  return (
    s !== null && typeof s === 'object' && typeof s.stateDict === 'function' && typeof s.loadStateDict === 'function'
  );
}

/**
 * The entries of `source` under their names (a list and a model's `params` are numbered from 0; a
 * stateful object gives its state dict, numbers included).
 */
export function namedEntries(source: NamedTensors): [string, Tensor | number][] {
  if (isStateful(source)) return Object.entries(source.stateDict());
  if (Array.isArray(source)) return (source as readonly Tensor[]).map((t, i) => [String(i), t]);
  if ('params' in source && Array.isArray(source.params))
    return (source.params as readonly Tensor[]).map((t, i) => [String(i), t]);
  return Object.entries(source as Readonly<Record<string, Tensor>>);
}

/** Little-endian bytes of a typed array, whatever the host's byte order. */
function littleEndianBytes(values: TypedArray): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN_HOST) return bytes;
  const swapped = new Uint8Array(bytes.length);
  const width = values.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += width)
    for (let j = 0; j < width; j++) swapped[i + j] = bytes[i + width - 1 - j];
  return swapped;
}

/**
 * The bytes of a safetensors file holding `tensors` (their values are read from the backend, hence
 * async). Tensors are laid out widest dtype first, then by name, after a header padded with spaces
 * to a multiple of 8 bytes, so every tensor's data starts aligned to its element size, as the
 * reference implementation does.
 *
 * @example
 * const bytes = await encodeSafetensors({ W: randn([2, 3]), labels: tensor([0, 2], { dtype: 'int32' }) }, { metadata: { epoch: '300' } });
 */
export async function encodeSafetensors(tensors: NamedTensors, options: EncodeOptions = {}): Promise<Uint8Array> {
  const all = namedEntries(tensors);
  const entries: [string, Tensor][] = [];
  const numbers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, t] of all) {
    if (typeof t === 'number' && isStateful(tensors)) setOwn(numbers, name, String(t));
    else if (!(t instanceof Tensor)) throw new ArgumentError(`encodeSafetensors: '${name}' is not a Tensor`);
    else entries.push([name, t]);
    if (name === '' || name === METADATA_KEY)
      throw new ArgumentError(`encodeSafetensors: '${name}' cannot name a tensor`);
    if (seen.has(name)) throw new ArgumentError(`encodeSafetensors: the name '${name}' is used twice`);
    seen.add(name);
  }
  const given = options.metadata ?? {};
  for (const [key, value] of Object.entries(given)) {
    if (typeof value !== 'string')
      throw new ArgumentError(`encodeSafetensors: metadata '${key}' must be a string, got ${typeof value}`);
  }
  if (Object.keys(numbers).length > 0 && Object.prototype.hasOwnProperty.call(given, NUMBERS_KEY))
    throw new ArgumentError(`encodeSafetensors: the metadata key '${NUMBERS_KEY}' holds the state dict's numbers`);
  const metadata: Record<string, string> = { ...given };
  if (Object.keys(numbers).length > 0) metadata[NUMBERS_KEY] = JSON.stringify(numbers);
  const ordered = [...entries].sort(
    ([nameA, a], [nameB, b]) =>
      WRITTEN[b.dtype].bytes - WRITTEN[a.dtype].bytes || (nameA < nameB ? -1 : nameA > nameB ? 1 : 0),
  );
  const data = await Promise.all(ordered.map(async ([, t]) => littleEndianBytes(await t.data())));

  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  let offset = 0;
  ordered.forEach(([name, t], i) => {
    setOwn(header, name, {
      dtype: WRITTEN[t.dtype].code,
      shape: [...t.shape],
      data_offsets: [offset, offset + data[i].length],
    });
    offset += data[i].length;
  });
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;

  const bytes = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const chunk of data) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/** The deepest a header nests: the header, a tensor's entry, its shape or offsets. */
const MAX_HEADER_DEPTH = 3;

/**
 * Refuses what JSON.parse would accept silently or fail on untyped: a name given twice at the top
 * level (the format's reference reader rejects it; JSON.parse would keep the last) and nesting
 * deeper than the format needs. One pass over the text, outside strings.
 */
function checkHeaderStructure(text: string): void {
  const names = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (depth === 1) {
        let next = end + 1;
        while (next < text.length && /\s/.test(text[next])) next++;
        if (text[next] === ':') {
          const name = text.slice(i, end + 1);
          if (names.has(name))
            throw new SafetensorsError(`safetensors: the header names ${describeValue(name.slice(1, -1))} twice`);
          names.add(name);
        }
      }
      i = end;
    } else if (c === '{' || c === '[') {
      if (++depth > MAX_HEADER_DEPTH)
        throw new SafetensorsError(`safetensors: the header nests deeper than the format's ${MAX_HEADER_DEPTH} levels`);
    } else if (c === '}' || c === ']') depth--;
  }
}

/** Reads and checks the header: its length, its JSON, each entry, and that the offsets tile the data exactly. */
function readHeader(bytes: Uint8Array): {
  entries: [string, HeaderEntry][];
  metadata: Record<string, string>;
  dataStart: number;
} {
  const given: unknown = bytes;
  if (!(given instanceof Uint8Array))
    throw new ArgumentError(`safetensors: bytes must be a Uint8Array, got ${describeValue(given)}`);
  if (bytes.length < 8)
    throw new SafetensorsError(`safetensors: ${bytes.length} bytes is too short to hold the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw new SafetensorsError(
      `safetensors: header length ${declared} exceeds the ${bytes.length - 8} bytes after the length prefix (or the 100 MB limit)`,
    );
  }
  const headerLength = Number(declared);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new SafetensorsError('safetensors: the header is not valid UTF-8');
  }
  checkHeaderStructure(text);
  if (!text.startsWith('{'))
    throw new SafetensorsError(`safetensors: the header must start with '{', got ${describeValue(text.slice(0, 16))}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError(`safetensors: the header is not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new SafetensorsError('safetensors: the header must be a JSON object');

  let metadata: Record<string, string> = {};
  const entries: [string, HeaderEntry][] = [];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      metadata = checkMetadata(value);
      continue;
    }
    entries.push([name, checkEntry(name, value)]);
  }

  const dataLength = bytes.length - 8 - headerLength;
  let expectedStart = 0;
  for (const [
    name,
    {
      data_offsets: [begin, end],
    },
  ] of [...entries].sort(
    ([, a], [, b]) => a.data_offsets[0] - b.data_offsets[0] || a.data_offsets[1] - b.data_offsets[1],
  )) {
    if (begin !== expectedStart) {
      throw new SafetensorsError(
        `safetensors: tensor '${name}' starts at byte ${begin} of the data, expected ${expectedStart} (the tensors must tile the data without holes or overlaps)`,
      );
    }
    expectedStart = end;
  }
  if (expectedStart !== dataLength) {
    throw new SafetensorsError(
      `safetensors: the tensors cover ${expectedStart} bytes of data, the file holds ${dataLength}`,
    );
  }
  return { entries, metadata, dataStart: 8 + headerLength };
}

function checkMetadata(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new SafetensorsError('safetensors: __metadata__ must be an object of strings');
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new SafetensorsError(`safetensors: __metadata__ '${key}' must be a string, got ${JSON.stringify(v)}`);
  }
  const metadata: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, string>)) setOwn(metadata, key, v);
  return metadata;
}

function checkEntry(name: string, value: unknown): HeaderEntry {
  const entry = value as Partial<HeaderEntry> | null;
  if (entry === null || typeof entry !== 'object')
    throw new SafetensorsError(`safetensors: the entry of '${name}' is not an object`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string' || !(dtype in READ)) {
    throw new DTypeError(
      `safetensors: tensor '${name}' has dtype ${JSON.stringify(dtype)}; graphgrad reads ${Object.keys(READ).join(', ')}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ShapeError(
      `safetensors: tensor '${name}' has shape ${JSON.stringify(shape)}, expected a list of non-negative integers`,
    );
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw new SafetensorsError(
      `safetensors: tensor '${name}' has data_offsets ${JSON.stringify(offsets)}, expected [begin, end] with 0 ≤ begin ≤ end`,
    );
  }
  const expected = sizeOf(shape) * READ[dtype].bytes;
  if (offsets[1] - offsets[0] !== expected) {
    throw new SafetensorsError(
      `safetensors: tensor '${name}' (${dtype} ${formatShape(shape)}) needs ${expected} bytes, its data_offsets span ${offsets[1] - offsets[0]}`,
    );
  }
  return { dtype, shape, data_offsets: [offsets[0], offsets[1]] };
}

function decodeValues(name: string, entry: HeaderEntry, bytes: Uint8Array, dataStart: number): TypedArray {
  const format = READ[entry.dtype];
  const begin = bytes.byteOffset + dataStart + entry.data_offsets[0];
  const length = sizeOf(entry.shape);
  if (LITTLE_ENDIAN_HOST && (entry.dtype === 'F64' || entry.dtype === 'F32' || entry.dtype === 'I32')) {
    // A copy (slice) rather than a view: the data may sit at any byte offset, and typed arrays need alignment.
    const copy = bytes.buffer.slice(begin, begin + length * format.bytes);
    return entry.dtype === 'F64'
      ? new Float64Array(copy)
      : entry.dtype === 'F32'
        ? new Float32Array(copy)
        : new Int32Array(copy);
  }
  const view = new DataView(bytes.buffer, begin, length * format.bytes);
  const out =
    format.dtype === 'float64'
      ? new Float64Array(length)
      : format.dtype === 'float32'
        ? new Float32Array(length)
        : new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const value = format.get(view, i * format.bytes);
    if (entry.dtype === 'I64' && (value < -(2 ** 31) || value >= 2 ** 31)) {
      throw new DTypeError(
        `safetensors: tensor '${name}' (I64) holds ${value} at element ${i}, which does not fit in int32`,
      );
    }
    out[i] = value;
  }
  return out;
}

/**
 * The tensors of a safetensors file, by name (in the header's order). Checks the header strictly:
 * a malformed file is a `SafetensorsError`, an unreadable dtype a `DTypeError`.
 *
 * @example
 * const { W, labels } = decodeSafetensors(bytes);
 * const params = decodeSafetensors(bytes, { requiresGrad: true });
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeOptions = {}): Record<string, Tensor> {
  requireOptions('decodeSafetensors', options);
  const { entries, dataStart } = readHeader(bytes);
  const out: Record<string, Tensor> = {};
  for (const [name, entry] of entries) {
    const values = decodeValues(name, entry, bytes, dataStart);
    const dtype = READ[entry.dtype].dtype;
    const requiresGrad = options.requiresGrad === true && isFloatDType(dtype);
    setOwn(out, name, tensor(values, { shape: entry.shape, dtype, backend: options.backend, requiresGrad }));
  }
  return out;
}

/**
 * A state dict saved from something `Stateful` (a module, an optimizer): the file's tensors by name
 * and the numbers kept in its metadata (exactly: written as decimal strings that read back to the
 * same doubles). A file without numbers gives its tensors alone.
 *
 * @example
 * await optimizer.loadStateDict(decodeStateDict(bytes));
 */
export function decodeStateDict(bytes: Uint8Array, options: DecodeOptions = {}): Record<string, Tensor | number> {
  requireOptions('decodeStateDict', options);
  const raw = readHeader(bytes).metadata[NUMBERS_KEY];
  let numbers: Record<string, number> = {};
  if (raw !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new SafetensorsError(`safetensors: the metadata '${NUMBERS_KEY}' is not valid JSON`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new SafetensorsError(`safetensors: the metadata '${NUMBERS_KEY}' must be an object of numbers`);
    numbers = {};
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof value !== 'string' || value.trim() === '' || (Number.isNaN(Number(value)) && value !== 'NaN'))
        throw new SafetensorsError(`safetensors: the number '${key}' in '${NUMBERS_KEY}' is ${JSON.stringify(value)}`);
      setOwn(numbers, key, Number(value));
    }
  }
  const tensors = decodeSafetensors(bytes, options);
  const clash = Object.keys(numbers).find((k) => Object.prototype.hasOwnProperty.call(tensors, k));
  if (clash !== undefined) {
    for (const t of Object.values(tensors)) t.dispose();
    throw new SafetensorsError(`safetensors: '${clash}' is both a tensor and a number`);
  }
  const dict: Record<string, Tensor | number> = {};
  for (const [k, v] of Object.entries(tensors)) setOwn(dict, k, v);
  for (const [k, v] of Object.entries(numbers)) setOwn(dict, k, v);
  return dict;
}

/**
 * The `__metadata__` of a safetensors file (empty when it has none), without reading any tensor.
 *
 * @example
 * safetensorsMetadata(bytes); // { epoch: '300' }
 */
export function safetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  return readHeader(bytes).metadata;
}

/** Throws an `ArgumentError` naming `op` unless `options` is an object (or omitted). */
function requireOptions(op: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object'))
    throw new ArgumentError(`${op}: options must be an object, got ${describeValue(options)}`);
}
