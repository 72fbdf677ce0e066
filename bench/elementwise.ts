/**
 * float32 elementwise kernels: add (with a new output) and sigmoid, on the book's small arrays
 * (30×10 plus a bias row broadcast down it) and on 1e6 floats (1000×1000), for graphgrad's CPU
 * backend (its Add and Sigmoid kernels), ndarray-ops (add) or a plain JavaScript loop (sigmoid),
 * TensorFlow.js (cpu and wasm backends) and numpy (bench/elementwise_numpy.py: a + b and the book's
 * 1 / (1 + np.exp(-x))), with graphgrad's speed as a ratio of each reference's, measured in this run.
 *
 *   node --import tsx bench/elementwise.ts [--runs 5]
 */
import { cpuBackend } from '@graphgrad/cpu';
import { fileURLToPath } from 'node:url';
import { clockMs, flagValue, fmtRatio, machineLine, median, printTable, reproduceLine, runPython } from './harness.ts';
import { tfjsWasmVariant, useTfjs } from './tfjs.ts';
import ndarray from 'ndarray';
import ops from 'ndarray-ops';

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
 * Median ms per call of each function, measured in alternation (one run of each per round) on the
 * process's CPU-time clock, so a load change on the shared machine hits all of them alike.
 */
function interleaved(fns: Record<string, () => unknown>): Record<string, number> {
  const names = Object.keys(fns);
  const inner = Object.fromEntries(names.map((n) => [n, warm(fns[n])]));
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const n of names) {
      const start = clockMs('cpu');
      for (let i = 0; i < inner[n]; i++) fns[n]();
      samples[n].push((clockMs('cpu') - start) / inner[n]);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

/** ms per call, by `who|case|op`; graphgrad's kept per reference it was measured beside. */
const results = new Map<string, number>();
const key = (who: string, c: Case, op: Op): string => `${who}|${c.name}|${op}`;
const record = (who: string, c: Case, op: Op, ms: number | undefined): void => {
  if (ms !== undefined) results.set(key(who, c, op), ms);
};

// graphgrad: the CPU backend's Add and Sigmoid kernels, output disposed
const backend = cpuBackend();
const ours = new Map<string, () => unknown>();
for (const c of CASES) {
  const a = backend.fromData(values(c.rows * c.cols, 1), [c.rows, c.cols], 'float32');
  const b = c.bias
    ? backend.fromData(values(c.cols, 2), [c.cols], 'float32')
    : backend.fromData(values(c.rows * c.cols, 2), [c.rows, c.cols], 'float32');
  ours.set(`${c.name}|add`, () => backend.dispose(backend.kernels.Add(a, b)));
  ours.set(`${c.name}|sigmoid`, () => backend.dispose(backend.kernels.Sigmoid(a)));
}

/** Measures `who` on every case and op beside graphgrad. */
function phase(who: string, make: (c: Case, op: Op) => () => unknown): void {
  for (const c of CASES) {
    for (const op of OPS) {
      const t = interleaved({ graphgrad: ours.get(`${c.name}|${op}`) as () => unknown, [who]: make(c, op) });
      record(`graphgrad vs ${who}`, c, op, t.graphgrad);
      record(who, c, op, t[who]);
    }
  }
}

// ndarray-ops (add, through a broadcast view for the bias) and a plain loop (sigmoid), each with a
// new output, as graphgrad's CPU backend did before its fast paths
phase('ndarray-ops / plain JS', (c, op) => {
  const n = c.rows * c.cols;
  const a = ndarray(values(n, 1), [c.rows, c.cols]);
  const b = c.bias ? ndarray(values(c.cols, 2), [c.rows, c.cols], [0, 1], 0) : ndarray(values(n, 2), [c.rows, c.cols]);
  if (op === 'add') return () => ops.add(ndarray(new Float32Array(n), [c.rows, c.cols]), a, b);
  const x = a.data;
  return () => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
    return out;
  };
});

// numpy in its own process (CPU-time clock), graphgrad measured again right after, both before
// TensorFlow.js is loaded (bench/tfjs.ts says why)
const py = runPython<Record<string, Record<Op, number>>>(
  fileURLToPath(new URL('./elementwise_numpy.py', import.meta.url)),
  [JSON.stringify(CASES), '--runs', String(RUNS), '--clock', 'cpu'],
);
for (const c of CASES) {
  for (const op of OPS) {
    record('numpy', c, op, py?.[c.name]?.[op]);
    record(
      'graphgrad vs numpy',
      c,
      op,
      interleaved({ graphgrad: ours.get(`${c.name}|${op}`) as () => unknown }).graphgrad,
    );
  }
}

let wasmVariant = '';
for (const backendName of ['cpu', 'wasm'] as const) {
  const tf = await useTfjs(backendName);
  if (tf === undefined) continue;
  if (backendName === 'wasm') wasmVariant = tfjsWasmVariant();
  phase(`tfjs-${backendName}`, (c, op) => {
    const a = tf.tensor2d(values(c.rows * c.cols, 1), [c.rows, c.cols]);
    const b = c.bias ? tf.tensor1d(values(c.cols, 2)) : tf.tensor2d(values(c.rows * c.cols, 2), [c.rows, c.cols]);
    return op === 'add' ? () => tf.add(a, b).dispose() : () => tf.sigmoid(a).dispose();
  });
}

const WHO = ['graphgrad', 'ndarray-ops / plain JS', 'tfjs-cpu', 'tfjs-wasm', 'numpy'];
const REFS = WHO.slice(1);
const rows = CASES.flatMap((c) => OPS.map((op) => ({ c, op })));
const ms = (who: string, c: Case, op: Op): number | undefined => {
  if (who !== 'graphgrad') return results.get(key(who, c, op));
  const all = REFS.map((r) => results.get(key(`graphgrad vs ${r}`, c, op))).filter((t): t is number => t !== undefined);
  return all.length ? median(all) : undefined;
};
const ratio = (r: string, c: Case, op: Op): string => {
  const theirs = ms(r, c, op);
  const mine = results.get(key(`graphgrad vs ${r}`, c, op));
  return theirs === undefined || mine === undefined ? '—' : fmtRatio(theirs / mine);
};

console.log(machineLine());
if (wasmVariant) console.log(`tfjs-wasm: ${wasmVariant}`);
console.log('clock: process CPU time; medians; graphgrad measured beside each reference');
printTable(
  'float32 elementwise, million elements per second',
  ['kernel', ...WHO],
  rows.map(({ c, op }) => [
    `${op} ${c.name}`,
    ...WHO.map((w) => {
      const t = ms(w, c, op);
      return t === undefined ? undefined : (c.rows * c.cols) / t / 1e3;
    }),
  ]),
);
printTable(
  'float32 elementwise, µs per call',
  ['kernel', ...WHO],
  rows.map(({ c, op }) => [`${op} ${c.name}`, ...WHO.map((w) => (ms(w, c, op) ?? NaN) * 1e3)]),
);
printTable(
  "graphgrad's speed ÷ each reference's, each pair measured together (> 1× means graphgrad is faster)",
  ['kernel', ...REFS],
  rows.map(({ c, op }) => [`${op} ${c.name}`, ...REFS.map((r) => ratio(r, c, op))]),
);
const big = CASES[1];
console.log(
  `targets (1e6 floats): add ≥ 0.5× numpy: ${ratio('numpy', big, 'add')}; sigmoid ≥ 0.5× numpy: ${ratio('numpy', big, 'sigmoid')}`,
);
console.log(reproduceLine('bench/elementwise.ts', process.argv.slice(2)));
