/**
 * The book's chapter 7 (`ch07/train_seq2seq.py`): a sequence-to-sequence model learns to add
 * (`addition.txt`, `16+75  _91  `), in the book's three variants: the baseline, the question read
 * backwards, and backwards with the Peeky decoder. The book's settings: character vectors 16,
 * hidden 128, batch 128, Adam (lr 0.001), gradients clipped to a norm of 5.0, 25 epochs; after each
 * epoch every validation question is decoded greedily and scored by exact match.
 *
 * Writes the validation accuracy of every variant trained, one line each, to
 * out/seq2seq-accuracy.svg, prints a few decoded questions with ✓/✗, and ends with one line of
 * figures per variant: `<variant>: loss=<last epoch's mean loss> accuracy=<validation accuracy>`.
 *
 * Run: node --import tsx examples/seq2seq/train-seq2seq.ts [--variant baseline|reversed|peeky]
 *        [--epochs 25] [--seed 1984] [--backend cpu|webgpu] [--data <folder of addition.txt>]
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ArgumentError, Generator, type FloatDType, type ProgressReporter } from 'graphgrad';
import { backendFromArgs } from '../backend-option.ts';
import { sampleDecodes } from './accuracy.ts';
import { plotAccuracy } from './accuracy-plot.ts';
import { integerOption } from '../rnnlm/command-line.ts';
import { fitWithAccuracy, type EpochFigures } from './fit-with-accuracy.ts';
import { PeekySeq2seq, Seq2seq, type EncoderDecoder } from './seq2seq.ts';
import { loadProblem, splitTensors } from './sequence-data.ts';

/** The book's three runs of chapter 7. */
export const VARIANTS = {
  baseline: { title: 'baseline', reverse: false, peeky: false },
  reversed: { title: 'reversed input', reverse: true, peeky: false },
  peeky: { title: 'reversed + Peeky', reverse: true, peeky: true },
} as const;

export type Variant = keyof typeof VARIANTS;

export interface Seq2seqExampleOptions {
  /** The variants to train, one after the other (default all three). */
  variants?: readonly Variant[];
  /** Epochs per variant (default 25, the book's). */
  epochs?: number;
  /** Seeds the weights, the shuffling, and the generated problems when the file is missing (default 1984). */
  seed?: number;
  /** The folder of addition.txt (default: see sequence-data.ts). */
  dataDir?: string;
  /** Folder of the plot (default out). */
  outDir?: string;
  batchSize?: number;
  wordvecSize?: number;
  hiddenSize?: number;
  /** Train on the first this many training rows only (default all 45,000): a short run. */
  trainRows?: number;
  /** Score the first this many validation rows only (default all 5,000). */
  validationRows?: number;
  /** The parameters' dtype (default float32; float64 is the reference the tests compare with). */
  dtype?: FloatDType;
  /** Default: a progress bar on a terminal, the book's line every 20 iterations otherwise. */
  progress?: ProgressReporter;
  log?: (line: string) => void;
}

/** What training one variant gave. */
export interface VariantResult {
  readonly variant: Variant;
  readonly history: readonly EpochFigures[];
  /** The mean loss of every 20 iterations (the Trainer's `lossList`). */
  readonly lossList: readonly number[];
  /** A few validation rows decoded after the last epoch, with ✓/✗. */
  readonly samples: readonly string[];
}

/**
 * Trains each variant in turn, plots their accuracy, and returns every figure.
 *
 * @example
 * const { results } = await main({ variants: ['peeky'], epochs: 1, trainRows: 1280 });
 */
export async function main(options: Seq2seqExampleOptions = {}) {
  const { variants = ['baseline', 'reversed', 'peeky'] as const, epochs = 25, seed = 1984 } = options;
  const { batchSize = 128, wordvecSize = 16, hiddenSize = 128, dtype = 'float32' } = options;
  const { outDir = 'out', progress, log = console.log } = options;

  const problem = await loadProblem('addition', { dir: options.dataDir, seed });
  log(`data: ${problem.source}`);
  const { train, test, idToChar } = problem.data;
  const sizes = { vocabSize: idToChar.length, wordvecSize, hiddenSize };

  const results: VariantResult[] = [];
  for (const variant of variants) {
    const { title, reverse, peeky } = VARIANTS[variant];
    log(`${variant} (${title}): ${Math.min(options.trainRows ?? Infinity, train.x.shape[0])} training rows`);
    const generator = new Generator(seed);
    const model: EncoderDecoder = peeky
      ? new PeekySeq2seq(sizes, { generator, dtype })
      : new Seq2seq(sizes, { generator, dtype });
    const data = splitTensors(train, { reverse, rows: options.trainRows });
    const validation = splitTensors(test, { reverse, rows: options.validationRows });

    const { history, lossList, guesses } = await fitWithAccuracy(model, data, validation, {
      name: variant,
      epochs,
      batchSize,
      seed,
      progress,
      log,
    });
    const samples = await sampleDecodes({ ...validation, guesses, idToChar, reversed: reverse });
    for (const line of samples) log(`  ${line}`);
    results.push({ variant, history, lossList, samples });
  }

  const plot = await plotAccuracy(
    join(outDir, 'seq2seq-accuracy.svg'),
    'seq2seq on addition: validation accuracy',
    results.map((r) => ({ name: VARIANTS[r.variant].title, accuracy: r.history.map((h) => h.accuracy) })),
  );
  log(`accuracy plot: ${plot}`);
  for (const { variant, history } of results) {
    const last = history[history.length - 1];
    log(`${variant}: loss=${last.loss.toFixed(4)} accuracy=${last.accuracy.toFixed(3)}`);
  }
  return { results, plot, source: problem.source };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'cpu' },
      variant: { type: 'string' },
      epochs: { type: 'string', default: '25' },
      seed: { type: 'string', default: '1984' },
      data: { type: 'string' },
      out: { type: 'string', default: 'out' },
    },
  });
  if (values.variant !== undefined && !(values.variant in VARIANTS))
    throw new ArgumentError(`--variant: expected one of ${Object.keys(VARIANTS).join(', ')}, got ${values.variant}`);
  const backend = await backendFromArgs();
  console.log(`backend: ${backend.description}`);
  try {
    await main({
      variants: values.variant === undefined ? undefined : [values.variant as Variant],
      epochs: integerOption('epochs', values.epochs, 1),
      seed: integerOption('seed', values.seed, 0),
      dataDir: values.data,
      outDir: values.out,
    });
  } finally {
    backend.close();
  }
}
