/**
 * What a workload of bench/workloads.ts is: one training step (or one product with its backward
 * products) written for graphgrad and for jax-js here, and for PyTorch and the book's numpy in a
 * Python module beside it (`python`, read by runner.py); the initial weights and every minibatch
 * generated once, here, with graphgrad's seeded Generator, and handed to every framework as files.
 *
 * A framework's side of a workload is a {@link Runner}: `step(i)` runs step i on minibatch i and
 * returns its loss read back to a number, as the book's loop does (`total_loss += loss`). A workload
 * without a loss (a bare product) returns nothing from `step` and computes a check value from the
 * last step's outputs in `finish`, after the timed steps.
 */
import { noGrad, tensor, type Generator, type Tensor } from '@graphgrad/core';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** jax-js, as a workload's jax-js side receives it: loaded only in the child that runs jax-js. */
export type Jax = typeof import('@jax-js/jax');

/** One array handed to every framework. */
export type HostArray =
  | { readonly dtype: 'float32'; readonly shape: readonly number[]; readonly values: Float32Array }
  | { readonly dtype: 'int32'; readonly shape: readonly number[]; readonly values: Int32Array };

/** Everything a workload's steps start from: named arrays and the hyperparameters. */
export interface WorkloadData {
  readonly arrays: Readonly<Record<string, HostArray>>;
  readonly config: Readonly<Record<string, number | string | boolean>>;
}

/** One framework's steps over a workload's data (see the module comment). */
export interface Runner {
  /** Runs step `i` (0-based) on minibatch `i`; returns its loss read back, or nothing (see `finish`). */
  step(i: number): number | undefined | Promise<number | undefined>;
  /** After the last step: a value computed from its outputs, when `step` returns no loss. */
  finish?(): number | Promise<number>;
}

/** A framework's side that does not exist yet: printed as `—` with the reason. */
export interface Pending {
  readonly pending: string;
}

/** A workload: see the module comment. */
export interface Workload {
  /** Kebab-case, as `node --import tsx bench/workloads.ts <name>` selects it. */
  readonly name: string;
  /** One line: the model, its shapes and its optimizer. */
  readonly title: string;
  /** The Python module in bench/workloads/ with `torch_runner(data, config)` and `numpy_runner(data, config)`. */
  readonly python: string;
  /** Steps run from the initial weights; the loss (or check value) after the last is compared. */
  readonly steps: number;
  /** The first steps, not timed (JIT, jax-js's compilation, allocator warm-up). */
  readonly warmup: number;
  /** Steps per timed sample (several for steps far shorter than a millisecond). */
  readonly group: number;
  /** Whether PyTorch with 2 threads is also reported (where large products make threads matter). */
  readonly multithread: boolean;
  /** Whether the book's numpy code applies (a numpy port in the Python module), or why not. */
  readonly numpy: true | Pending;
  /**
   * Largest relative difference from the reference row of any compared step's loss (or of the check
   * value): float32 rounding, summed in other orders and carried through the steps.
   */
  readonly tolerance: number;
  /**
   * Steps whose losses are compared (default: all). Training that amplifies rounding from one step
   * to the next (chapter 6's lr 20) parts two correct float32 runs after a few steps; say so in
   * `compareNote`, which is printed under the table.
   */
  readonly compareSteps?: number;
  readonly compareNote?: string;
  /** Generates the initial weights and the minibatches (called once per run of the benchmark). */
  data(): WorkloadData;
  readonly graphgrad: ((data: WorkloadData) => Runner) | Pending;
  readonly jaxjs: ((jax: Jax, data: WorkloadData) => Runner | Promise<Runner>) | Pending;
}

/** Whether a framework's side of a workload is pending rather than written. */
export function isPending(side: object): side is Pending {
  return 'pending' in side;
}

/** A float32 array of `shape` filled by `fill(k)` (Float32Array rounds each value once). */
export function floats(shape: readonly number[], fill: (k: number) => number): HostArray {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let k = 0; k < values.length; k++) values[k] = fill(k);
  return { dtype: 'float32', shape, values };
}

/** Normal deviates times `scale` from `generator`: the book's `randn(...) * scale`. */
export function randn(generator: Generator, shape: readonly number[], scale: number): HostArray {
  return floats(shape, () => generator.normal() * scale);
}

/** Zeros (biases). */
export function zeros(shape: readonly number[]): HostArray {
  return floats(shape, () => 0);
}

/** An int32 array of `shape` filled by `fill(k)`. */
export function ints(shape: readonly number[], fill: (k: number) => number): HostArray {
  const values = new Int32Array(shape.reduce((a, b) => a * b, 1));
  for (let k = 0; k < values.length; k++) values[k] = fill(k);
  return { dtype: 'int32', shape, values };
}

/**
 * Minibatch row indices for `steps` steps of `batch` rows over `rows` samples: each epoch a fresh
 * permutation from `generator`, cut into `floor(rows / batch)` minibatches, as the book's loops do.
 */
export function minibatches(generator: Generator, rows: number, batch: number, steps: number): HostArray {
  const perEpoch = Math.floor(rows / batch);
  const out = new Int32Array(steps * batch);
  let perm = generator.permutation(rows);
  for (let s = 0; s < steps; s++) {
    const it = s % perEpoch;
    if (it === 0 && s > 0) perm = generator.permutation(rows);
    out.set(perm.subarray(it * batch, (it + 1) * batch), s * batch);
  }
  return { dtype: 'int32', shape: [steps, batch], values: out };
}

/**
 * The check value of a workload without a loss: Σ_k (1 + k mod 7)·v_k² over each output in turn,
 * in float64 (runner.py's `probe` is the same). Squares cannot cancel, and the weights see where
 * each value sits, so a transposed or misplaced product changes it.
 */
export function probe(outputs: readonly ArrayLike<number>[]): number {
  let total = 0;
  for (const values of outputs) {
    for (let k = 0; k < values.length; k++) total += (1 + (k % 7)) * values[k] * values[k];
  }
  return total;
}

interface Manifest {
  readonly config: WorkloadData['config'];
  readonly arrays: Record<string, { dtype: HostArray['dtype']; shape: readonly number[]; file: string }>;
}

/** Writes a workload's data into `dir`: manifest.json and one little-endian .bin file per array. */
export function writeData(dir: string, data: WorkloadData): void {
  mkdirSync(dir, { recursive: true });
  const manifest: Manifest = { config: data.config, arrays: {} };
  for (const [name, array] of Object.entries(data.arrays)) {
    const file = `${name}.bin`;
    writeFileSync(
      join(dir, file),
      new Uint8Array(array.values.buffer, array.values.byteOffset, array.values.byteLength),
    );
    manifest.arrays[name] = { dtype: array.dtype, shape: array.shape, file };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

/** Reads what {@link writeData} wrote. */
export function readData(dir: string): WorkloadData {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const arrays: Record<string, HostArray> = {};
  for (const [name, { dtype, shape, file }] of Object.entries(manifest.arrays)) {
    const bytes = readFileSync(join(dir, file));
    // A copy: the file's Buffer may sit at an offset that is not a multiple of 4.
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    arrays[name] =
      dtype === 'float32'
        ? { dtype, shape, values: new Float32Array(buffer) }
        : { dtype, shape, values: new Int32Array(buffer) };
  }
  return { arrays, config: manifest.config };
}

/** The array `name` of `data`, which must be float32. */
export function f32(data: WorkloadData, name: string): Float32Array {
  const a = data.arrays[name];
  if (a?.dtype !== 'float32') throw new Error(`workload data: ${name} is not a float32 array`);
  return a.values;
}

/** The array `name` of `data`, which must be int32. */
export function i32(data: WorkloadData, name: string): Int32Array {
  const a = data.arrays[name];
  if (a?.dtype !== 'int32') throw new Error(`workload data: ${name} is not an int32 array`);
  return a.values;
}

/** The shape of array `name` of `data`. */
export function shapeOf(data: WorkloadData, name: string): number[] {
  const a = data.arrays[name];
  if (a === undefined) throw new Error(`workload data: no array ${name}`);
  return [...a.shape];
}

/** A number from the workload's config. */
export function num(data: WorkloadData, key: string): number {
  const v = data.config[key];
  if (typeof v !== 'number') throw new Error(`workload config: ${key} is not a number`);
  return v;
}

/** Sets graphgrad's parameter `p` to the shared initial weights `name` (a module's own start is replaced). */
export function loadInto(data: WorkloadData, p: Tensor, name: string): void {
  noGrad(() => p.assign(tensor(f32(data, name).slice(), { shape: shapeOf(data, name) })));
}
