import {
  ArgumentError,
  DTypeError,
  formatShape,
  GraphgradError,
  isFloatDType,
  shapesEqual,
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

/** Tensors to save: named (`{ W1, b1 }`), a list (named "0", "1", …), or anything with `params` (a layer or a model). */
export type NamedTensors =
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

/** The tensors of `source` under their names (a list and a model's `params` are numbered from 0). */
function namedTensors(source: NamedTensors): [string, Tensor][] {
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
  const entries = namedTensors(tensors);
  const seen = new Set<string>();
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) throw new ArgumentError(`encodeSafetensors: '${name}' is not a Tensor`);
    if (name === '' || name === METADATA_KEY)
      throw new ArgumentError(`encodeSafetensors: '${name}' cannot name a tensor`);
    if (seen.has(name)) throw new ArgumentError(`encodeSafetensors: the name '${name}' is used twice`);
    seen.add(name);
  }
  const metadata = options.metadata ?? {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string')
      throw new ArgumentError(`encodeSafetensors: metadata '${key}' must be a string, got ${typeof value}`);
  }
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

/** Reads and checks the header: its length, its JSON, each entry, and that the offsets tile the data exactly. */
function readHeader(bytes: Uint8Array): {
  entries: [string, HeaderEntry][];
  metadata: Record<string, string>;
  dataStart: number;
} {
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
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  if (!text.startsWith('{'))
    throw new SafetensorsError(`safetensors: the header must start with '{', got ${JSON.stringify(text.slice(0, 16))}`);
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
 * The `__metadata__` of a safetensors file (empty when it has none), without reading any tensor.
 *
 * @example
 * safetensorsMetadata(bytes); // { epoch: '300' }
 */
export function safetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  return readHeader(bytes).metadata;
}

// NOTE: the module name is in a variable so that bundlers building core for a browser do not try
// to resolve node:fs; only `save`, `load` and `loadInto` need it, and only in Node.
const NODE_FS = 'node:fs/promises';

/** The two functions of node:fs/promises used here, typed locally so core's types need no Node.js types (a browser build type checks without them). */
interface NodeFs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
}

async function nodeFs(): Promise<NodeFs> {
  return (await import(/* @vite-ignore */ NODE_FS)) as NodeFs;
}

/**
 * Writes tensors (named, a list, or a model's `params`) to a `.safetensors` file (Node only).
 *
 * @example
 * await save({ W1, b1, W2, b2 }, 'out/two-layer-net.safetensors');
 * await save(model, 'out/model.safetensors'); // params named "0", "1", …
 */
export async function save(tensors: NamedTensors, path: string, options: EncodeOptions = {}): Promise<void> {
  const bytes = await encodeSafetensors(tensors, options);
  await (await nodeFs()).writeFile(path, bytes);
}

/**
 * Reads a `.safetensors` file into tensors by name (Node only).
 *
 * @example
 * const { W1, b1 } = await load('out/two-layer-net.safetensors');
 */
export async function load(path: string, options: DecodeOptions = {}): Promise<Record<string, Tensor>> {
  const bytes = await (await nodeFs()).readFile(path);
  return decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
}

/**
 * Reads a `.safetensors` file into existing tensors (a model's `params`, a list, or named tensors),
 * in place with `assign`, so optimizers and layers keep pointing at the same tensors. Every
 * target must be in the file with its shape and dtype (Node only).
 *
 * @example
 * await save(model, 'out/model.safetensors');
 * await loadInto(model, 'out/model.safetensors');
 */
export async function loadInto(target: NamedTensors, path: string): Promise<void> {
  const loaded = await load(path);
  try {
    for (const [name, t] of namedTensors(target)) {
      const source = loaded[name];
      if (source === undefined)
        throw new ArgumentError(
          `loadInto: ${path} has no tensor '${name}' (it has ${Object.keys(loaded).join(', ') || 'none'})`,
        );
      if (!shapesEqual(source.shape, t.shape))
        throw new ShapeError(
          `loadInto: '${name}' is ${formatShape(source.shape)} in ${path}, the target is ${formatShape(t.shape)}`,
        );
      if (source.dtype !== t.dtype)
        throw new DTypeError(`loadInto: '${name}' is ${source.dtype} in ${path}, the target is ${t.dtype}`);
      const moved = source.backend === t.backend ? source : await source.to(t.backend);
      t.assign(moved);
      if (moved !== source) moved.dispose();
    }
  } finally {
    for (const t of Object.values(loaded)) t.dispose();
  }
}
