/**
 * The book's chapter-6 LSTM language model (`ch06/train_rnnlm.py`): `Rnnlm` (word vectors 100,
 * hidden 100) trained with SGD lr 20, gradients clipped to 0.25, 35 time steps × batch 20 and the
 * LSTM's state carried from one step to the next (truncated BPTT). The book trains on
 * ptb.train.txt; here on ptb.valid.txt, tested on ptb.test.txt after every epoch (on a copy of the
 * weights, so that testing does not disturb the training's carried state). Then saves the weights
 * (out/rnnlm.safetensors), generates text from "you" (chapter 7), writes the perplexity plot, and
 * ends with `test_perplexity=<after the last epoch> epochs=<n> seconds_per_epoch=<mean>`.
 *
 * Run: node --import tsx examples/lstm-lm/train-rnnlm.ts [--backend webgpu] [--epochs 4] [--seed 1984] [--data <ptb folder>]
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultProgress, Generator, loadPtb, save, SGD, type FloatDType, type ProgressReporter } from 'graphgrad';
import { backendFromArgs } from '../backend-option.ts';
import { evalPerplexity, plotPerplexity, RnnlmTrainer, type PerplexityPoint } from '../rnnlm/rnnlm-trainer.ts';
import { defaultPtbDir, integerOption } from '../rnnlm/command-line.ts';
import { formatText, generate, SKIP_WORDS } from './generate.ts';
import { Rnnlm } from './rnnlm.ts';

export interface TrainRnnlmOptions {
  /** Epochs (the book: 4). */
  maxEpoch?: number;
  batchSize?: number;
  timeSize?: number;
  wordvecSize?: number;
  hiddenSize?: number;
  learningRate?: number;
  maxGrad?: number;
  /** Report the training perplexity every this many steps (the book: 20). */
  evalInterval?: number;
  /** Words of ptb.valid.txt trained on, from its start (default all). */
  trainWords?: number;
  /** Words of ptb.test.txt tested on, from its start (default all). */
  testWords?: number;
  /** Seeds the initial weights and the text generation. */
  seed?: number;
  /** float32 (default), or float64 on the CPU (the reference the tests compare with). */
  dtype?: FloatDType;
  /** The folder holding ptb.valid.txt and ptb.test.txt. */
  dataDir?: string;
  /** Folder of the plot and the checkpoint. */
  outDir?: string;
  /** Words of generated text (0: none). */
  generateWords?: number;
  /** Default: a progress bar on a terminal, the book's lines otherwise. */
  progress?: ProgressReporter;
  log?: (line: string) => void;
}

/**
 * Trains `Rnnlm`, testing after each epoch; returns the training and test perplexities.
 *
 * @example
 * const { testPerplexities } = await main({ maxEpoch: 4 });
 */
export async function main(options: TrainRnnlmOptions = {}) {
  const { maxEpoch = 4, batchSize = 20, timeSize = 35, wordvecSize = 100, hiddenSize = 100 } = options;
  const { learningRate = 20, maxGrad = 0.25, evalInterval = 20, seed = 1984, dtype = 'float32' } = options;
  const { generateWords = 100 } = options;
  const { dataDir = defaultPtbDir(), outDir = 'out', log = console.log } = options;

  // One vocabulary over both texts (7,596 words): the words only the test text has are never seen in
  // training, as a vocabulary from ptb.train.txt would hold words the test text uses rarely.
  const { corpus, wordToId, idToWord } = await loadPtb(['valid', 'test'], { dir: dataDir });
  const train = corpus.valid.subarray(0, options.trainWords ?? corpus.valid.length);
  const test = corpus.test.subarray(0, options.testWords ?? corpus.test.length);
  const sizes = { vocabSize: idToWord.length, wordvecSize, hiddenSize };

  const model = new Rnnlm(sizes, { generator: new Generator(seed), dtype });
  // The model that is tested: the same architecture given the trained weights after each epoch.
  const tested = new Rnnlm(sizes, { generator: new Generator(seed), dtype });
  const optimizer = new SGD(model.parameters(), { lr: learningRate });
  const trainer = new RnnlmTrainer(model, optimizer);
  const testPerplexities: number[] = [];
  const testSeconds: number[] = [];

  log(`train words: ${train.length}, test words: ${test.length}, vocabulary: ${idToWord.length}`);
  await trainer.fit(train, {
    maxEpoch,
    batchSize,
    timeSize,
    maxGrad,
    evalInterval,
    progress: options.progress ?? defaultProgress(),
    onEpoch: async ({ epoch, perplexity }) => {
      const start = performance.now();
      await tested.loadStateDict(model.stateDict());
      const testPerplexity = await evalPerplexity(tested, test);
      testSeconds.push((performance.now() - start) / 1000);
      testPerplexities.push(testPerplexity);
      log(
        `| epoch ${epoch} | train perplexity ${perplexity.toFixed(2)} | test perplexity ${testPerplexity.toFixed(2)}`,
      );
    },
  });

  await mkdir(outDir, { recursive: true });
  const checkpoint = resolve(outDir, 'rnnlm.safetensors');
  await save(model, checkpoint);
  log(`weights: ${checkpoint}`);
  const points: PerplexityPoint[] = trainer.history.flatMap(({ epoch, perplexity }, i) => [
    { epoch, perplexity, text: 'train (ptb.valid.txt)' },
    { epoch, perplexity: testPerplexities[i], text: 'test (ptb.test.txt)' },
  ]);
  const plot = await plotPerplexity(join(outDir, 'rnnlm-lstm-perplexity.svg'), 'Rnnlm (LSTM) on PTB', points);
  log(`perplexity plot: ${plot}`);

  let text = '';
  if (generateWords > 0) {
    const skipIds = SKIP_WORDS.map((w) => wordToId.get(w)).filter((id) => id !== undefined);
    const ids = await generate(model, wordToId.get('you')!, {
      skipIds,
      sampleSize: generateWords,
      generator: new Generator(seed),
    });
    text = formatText(ids, idToWord);
    log(`generated from "you":\n${text}`);
  }

  const trainPerplexities = trainer.history.map((r) => r.perplexity);
  const secondsPerEpoch = trainer.history.reduce((s, r) => s + r.seconds, 0) / maxEpoch;
  const testSecondsMean = testSeconds.reduce((s, x) => s + x, 0) / maxEpoch;
  log(
    `test_perplexity=${testPerplexities[testPerplexities.length - 1].toFixed(2)} epochs=${maxEpoch} ` +
      `seconds_per_epoch=${secondsPerEpoch.toFixed(2)} test_seconds=${testSecondsMean.toFixed(2)}`,
  );
  return { trainPerplexities, testPerplexities, secondsPerEpoch, text, plot, checkpoint, model, trainer };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string' },
      epochs: { type: 'string', default: '4' },
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
