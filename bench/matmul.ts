/**
 * float32 matrix products: GFLOP/s at 64, 256, 512 and 1024 square and at the spiral net's shapes
 * (forward x·W1, h·W2 and the backward products with their transpose flags) for graphgrad's CPU
 * backend (its MatMul kernel), ndarray-gemm called directly, TensorFlow.js (cpu and wasm backends)
 * and numpy (bench/matmul_numpy.py, one BLAS thread and the default), with graphgrad's speed as a
 * ratio of each reference's, all measured in this run.
 *
 *   node --import tsx bench/matmul.ts [--runs 5] [--quick]     (--quick: square sizes up to 256)
 */
import { cpuBackend } from '@graphgrad/core';
import ndarray from 'ndarray';
import gemm from 'ndarray-gemm';
import { fileURLToPath } from 'node:url';
import { flagValue, fmt, fmtRatio, hasFlag, machineLine, measure, printTable, reproduceLine, runPython } from './harness.ts';
import { tfjsWasmVariant, useTfjs } from './tfjs.ts';

const RUNS = Number(flagValue('--runs') ?? 5);

interface Case {
  readonly name: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly ta: boolean;
  readonly tb: boolean;
}

const square = (s: number): Case => ({ name: `${s}×${s}·${s}×${s}`, m: s, k: s, n: s, ta: false, tb: false });
const SQUARE = hasFlag('--quick') ? [64, 256] : [64, 256, 512, 1024];
const CASES: Case[] = [
  ...SQUARE.map(square),
  // the book's net, batch 30, hidden 10: forward x·W1, h·W2; backward dW2 = hᵀ·g, dh = g·W2ᵀ, dW1 = xᵀ·g1
  { name: 'spiral fwd 30×2·2×10', m: 30, k: 2, n: 10, ta: false, tb: false },
  { name: 'spiral fwd 30×10·10×3', m: 30, k: 10, n: 3, ta: false, tb: false },
  { name: 'spiral bwd (30×10)ᵀ·30×3', m: 10, k: 30, n: 3, ta: true, tb: false },
  { name: 'spiral bwd 30×3·(10×3)ᵀ', m: 30, k: 3, n: 10, ta: false, tb: true },
  { name: 'spiral bwd (30×2)ᵀ·30×10', m: 2, k: 30, n: 10, ta: true, tb: false },
];

const flops = (c: Case): number => 2 * c.m * c.n * c.k;

/** Deterministic float32 values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Median ms per call: a warm-up of about 0.3 s (so the JIT has compiled the hot code), then runs of
 * enough calls to take ~50 ms each (at least one; three runs when one call takes over half a second).
 */
function time(name: string, fn: () => unknown): number {
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 300 || calls < 2) {
    fn();
    calls++;
  }
  const once = (performance.now() - t0) / calls;
  const inner = Math.max(1, Math.round(50 / once));
  return measure(name, fn, { warmup: 0, runs: once > 500 ? 3 : RUNS, inner });
}

const shapes = (c: Case): { a: number[]; b: number[] } => ({ a: c.ta ? [c.k, c.m] : [c.m, c.k], b: c.tb ? [c.n, c.k] : [c.k, c.n] });

const results = new Map<string, Map<string, number>>();
const record = (who: string, c: Case, ms: number | undefined): void => {
  if (ms === undefined) return;
  if (!results.has(who)) results.set(who, new Map());
  results.get(who)?.set(c.name, ms);
};

// graphgrad: the CPU backend's MatMul kernel (the transpose flags swap strides, no copy)
const backend = cpuBackend();
for (const c of CASES) {
  const { a: sa, b: sb } = shapes(c);
  const a = backend.fromData(values(sa[0] * sa[1], 1), sa, 'float32');
  const b = backend.fromData(values(sb[0] * sb[1], 2), sb, 'float32');
  record('graphgrad', c, time(`graphgrad ${c.name}`, () => backend.dispose(backend.kernels.MatMul(a, b, c.ta, c.tb))));
}

// ndarray-gemm on transposed views, as graphgrad's CPU backend used it before
for (const c of CASES) {
  const { a: sa, b: sb } = shapes(c);
  const a = ndarray(values(sa[0] * sa[1], 1), sa);
  const b = ndarray(values(sb[0] * sb[1], 2), sb);
  const left = c.ta ? a.transpose(1, 0) : a;
  const right = c.tb ? b.transpose(1, 0) : b;
  record('ndarray-gemm', c, time(`ndarray-gemm ${c.name}`, () => gemm(ndarray(new Float32Array(c.m * c.n), [c.m, c.n]), left, right)));
}

// TensorFlow.js: the kernels run synchronously on these backends, so a call is the whole product
let wasmVariant = '';
for (const backendName of ['cpu', 'wasm'] as const) {
  const tf = await useTfjs(backendName);
  if (tf === undefined) continue;
  if (backendName === 'wasm') wasmVariant = tfjsWasmVariant();
  for (const c of CASES) {
    const { a: sa, b: sb } = shapes(c);
    const a = tf.tensor2d(values(sa[0] * sa[1], 1), sa as [number, number]);
    const b = tf.tensor2d(values(sb[0] * sb[1], 2), sb as [number, number]);
    record(`tfjs-${backendName}`, c, time(`tfjs-${backendName} ${c.name}`, () => tf.matMul(a, b, c.ta, c.tb).dispose()));
    a.dispose();
    b.dispose();
  }
}

// numpy, one BLAS thread and the default
const script = fileURLToPath(new URL('./matmul_numpy.py', import.meta.url));
const oneThread = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
for (const [who, env] of [['numpy 1 thread', oneThread], ['numpy default threads', {}]] as const) {
  const py = runPython<Record<string, number>>(script, [JSON.stringify(CASES), '--runs', String(RUNS)], env);
  for (const c of CASES) record(who, c, py?.[c.name]);
}

const refs = ['ndarray-gemm', 'tfjs-cpu', 'tfjs-wasm', 'numpy 1 thread', 'numpy default threads'];
const ms = (who: string, c: Case): number | undefined => results.get(who)?.get(c.name);
const gflops = (who: string, c: Case): number | undefined => {
  const t = ms(who, c);
  return t === undefined ? undefined : flops(c) / t / 1e6;
};

console.log(machineLine());
if (wasmVariant) console.log(`tfjs-wasm: ${wasmVariant}`);
printTable(
  'float32 matmul, GFLOP/s (median)',
  ['shape', 'graphgrad', ...refs],
  CASES.map((c) => [c.name, gflops('graphgrad', c), ...refs.map((r) => gflops(r, c))]),
);
printTable(
  'float32 matmul, µs per call (median)',
  ['shape', 'graphgrad', ...refs],
  CASES.map((c) => [c.name, (ms('graphgrad', c) ?? NaN) * 1e3, ...refs.map((r) => (ms(r, c) ?? NaN) * 1e3)]),
);
printTable(
  "graphgrad's speed ÷ each reference's (same run; > 1× means graphgrad is faster)",
  ['shape', ...refs],
  CASES.map((c) => [c.name, ...refs.map((r) => {
    const ours = ms('graphgrad', c);
    const theirs = ms(r, c);
    return ours === undefined || theirs === undefined ? '—' : fmtRatio(theirs / ours);
  })]),
);
const big = CASES.find((c) => c.m === 1024);
if (big !== undefined) {
  const ours = ms('graphgrad', big) ?? NaN;
  console.log(
    `targets (1024): ≥ 1.0× tfjs-wasm: ${fmtRatio((ms('tfjs-wasm', big) ?? NaN) / ours)}; ` +
      `stretch ≥ 0.25× numpy 1 thread: ${fmtRatio((ms('numpy 1 thread', big) ?? NaN) / ours)} (graphgrad ${fmt(gflops('graphgrad', big))} GFLOP/s)`,
  );
}
console.log(reproduceLine('bench/matmul.ts', process.argv.slice(2)));
