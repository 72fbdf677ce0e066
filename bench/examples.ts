/**
 * The book's chapter-4 to 6 examples end to end: each example's own script (examples/word2vec,
 * examples/rnnlm, examples/lstm-lm) on graphgrad's CPU backend and on WebGPU, and the same model
 * in the book's numpy code (bench/examples_book.py) in a python3 child of the same run. Prints,
 * per example, the figure reached, the epochs, and the seconds per training epoch (wall clock and
 * process CPU time, which counts every thread), and graphgrad's time as a multiple of numpy's.
 *
 *   node --import tsx bench/examples.ts [word2vec] [rnnlm] [lstm-lm] [better-rnnlm]
 *       [--epochs N] [--webgpu-epochs M] [--hidden H] [--seed S] [--numpy-threads 1|default]
 *       [--no-cpu] [--no-webgpu] [--no-numpy]
 *
 * Without names it runs rnnlm (100 epochs, as the book), word2vec and lstm-lm (1 epoch each);
 * better-rnnlm (the book's 650 units by default) runs only when named. `--epochs` replaces each
 * example's count; WebGPU runs `--webgpu-epochs` (default 1: on lavapipe, the software Vulkan
 * driver of machines without a GPU, a full run takes hours). Epoch times come from the progress
 * reporter: from the end of an epoch's first step to the end of its last, scaled to every step, so
 * that the first step's compilation and the evaluation between epochs are left out; numpy's the
 * same way from its own clock. The median over the epochs is reported.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProgressReporter } from '@graphgrad/optim';
import { backendFromArgs } from '../examples/backend-option.ts';
import { main as lstmLm } from '../examples/lstm-lm/train-rnnlm.ts';
import { main as betterRnnlm } from '../examples/lstm-lm/train-better-rnnlm.ts';
import { main as rnnlm } from '../examples/rnnlm/train.ts';
import { main as word2vec } from '../examples/word2vec/train.ts';
import {
  flagValue,
  fmt,
  fmtRatio,
  hasFlag,
  machineLine,
  median,
  printTable,
  python,
  reproduceLine,
} from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir =
  process.env.GRAPHGRAD_PTB_DIR ||
  (process.env.GRAPHGRAD_DATASETS ? join(process.env.GRAPHGRAD_DATASETS, 'ptb') : undefined) ||
  resolve(here, '..', '..', 'shared', 'datasets', 'ptb');

/** Seconds of one epoch's training: wall clock and this process's CPU time. */
interface EpochTime {
  readonly wall: number;
  readonly cpu: number;
}

/**
 * A progress reporter that times each epoch from the end of its first step to the end of its
 * last, scaled by maxIters / (maxIters - 1) (the whole epoch as if every step took the mean).
 */
function epochTimer(): { progress: ProgressReporter; epochs: EpochTime[] } {
  const epochs: EpochTime[] = [];
  let maxIters = 0;
  let first: EpochTime | null = null;
  const now = (): EpochTime => {
    const { user, system } = process.cpuUsage();
    return { wall: performance.now() / 1000, cpu: (user + system) / 1e6 };
  };
  const progress: ProgressReporter = {
    start: (info) => {
      maxIters = info.maxIters;
    },
    iteration: (done) => {
      const step = (done - 1) % maxIters;
      if (step === 0) first = now();
      else if (step === maxIters - 1 && first !== null) {
        const end = now();
        const scale = maxIters / (maxIters - 1);
        epochs.push({ wall: (end.wall - first.wall) * scale, cpu: (end.cpu - first.cpu) * scale });
      }
    },
    interval: () => {},
    stop: () => {},
  };
  return { progress, epochs };
}

/** What one run gave: the figure after each epoch and the epochs' times. */
interface Run {
  readonly figures: readonly number[];
  readonly epochs: readonly EpochTime[];
}

interface Example {
  readonly name: string;
  /** The figure reported, e.g. `test perplexity`. */
  readonly figure: string;
  readonly epochs: number;
  /** Runs graphgrad's example for `epochs` on the current default backend. */
  run(epochs: number, progress: ProgressReporter): Promise<readonly number[]>;
  /** examples_book.py's model name and extra arguments. */
  readonly numpy: readonly string[];
  /** The figures of every epoch from examples_book.py's JSON. */
  numpyFigures(result: NumpyResult): readonly number[];
}

interface NumpyEpoch {
  readonly seconds: number;
  readonly cpu_seconds: number;
  readonly loss?: number;
  readonly perplexity?: number;
  readonly test_perplexity?: number;
  readonly validation_perplexity?: number;
}

interface NumpyResult {
  readonly epochs: readonly NumpyEpoch[];
  readonly test_perplexity?: number;
  readonly numpy: string;
}

// The examples' own lines (per-epoch figures, word neighbours, generated text), indented under the run's name.
let prefix = '';
const log = (line: string) => console.log(line.replace(/^/gm, `  ${prefix}| `));
const hidden = Number(flagValue('--hidden') ?? 650);
const seed = Number(flagValue('--seed') ?? 1984);

const EXAMPLES: readonly Example[] = [
  {
    name: 'rnnlm',
    figure: 'train perplexity',
    epochs: 100,
    run: async (maxEpoch, progress) =>
      (await rnnlm({ maxEpoch, seed, dataDir, progress, log, outDir: 'out/bench' })).perplexities,
    numpy: ['rnnlm'],
    numpyFigures: (r) => r.epochs.map((e) => e.perplexity!),
  },
  {
    name: 'word2vec',
    figure: 'loss',
    epochs: 1,
    run: async (maxEpoch, progress) =>
      (await word2vec({ maxEpoch, seed, dataDir, progress, log, outDir: 'out/bench' })).epochLosses,
    numpy: ['word2vec'],
    numpyFigures: (r) => r.epochs.map((e) => e.loss!),
  },
  {
    name: 'lstm-lm',
    figure: 'test perplexity',
    epochs: 1,
    run: async (maxEpoch, progress) =>
      (await lstmLm({ maxEpoch, seed, dataDir, progress, log, outDir: 'out/bench', generateWords: 0 }))
        .testPerplexities,
    numpy: ['lstm-lm'],
    numpyFigures: (r) => r.epochs.map((e) => e.test_perplexity!),
  },
  {
    name: 'better-rnnlm',
    figure: 'validation perplexity',
    epochs: 1,
    run: async (maxEpoch, progress) =>
      (
        await betterRnnlm({
          maxEpoch,
          seed,
          hiddenSize: hidden,
          dataDir,
          progress,
          log,
          outDir: 'out/bench',
          generateWords: 0,
        })
      ).validationPerplexities,
    numpy: ['better-rnnlm', '--hidden', String(hidden)],
    numpyFigures: (r) => r.epochs.map((e) => e.validation_perplexity!),
  },
];

async function graphgrad(example: Example, epochs: number, backendName: 'cpu' | 'webgpu'): Promise<Run> {
  const backend = await backendFromArgs(['--backend', backendName]);
  prefix = `${example.name} ${backendName}`;
  console.log(`\n${example.name} on ${backend.description}, ${epochs} epoch(s):`);
  try {
    const { progress, epochs: times } = epochTimer();
    const figures = await example.run(epochs, progress);
    return { figures, epochs: times };
  } finally {
    backend.close();
  }
}

function numpy(example: Example, epochs: number): (Run & { version: string }) | string {
  const exe = python('numpy');
  if (exe === undefined) return 'no python3 with numpy';
  const args = [
    join(here, 'examples_book.py'),
    ...example.numpy,
    '--epochs',
    String(epochs),
    '--seed',
    String(seed),
    '--data',
    dataDir,
  ];
  // NOTE: one BLAS thread unless --numpy-threads says otherwise: on a small machine shared with other
  // work, OpenBLAS's second thread spin-waits for the first whenever either is descheduled (the book's
  // Rnnlm took 2.2 s of CPU a step with two threads here, 0.125 s with one).
  const threads = flagValue('--numpy-threads') ?? '1';
  const env =
    threads === 'default' ? process.env : { ...process.env, OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads };
  console.log(
    `\n${example.name} in numpy (${threads === 'default' ? 'default BLAS threads' : `${threads} BLAS thread(s)`}), ${epochs} epoch(s):`,
  );
  const r = spawnSync(exe, args, { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  if (r.status !== 0) return `examples_book.py failed: ${r.stderr.trim().split('\n').at(-1) ?? r.status}`;
  prefix = `${example.name} numpy`;
  log(r.stdout.trim().split('\n').slice(0, -1).join('\n'));
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as NumpyResult;
  return {
    figures: example.numpyFigures(result),
    epochs: result.epochs.map((e) => ({ wall: e.seconds, cpu: e.cpu_seconds })),
    version: result.numpy,
  };
}

const VALUE_FLAGS = ['--epochs', '--webgpu-epochs', '--hidden', '--seed', '--numpy-threads'];
const names = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !VALUE_FLAGS.includes(all[i - 1]));
const chosen =
  names.length === 0
    ? EXAMPLES.filter((e) => e.name !== 'better-rnnlm')
    : EXAMPLES.filter((e) => names.includes(e.name));
const webgpuEpochs = Number(flagValue('--webgpu-epochs') ?? 1);

console.log(machineLine());
console.log(
  `load average at the start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')} (${cpus().length} logical cores)`,
);
for (const example of chosen) {
  const epochs = Number(flagValue('--epochs') ?? example.epochs);
  const cpu = hasFlag('--no-cpu') ? 'not run (--no-cpu)' : await graphgrad(example, epochs, 'cpu');
  const gpu = hasFlag('--no-webgpu')
    ? 'not run (--no-webgpu)'
    : await graphgrad(example, Math.min(webgpuEpochs, epochs), 'webgpu');
  const np = hasFlag('--no-numpy') ? 'not run (--no-numpy)' : numpy(example, epochs);
  const perEpoch = (run: Run) => ({
    wall: median(run.epochs.map((e) => e.wall)),
    cpu: median(run.epochs.map((e) => e.cpu)),
  });
  const base = typeof np === 'string' ? null : perEpoch(np);
  const row = (label: string, run: Run | string) => {
    if (typeof run === 'string') return [label, run, '—', '—', '—', '—', '—'];
    const t = perEpoch(run);
    return [
      label,
      fmt(run.figures[0]),
      fmt(run.figures[run.figures.length - 1]),
      String(run.figures.length),
      fmt(t.wall),
      fmt(t.cpu),
      base === null ? '—' : `${fmtRatio(t.wall / base.wall)} / ${fmtRatio(t.cpu / base.cpu)}`,
    ];
  };
  printTable(
    `${example.name}: ${example.figure} after the first and the last epoch; seconds per training epoch (median)`,
    ['run', 'first epoch', 'last epoch', 'epochs', 'wall s / epoch', 'CPU s / epoch', '÷ numpy (wall / CPU)'],
    [
      row('graphgrad cpu', cpu),
      row('graphgrad webgpu (lavapipe where there is no GPU)', gpu),
      row(typeof np === 'string' ? 'numpy' : `numpy ${np.version} (the book's code)`, np),
    ],
  );
}
console.log(
  `\nload average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')}`,
);
console.log(reproduceLine('bench/examples.ts', process.argv.slice(2)));
