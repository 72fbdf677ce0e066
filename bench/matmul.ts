/**
 * float32 matrix products: GFLOP/s at 64, 256, 512 and 1024 square and at the spiral net's shapes
 * (forward x·W1, h·W2 and the backward products with their transpose flags) for graphgrad's CPU
 * backend (its MatMul kernel), ndarray-gemm called directly, TensorFlow.js (cpu and wasm backends)
 * and numpy (bench/matmul_numpy.py, one BLAS thread and the default), with graphgrad's speed as a
 * ratio of each reference's, all measured in this run.
 *
 *   node --import tsx bench/matmul.ts [--runs 5] [--quick]     (--quick: square sizes up to 256)
 */
import { cpuBackend } from '@graphgrad/cpu';
import { fileURLToPath } from 'node:url';
import {
  clockMs,
  flagValue,
  fmt,
  fmtRatio,
  hasFlag,
  machineLine,
  median,
  printTable,
  reproduceLine,
  runPython,
} from './harness.ts';
import { tfjsWasmVariant, useTfjs } from './tfjs.ts';
import ndarray from 'ndarray';
import gemm from 'ndarray-gemm';

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

/** Wall-clock calls of `fn` for about 0.3 s (JIT warm-up); returns the calls per ~50 ms run. */
function warm(fn: () => unknown): number {
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 300 || calls < 2) {
    fn();
    calls++;
  }
  return Math.max(1, Math.round(50 / ((performance.now() - t0) / calls)));
}

/**
 * Median ms per call of each function, measured in alternation (one run of each per round, RUNS
 * rounds; three when a call takes over half a second) on the process's CPU-time clock, so a load
 * change on the shared machine hits all of them alike and lost time slices count for none.
 */
function interleaved(fns: Record<string, () => unknown>): Record<string, number> {
  const names = Object.keys(fns);
  const inner = Object.fromEntries(names.map((n) => [n, warm(fns[n])]));
  const slow = names.some((n) => inner[n] === 1);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < (slow ? 3 : RUNS); r++) {
    for (const n of names) {
      const start = clockMs('cpu');
      for (let i = 0; i < inner[n]; i++) fns[n]();
      samples[n].push((clockMs('cpu') - start) / inner[n]);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

const shapes = (c: Case): { a: number[]; b: number[] } => ({
  a: c.ta ? [c.k, c.m] : [c.m, c.k],
  b: c.tb ? [c.n, c.k] : [c.k, c.n],
});

/** ms per call by contender and case; graphgrad's is kept per reference it was measured beside. */
const results = new Map<string, Map<string, number>>();
const record = (who: string, c: Case, ms: number | undefined): void => {
  if (ms === undefined) return;
  if (!results.has(who)) results.set(who, new Map());
  results.get(who)?.set(c.name, ms);
};

// graphgrad: the CPU backend's MatMul kernel (the transpose flags swap strides, no copy)
const backend = cpuBackend();
const ours = CASES.map((c) => {
  const { a: sa, b: sb } = shapes(c);
  const a = backend.fromData(values(sa[0] * sa[1], 1), sa, 'float32');
  const b = backend.fromData(values(sb[0] * sb[1], 2), sb, 'float32');
  return () => backend.dispose(backend.kernels.MatMul(a, b, c.ta, c.tb));
});

/** Measures `who` on every case beside graphgrad, recording both (graphgrad as `graphgrad vs who`). */
function phase(who: string, make: (c: Case) => () => unknown): void {
  CASES.forEach((c, i) => {
    const t = interleaved({ graphgrad: ours[i], [who]: make(c) });
    record(`graphgrad vs ${who}`, c, t.graphgrad);
    record(who, c, t[who]);
  });
}

// ndarray-gemm on transposed views, as graphgrad's CPU backend used it before
phase('ndarray-gemm', (c) => {
  const { a: sa, b: sb } = shapes(c);
  const a = ndarray(values(sa[0] * sa[1], 1), sa);
  const b = ndarray(values(sb[0] * sb[1], 2), sb);
  const left = c.ta ? a.transpose(1, 0) : a;
  const right = c.tb ? b.transpose(1, 0) : b;
  return () => gemm(ndarray(new Float32Array(c.m * c.n), [c.m, c.n]), left, right);
});

// numpy in its own process, before TensorFlow.js is loaded (bench/tfjs.ts says why): one BLAS thread on the CPU-time clock, the default threads on the wall
// clock (CPU time would add up the threads); graphgrad measured again right after, on the CPU clock
const script = fileURLToPath(new URL('./matmul_numpy.py', import.meta.url));
const oneThread = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
for (const [who, env, clock] of [
  ['numpy 1 thread', oneThread, 'cpu'],
  ['numpy default threads', {}, 'wall'],
] as const) {
  const py = runPython<Record<string, number>>(
    script,
    [JSON.stringify(CASES), '--runs', String(RUNS), '--clock', clock],
    env,
  );
  CASES.forEach((c, i) => {
    record(who, c, py?.[c.name]);
    record(`graphgrad vs ${who}`, c, interleaved({ graphgrad: ours[i] }).graphgrad);
  });
}

// TensorFlow.js: the kernels run synchronously on these backends, so a call is the whole product
let wasmVariant = '';
for (const backendName of ['cpu', 'wasm'] as const) {
  const tf = await useTfjs(backendName);
  if (tf === undefined) continue;
  if (backendName === 'wasm') wasmVariant = tfjsWasmVariant();
  phase(`tfjs-${backendName}`, (c) => {
    const { a: sa, b: sb } = shapes(c);
    const a = tf.tensor2d(values(sa[0] * sa[1], 1), sa as [number, number]);
    const b = tf.tensor2d(values(sb[0] * sb[1], 2), sb as [number, number]);
    return () => tf.matMul(a, b, c.ta, c.tb).dispose();
  });
}

const refs = ['ndarray-gemm', 'tfjs-cpu', 'tfjs-wasm', 'numpy 1 thread', 'numpy default threads'];
const ms = (who: string, c: Case): number | undefined => results.get(who)?.get(c.name);
/** graphgrad's time: the median of its measurements beside each reference. */
const oursMs = (c: Case): number | undefined => {
  const all = refs.map((r) => ms(`graphgrad vs ${r}`, c)).filter((t): t is number => t !== undefined);
  return all.length ? median(all) : undefined;
};
const gflops = (t: number | undefined, c: Case): number | undefined =>
  t === undefined ? undefined : flops(c) / t / 1e6;
const ratio = (r: string, c: Case): string => {
  const theirs = ms(r, c);
  const mine = ms(`graphgrad vs ${r}`, c);
  return theirs === undefined || mine === undefined ? '—' : fmtRatio(theirs / mine);
};

console.log(machineLine());
if (wasmVariant) console.log(`tfjs-wasm: ${wasmVariant}`);
console.log(
  'clock: process CPU time (numpy default threads: wall time); medians; graphgrad measured beside each reference',
);
printTable(
  'float32 matmul, GFLOP/s',
  ['shape', 'graphgrad', ...refs],
  CASES.map((c) => [c.name, gflops(oursMs(c), c), ...refs.map((r) => gflops(ms(r, c), c))]),
);
printTable(
  'float32 matmul, µs per call',
  ['shape', 'graphgrad', ...refs],
  CASES.map((c) => [c.name, (oursMs(c) ?? NaN) * 1e3, ...refs.map((r) => (ms(r, c) ?? NaN) * 1e3)]),
);
printTable(
  "graphgrad's speed ÷ each reference's, each pair measured together (> 1× means graphgrad is faster)",
  ['shape', ...refs],
  CASES.map((c) => [c.name, ...refs.map((r) => ratio(r, c))]),
);
const big = CASES.find((c) => c.m === 1024);
if (big !== undefined) {
  console.log(
    `targets (1024): ≥ 1.0× tfjs-wasm: ${ratio('tfjs-wasm', big)}; stretch ≥ 0.25× numpy 1 thread: ${ratio('numpy 1 thread', big)} ` +
      `(graphgrad ${fmt(gflops(oursMs(big), big))} GFLOP/s)`,
  );
}
console.log(reproduceLine('bench/matmul.ts', process.argv.slice(2)));
