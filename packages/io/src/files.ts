import { ArgumentError, describeValue, GraphgradError, type Tensor } from '@graphgrad/core';
import { loadTensors, type LoadStateDictResult } from '@graphgrad/nodes';
import {
  decodeSafetensors,
  decodeStateDict,
  encodeSafetensors,
  isStateful,
  namedEntries,
  type DecodeOptions,
  type EncodeOptions,
  type NamedTensors,
} from './safetensors.ts';

// NOTE: the module name is in a variable so that bundlers building for a browser do not try to
// resolve node:fs; only `save`, `load` and `loadInto` need it, and only in Node.
const NODE_FS = 'node:fs/promises';

/** The functions of node:fs/promises used here, typed locally so the package needs no Node.js types (a browser build type checks without them). */
interface NodeFs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

async function nodeFs(): Promise<NodeFs> {
  return (await import(/* @vite-ignore */ NODE_FS)) as NodeFs;
}

/**
 * A file that could not be read or written: missing, a folder, not permitted. Carries the path and
 * the system's code (`ENOENT`, `EISDIR`, `EACCES`, …).
 *
 * @example
 * try { await load('missing.safetensors'); } catch (e) { if (e instanceof CheckpointFileError) console.log(e.code); }
 */
export class CheckpointFileError extends GraphgradError {
  /** Always `'CheckpointFileError'`, so logs and messages name the kind of error. */
  override name = 'CheckpointFileError';
  constructor(
    message: string,
    /** The path as given. */
    readonly path: string,
    /** The system's error code, or '' when it gave none. */
    readonly code: string,
  ) {
    super(message);
  }
}

/** Throws an `ArgumentError` unless `path` is a non-empty string without NUL characters. */
function requirePath(op: string, path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '' || path.includes('\u0000'))
    throw new ArgumentError(`${op}: path must be a non-empty file path, got ${describeValue(path)}`);
}

/** Runs a file system call, turning its failure into a `CheckpointFileError` naming `op` and the path. */
async function fileCall<T>(op: string, what: string, path: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const given = (error as { code?: unknown }).code;
    const code = typeof given === 'string' ? given : '';
    const reason = (error as { message?: unknown }).message;
    throw new CheckpointFileError(
      `${op}: cannot ${what} ${describeValue(path)}${code === '' ? '' : ` (${code})`}: ${describeValue(String(reason)).slice(1, -1)}`,
      path,
      code,
    );
  }
}

async function readBytes(op: string, path: unknown): Promise<Uint8Array> {
  requirePath(op, path);
  const fs = await nodeFs();
  const bytes = await fileCall(op, 'read', path, () => fs.readFile(path));
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Writes a `.safetensors` file (Node only): a module's state dict by dotted name
 * (`encoder.fc.W`), an optimizer's state (its step count and hyperparameters in the metadata),
 * named tensors, a list, or a book-style model's `params` by position. The file is written under
 * a temporary name and renamed into place, so a reader never sees half a checkpoint.
 *
 * @example
 * await save(model, 'out/model.safetensors');       // keys 'fc1.W', 'fc1.b', …
 * await save(optimizer, 'out/optimizer.safetensors');
 * await save({ W1, b1 }, 'out/two-layer-net.safetensors', { metadata: { epoch: '300' } });
 */
export async function save(tensors: NamedTensors, path: string, options: EncodeOptions = {}): Promise<void> {
  requirePath('save', path);
  const bytes = await encodeSafetensors(tensors, options);
  const fs = await nodeFs();
  const partial = `${path}.partial`;
  await fileCall('save', 'write', partial, () => fs.writeFile(partial, bytes));
  await fileCall('save', 'write', path, () => fs.rename(partial, path));
}

/**
 * Reads a `.safetensors` file into tensors by name (Node only).
 *
 * @example
 * const { W1, b1 } = await load('out/two-layer-net.safetensors');
 */
export async function load(path: string, options: DecodeOptions = {}): Promise<Record<string, Tensor>> {
  return decodeSafetensors(await readBytes('load', path), options);
}

/** Options of `loadInto`. */
export interface LoadIntoOptions {
  /**
   * Require the file's names to match the target's exactly (default true): a missing or an
   * unexpected name is an error, listed with every other problem. When false, missing names keep
   * their values and unexpected ones are ignored (a module reports both).
   */
  readonly strict?: boolean;
}

/**
 * Restores a `.safetensors` file into existing objects, in place (Node only): a module through
 * `loadStateDict` (by dotted name), an optimizer (its state and step count), or tensors (named, a
 * list, a book-style model's `params` by position) with `assign`, so optimizers and layers keep
 * pointing at the same tensors. Strict and atomic: every name, shape and dtype is checked before
 * anything is written, and a refused file leaves the target exactly as it was.
 *
 * @example
 * await loadInto(model, 'out/model.safetensors');
 * await loadInto(optimizer, 'out/optimizer.safetensors');
 */
export async function loadInto(
  target: NamedTensors,
  path: string,
  options: LoadIntoOptions = {},
): Promise<LoadStateDictResult | undefined> {
  const bytes = await readBytes('loadInto', path);
  const dict = decodeStateDict(bytes);
  try {
    if (isStateful(target)) {
      const result = await target.loadStateDict(dict, { strict: options.strict ?? true });
      return isLoadResult(result) ? result : undefined;
    }
    const into: Record<string, Tensor> = {};
    for (const [name, t] of namedEntries(target)) into[name] = t as Tensor;
    return await loadTensors(into, dict, { strict: options.strict ?? true, caller: `loadInto(${path})` });
  } finally {
    for (const v of Object.values(dict)) if (typeof v !== 'number') v.dispose();
  }
}

function isLoadResult(value: unknown): value is LoadStateDictResult {
  const r = value as Partial<LoadStateDictResult> | null;
  return r !== null && typeof r === 'object' && Array.isArray(r.missingKeys) && Array.isArray(r.unexpectedKeys);
}
