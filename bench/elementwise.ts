/**
 * float32 elementwise kernels: add (with a new output) and sigmoid, on the book's small arrays
 * (30×10 plus a bias row broadcast down it) and on 1e6 floats (1000×1000), for graphgrad's CPU
 * backend (its Add and Sigmoid kernels), ndarray-ops (add) or a plain JavaScript loop (sigmoid),
 * TensorFlow.js (cpu and wasm backends) and numpy (bench/elementwise_numpy.py: a + b and the book's
 * 1 / (1 + np.exp(-x))), with graphgrad's speed as a ratio of each reference's, measured in this run.
 *
 *   node --import tsx bench/elementwise.ts [--runs 5]
 */
import { cpuBackend } from '@graphgrad/core';
import ndarray from 'ndarray';
import ops from 'ndarray-ops';
import { fileURLToPath } from 'node:url';
import { flagValue, fmtRatio, machineLine, measure, printTable, reproduceLine, runPython } from './harness.ts';
import { tfjsWasmVariant, useTfjs } from './tfjs.ts';

const RUNS = Number(flagValue('--runs') ?? 5);

interface Case {
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  /** b is one row of `cols`, broadcast down the rows (a bias), instead of a full array. */
  readonly bias: boolean;
}

const CASES: Case[] = [
  { name: '30×10 (+ bias row)', rows: 30, cols: 10, bias: true },
  { name: '1e6 (1000×1000)', rows: 1000, cols: 1000, bias: false },
];
const OPS = ['add', 'sigmoid'] as const;
type Op = (typeof OPS)[number];

/** Deterministic float32 values in [-4, 4). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * 4;
  }
  return out;
}

/** Median ms per call after a ~0.3 s warm-up, each run enough calls to take ~50 ms. */
function time(name: string, fn: () => unknown): number {
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 300 || calls < 2) {
    fn();
    calls++;
  }
  const once = (performance.now() - t0) / calls;
  return measure(name, fn, { warmup: 0, runs: RUNS, inner: Math.max(1, Math.round(50 / once)) });
}

const results = new Map<string, number>();
const key = (who: string, c: Case, op: Op): string => `${who}|${c.name}|${op}`;
const record = (who: string, c: Case, op: Op, ms: number | undefined): void => {
  if (ms !== undefined) results.set(key(who, c, op), ms);
};

const backend = cpuBackend();
for (const c of CASES) {
  const a = backend.fromData(values(c.rows * c.cols, 1), [c.rows, c.cols], 'float32');
  const b = c.bias ? backend.fromData(values(c.cols, 2), [c.cols], 'float32') : backend.fromData(values(c.rows * c.cols, 2), [c.rows, c.cols], 'float32');
  record('graphgrad', c, 'add', time(`graphgrad add ${c.name}`, () => backend.dispose(backend.kernels.Add(a, b))));
  record('graphgrad', c, 'sigmoid', time(`graphgrad sigmoid ${c.name}`, () => backend.dispose(backend.kernels.Sigmoid(a))));
}

// ndarray-ops (add, through a broadcast view for the bias) and a plain loop (sigmoid), each with a
// new output, as graphgrad's CPU backend did before its fast paths
for (const c of CASES) {
  const n = c.rows * c.cols;
  const a = ndarray(values(n, 1), [c.rows, c.cols]);
  const b = c.bias ? ndarray(values(c.cols, 2), [c.rows, c.cols], [0, 1], 0) : ndarray(values(n, 2), [c.rows, c.cols]);
  record('ndarray-ops / plain JS', c, 'add', time(`ndarray-ops add ${c.name}`, () => ops.add(ndarray(new Float32Array(n), [c.rows, c.cols]), a, b)));
  const x = a.data as Float32Array;
  record('ndarray-ops / plain JS', c, 'sigmoid', time(`plain JS sigmoid ${c.name}`, () => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
    return out;
  }));
}

let wasmVariant = '';
for (const backendName of ['cpu', 'wasm'] as const) {
  const tf = await useTfjs(backendName);
  if (tf === undefined) continue;
  if (backendName === 'wasm') wasmVariant = tfjsWasmVariant();
  for (const c of CASES) {
    const a = tf.tensor2d(values(c.rows * c.cols, 1), [c.rows, c.cols]);
    const b = c.bias ? tf.tensor1d(values(c.cols, 2)) : tf.tensor2d(values(c.rows * c.cols, 2), [c.rows, c.cols]);
    record(`tfjs-${backendName}`, c, 'add', time(`tfjs-${backendName} add ${c.name}`, () => tf.add(a, b).dispose()));
    record(`tfjs-${backendName}`, c, 'sigmoid', time(`tfjs-${backendName} sigmoid ${c.name}`, () => tf.sigmoid(a).dispose()));
    a.dispose();
    b.dispose();
  }
}

const py = runPython<Record<string, Record<Op, number>>>(fileURLToPath(new URL('./elementwise_numpy.py', import.meta.url)), [JSON.stringify(CASES), '--runs', String(RUNS)]);
for (const c of CASES) for (const op of OPS) record('numpy', c, op, py?.[c.name]?.[op]);

const WHO = ['graphgrad', 'ndarray-ops / plain JS', 'tfjs-cpu', 'tfjs-wasm', 'numpy'];
const REFS = WHO.slice(1);
const rows = CASES.flatMap((c) => OPS.map((op) => ({ c, op })));
const ms = (who: string, c: Case, op: Op): number | undefined => results.get(key(who, c, op));

console.log(machineLine());
if (wasmVariant) console.log(`tfjs-wasm: ${wasmVariant}`);
printTable(
  'float32 elementwise, million elements per second (median)',
  ['kernel', ...WHO],
  rows.map(({ c, op }) => [`${op} ${c.name}`, ...WHO.map((w) => {
    const t = ms(w, c, op);
    return t === undefined ? undefined : (c.rows * c.cols) / t / 1e3;
  })]),
);
printTable(
  'float32 elementwise, µs per call (median)',
  ['kernel', ...WHO],
  rows.map(({ c, op }) => [`${op} ${c.name}`, ...WHO.map((w) => (ms(w, c, op) ?? NaN) * 1e3)]),
);
printTable(
  "graphgrad's speed ÷ each reference's (same run; > 1× means graphgrad is faster)",
  ['kernel', ...REFS],
  rows.map(({ c, op }) => [`${op} ${c.name}`, ...REFS.map((r) => {
    const ours = ms('graphgrad', c, op);
    const theirs = ms(r, c, op);
    return ours === undefined || theirs === undefined ? '—' : fmtRatio(theirs / ours);
  })]),
);
const big = CASES[1];
const vsNumpy = (op: Op): string => fmtRatio((ms('numpy', big, op) ?? NaN) / (ms('graphgrad', big, op) ?? NaN));
console.log(`targets (1e6 floats): add ≥ 0.5× numpy: ${vsNumpy('add')}; sigmoid ≥ 0.5× numpy: ${vsNumpy('sigmoid')}`);
console.log(reproduceLine('bench/elementwise.ts', process.argv.slice(2)));
