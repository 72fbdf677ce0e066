/**
 * The book's chapter-5 language model (`ch05/train_custom_loop.py`): `SimpleRnnlm` trained on the
 * first 1,000 words of the Penn Treebank with truncated backpropagation through time (time size
 * 5, batch 10, the RNN's state carried from one step to the next), SGD lr 0.1, 100 epochs. Prints
 * the perplexity of each epoch, writes their plot into out/, and ends with the line
 * `perplexity=<last epoch's> epochs=<n> seconds_per_epoch=<mean>`.
 *
 * Run: node --import tsx examples/rnnlm/train.ts [--backend webgpu] [--epochs 100] [--seed 1984] [--data <ptb folder>]
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultProgress, Generator, loadPtb, SGD, type FloatDType, type ProgressReporter } from 'graphgrad';
import { backendFromArgs } from '../backend-option.ts';
import { defaultPtbDir, integerOption } from './command-line.ts';
import { plotPerplexity, RnnlmTrainer } from './rnnlm-trainer.ts';
import { SimpleRnnlm } from './simple-rnnlm.ts';

export interface RnnlmOptions {
  /** Epochs (the book: 100). */
  maxEpoch?: number;
  /** Words of the corpus trained on, from its start (the book: 1,000). */
  corpusSize?: number;
  batchSize?: number;
  timeSize?: number;
  wordvecSize?: number;
  hiddenSize?: number;
  learningRate?: number;
  /** Seeds the initial weights. */
  seed?: number;
  /** float32 (default), or float64 on the CPU (the reference the tests compare with). */
  dtype?: FloatDType;
  /** The folder holding ptb.valid.txt (default: GRAPHGRAD_PTB_DIR, GRAPHGRAD_DATASETS/ptb, or the data sets beside the repository). */
  dataDir?: string;
  /** Folder of the plot. */
  outDir?: string;
  /** Default: a progress bar on a terminal, the book's line per epoch otherwise. */
  progress?: ProgressReporter;
  log?: (line: string) => void;
}

/**
 * Trains `SimpleRnnlm` and returns the perplexity of every epoch.
 *
 * @example
 * const { perplexities } = await main({ maxEpoch: 100 });
 */
export async function main(options: RnnlmOptions = {}) {
  const { maxEpoch = 100, corpusSize = 1000, batchSize = 10, timeSize = 5 } = options;
  const { wordvecSize = 100, hiddenSize = 100, learningRate = 0.1, seed = 1984, dtype = 'float32' } = options;
  const { dataDir = defaultPtbDir(), outDir = 'out', log = console.log } = options;

  // The book takes the first 1,000 words of ptb.train.txt; here those of ptb.valid.txt (see the README).
  const { corpus: texts } = await loadPtb('valid', { dir: dataDir });
  const corpus = texts.valid.subarray(0, corpusSize);
  // ids are given in order of first appearance, so the largest id + 1 is the words this text has
  const vocabSize = Math.max(...corpus) + 1;

  const model = new SimpleRnnlm({ vocabSize, wordvecSize, hiddenSize }, { generator: new Generator(seed), dtype });
  const optimizer = new SGD(model.parameters(), { lr: learningRate });
  const trainer = new RnnlmTrainer(model, optimizer);
  const progress = options.progress ?? defaultProgress();

  log(`corpus size: ${corpus.length}, vocabulary size: ${vocabSize}`);
  await trainer.fit(corpus, {
    maxEpoch,
    batchSize,
    timeSize,
    // one report per epoch, as the book's loop prints
    evalInterval: Math.floor((corpus.length - 1) / (batchSize * timeSize)),
    progress,
    onEpoch: ({ epoch, perplexity }) => log(`| epoch ${epoch} | perplexity ${perplexity.toFixed(2)}`),
  });

  const points = trainer.history.map(({ epoch, perplexity }) => ({ epoch, perplexity, text: 'train' }));
  const plot = await plotPerplexity(join(outDir, 'rnnlm-perplexity.svg'), 'SimpleRnnlm on 1,000 words of PTB', points);
  log(`perplexity plot: ${plot}`);

  const perplexities = trainer.history.map((r) => r.perplexity);
  const secondsPerEpoch = trainer.history.reduce((s, r) => s + r.seconds, 0) / maxEpoch;
  log(
    `perplexity=${perplexities[perplexities.length - 1].toFixed(2)} epochs=${maxEpoch} seconds_per_epoch=${secondsPerEpoch.toFixed(3)}`,
  );
  return { perplexities, secondsPerEpoch, plot, model, trainer };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string' },
      epochs: { type: 'string', default: '100' },
      seed: { type: 'string', default: '1984' },
      data: { type: 'string' },
    },
  });
  const maxEpoch = integerOption('epochs', values.epochs, 1);
  const seed = integerOption('seed', values.seed, 0);
  const backend = await backendFromArgs();
  console.log(`backend: ${backend.description}`);
  try {
    await main({ maxEpoch, seed, dataDir: values.data ?? defaultPtbDir() });
  } finally {
    backend.close();
  }
}
