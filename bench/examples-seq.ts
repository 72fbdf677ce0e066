/**
 * Seconds per epoch of the chapter-7 and chapter-8 examples (examples/seq2seq, examples/attention)
 * against the book's numpy code, in the same run: for each model, the example's own classes trained
 * by the `Trainer` as the example trains them (batch 128, Adam, clipping 5.0) on graphgrad's CPU
 * backend and on WebGPU, and the book's model in numpy (bench/examples_seq.py, over the book's layers
 * ported in bench/workloads/book_layers.py) on one thread. Each runs `--warmup` + `--iters`
 * iterations on the same file's rows; the median iteration after the warm-up, times the 351
 * iterations of an epoch (45,000 rows / 128), is the figure. The validation decoding is not timed.
 *
 *   node --import tsx bench/examples-seq.ts [--models baseline,peeky,attention] [--backends cpu,webgpu]
 *     [--iters 20] [--warmup 3] [--data <folder of addition.txt and date.txt>]
 *
 * Each iteration's loss is read back (the Trainer's `evalInterval: 1`), so a WebGPU iteration is
 * timed to its end, as the book's loop reads its loss every iteration. Elapsed time and process CPU
 * time are both given: the CPU backend runs on one thread, while WebGPU on lavapipe (Mesa's software
 * Vulkan: the GPU is the CPU here) spreads its work over every core, so its CPU time adds them up.
 * Ratios are taken on CPU time against numpy on one thread (OPENBLAS_NUM_THREADS=1), the way the
 * other CPU benchmarks here measure on a shared machine; the speed target is ≤ 0.5× numpy.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Generator } from '@graphgrad/core';
import { generateAddition, generateDates } from '@graphgrad/datasets';
import { Trainer, Adam, type ProgressReporter } from '@graphgrad/optim';
import { AttentionSeq2seq } from '../examples/attention/attention-seq2seq.ts';
import { backendFromArgs } from '../examples/backend-option.ts';
import { PeekySeq2seq, Seq2seq, type EncoderDecoder } from '../examples/seq2seq/seq2seq.ts';
import { loadProblem, splitTensors } from '../examples/seq2seq/sequence-data.ts';
import {
  clockMs,
  flagValue,
  fmt,
  fmtRatio,
  machineLine,
  median,
  printTable,
  python,
  reproduceLine,
  runPython,
} from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const self = relative(dirname(here), fileURLToPath(import.meta.url));

/** The models timed: the example's variant, its problem and sizes. `reversed` computes what `baseline` does. */
const MODELS = {
  baseline: { problem: 'addition', hidden: 128, reverse: false, make: 'seq2seq' },
  peeky: { problem: 'addition', hidden: 128, reverse: true, make: 'peeky' },
  attention: { problem: 'date', hidden: 256, reverse: true, make: 'attention' },
} as const;
type ModelName = keyof typeof MODELS;

const BATCH = 128;
/** Iterations in an epoch of the book's split: 45,000 training rows in batches of 128. */
const ITERS_PER_EPOCH = Math.floor(45_000 / BATCH);

const list = (flag: string, all: readonly string[]): string[] => (flagValue(flag) ?? all.join(',')).split(',');
const models = list('--models', Object.keys(MODELS)) as ModelName[];
const backends = list('--backends', ['cpu', 'webgpu']);
const iters = Number(flagValue('--iters') ?? 20);
const warmup = Number(flagValue('--warmup') ?? 3);
for (const m of models) if (!(m in MODELS)) throw new Error(`--models: unknown model ${m}`);

/**
 * The folder of the book's files (as the examples find it), or a temporary one holding generated
 * stand-ins for the files that are missing, so that every framework reads the same rows.
 */
function dataFolder(): { dir: string; note: string } {
  const dir =
    flagValue('--data') ??
    (process.env.GRAPHGRAD_SEQUENCE_DIR ||
      (process.env.GRAPHGRAD_DATASETS
        ? join(process.env.GRAPHGRAD_DATASETS, 'sequence')
        : resolve(here, '..', '..', 'shared', 'datasets', 'sequence')));
  if (existsSync(join(dir, 'addition.txt')) && existsSync(join(dir, 'date.txt')))
    return { dir, note: `the book's files in ${dir}` };
  const made = mkdtempSync(join(tmpdir(), 'graphgrad-sequence-'));
  writeFileSync(join(made, 'addition.txt'), generateAddition(50_000, { seed: 1984 }));
  writeFileSync(join(made, 'date.txt'), generateDates(50_000, { seed: 1984 }));
  return { dir: made, note: `generated stand-ins (seed 1984): the book's files are not in ${dir}` };
}

/** Median milliseconds per iteration after the warm-up, elapsed and CPU, and the last loss. */
interface Timed {
  readonly ms: number;
  readonly cpuMs: number;
  readonly loss: number;
}

function makeModel(name: ModelName, vocabSize: number): EncoderDecoder {
  const { hidden, make } = MODELS[name];
  const sizes = { vocabSize, wordvecSize: 16, hiddenSize: hidden };
  const options = { generator: new Generator(1984) };
  if (make === 'attention') return new AttentionSeq2seq(sizes, options);
  return make === 'peeky' ? new PeekySeq2seq(sizes, options) : new Seq2seq(sizes, options);
}

async function timeGraphgrad(name: ModelName, dir: string): Promise<Timed> {
  const { problem, reverse } = MODELS[name];
  const { data } = await loadProblem(problem, { dir, seed: 1984 });
  const rows = (warmup + iters) * BATCH;
  const train = splitTensors(data.train, { reverse, rows });
  const model = makeModel(name, data.idToChar.length);
  const trainer = new Trainer(model, new Adam(model.parameters(), { lr: 0.001 }));
  const wall: number[] = [clockMs('wall')];
  const cpu: number[] = [clockMs('cpu')];
  let loss = NaN;
  // Called after each iteration's loss is read back (evalInterval 1): the iteration has finished.
  const progress: ProgressReporter = {
    start: () => undefined,
    interval: (report) => {
      wall.push(clockMs('wall'));
      cpu.push(clockMs('cpu'));
      loss = report.loss;
    },
    stop: () => undefined,
  };
  await trainer.fit(train.x, train.t, {
    maxEpoch: 1,
    batchSize: BATCH,
    maxGrad: 5.0,
    evalInterval: 1,
    seed: 1984,
    progress,
  });
  const deltas = (t: number[]) => t.slice(warmup + 1).map((v, i) => v - t[warmup + i]);
  return { ms: median(deltas(wall)), cpuMs: median(deltas(cpu)), loss };
}

interface NumpyEpoch {
  readonly numpy: string;
  readonly iterMs: number;
  readonly iterCpuMs: number;
  readonly loss: number;
}

const { dir, note } = dataFolder();
console.log(machineLine());
console.log(`data: ${note}`);
console.log(
  `${iters} timed iterations after ${warmup} of warm-up; an epoch is ${ITERS_PER_EPOCH} iterations of ${BATCH}`,
);

const rows: (string | number | undefined)[][] = [];
for (const name of models) {
  const reference =
    python() === undefined
      ? undefined
      : runPython<NumpyEpoch>(
          join(here, 'examples_seq.py'),
          [
            name,
            join(dir, `${MODELS[name].problem}.txt`),
            '--iters',
            String(warmup + iters),
            '--warmup',
            String(warmup),
            '--eval-rows',
            '0',
          ],
          { OPENBLAS_NUM_THREADS: '1' },
        );
  const numpyCpu = reference?.iterCpuMs;
  for (const backendName of backends) {
    const backend = await backendFromArgs(['--backend', backendName]);
    try {
      const t = await timeGraphgrad(name, dir);
      rows.push([
        name,
        `graphgrad ${backend.description.replace(/\(.*llvmpipe: (Mesa [\d.]+).*\)$/, '(lavapipe, $1)')}`,
        t.ms,
        t.cpuMs,
        (t.ms * ITERS_PER_EPOCH) / 1000,
        (t.cpuMs * ITERS_PER_EPOCH) / 1000,
        numpyCpu === undefined ? '—' : fmtRatio(t.cpuMs / numpyCpu),
      ]);
    } finally {
      backend.close();
    }
  }
  rows.push(
    reference === undefined
      ? [name, 'numpy (not run: python3 with numpy missing or failed)']
      : [
          name,
          `numpy ${reference.numpy}, 1 thread (the book's code)`,
          reference.iterMs,
          reference.iterCpuMs,
          (reference.iterMs * ITERS_PER_EPOCH) / 1000,
          (reference.iterCpuMs * ITERS_PER_EPOCH) / 1000,
          '1.00×',
        ],
  );
}
printTable(
  'Seconds per training epoch of the chapter-7/8 examples (ratio: CPU time against numpy; target ≤ 0.5×)',
  ['model', 'framework', 'ms / iter', 'CPU ms / iter', 's / epoch', 'CPU s / epoch', 'vs numpy (CPU)'],
  rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c))),
);
console.log(reproduceLine(self, process.argv.slice(2)));
