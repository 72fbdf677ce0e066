/**
 * The book's improved LSTM language model (`ch06/train_better_rnnlm.py`): `BetterRnnlm` (two LSTM
 * layers, dropout 0.5, the embedding tied to the output layer) trained with SGD lr 20, gradients
 * clipped to 0.25, 35 time steps × batch 20, and the learning rate divided by 4 whenever the
 * validation perplexity does not improve (`ReduceLROnPlateau`). With only ptb.valid.txt to train
 * on, its first nine tenths are the training text and its last tenth the validation text;
 * ptb.test.txt is the test. The book runs 650/650 for 40 epochs (hours on a GPU); `--hidden`
 * sets a smaller model. Writes the perplexity plot and the best weights into out/, generates text
 * from "you", and ends with `test_perplexity=<after the last epoch> epochs=<n> seconds_per_epoch=<mean>`.
 *
 * Run: node --import tsx examples/lstm-lm/train-better-rnnlm.ts [--backend webgpu] [--epochs 40] [--hidden 650] [--seed 1984] [--data <ptb folder>]
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  defaultProgress,
  Generator,
  loadPtb,
  ReduceLROnPlateau,
  save,
  SGD,
  type FloatDType,
  type ProgressReporter,
} from 'graphgrad';
import { backendFromArgs } from '../backend-option.ts';
import { evalPerplexity, plotPerplexity, RnnlmTrainer, type PerplexityPoint } from '../rnnlm/rnnlm-trainer.ts';
import { defaultPtbDir, integerOption } from '../rnnlm/command-line.ts';
import { formatText, generate, SKIP_WORDS } from './generate.ts';
import { BetterRnnlm } from './rnnlm.ts';

export interface TrainBetterRnnlmOptions {
  /** Epochs (the book: 40). */
  maxEpoch?: number;
  batchSize?: number;
  timeSize?: number;
  /** Word vectors and hidden state alike, as weight tying needs (the book: 650). */
  hiddenSize?: number;
  dropout?: number;
  learningRate?: number;
  maxGrad?: number;
  /** Words of the training text (the first nine tenths of ptb.valid.txt) used, from its start (default all). */
  trainWords?: number;
  /** Words of the validation text (the last tenth of ptb.valid.txt) used, from its start (default all). */
  validationWords?: number;
  /** Words of ptb.test.txt tested on, from its start (default all). */
  testWords?: number;
  /** Seeds the initial weights, the dropout masks and the text generation. */
  seed?: number;
  /** float32 (default), or float64 on the CPU (the reference the tests compare with). */
  dtype?: FloatDType;
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
 * Trains `BetterRnnlm` with the book's learning-rate rule; returns the perplexities of every epoch.
 *
 * @example
 * const { testPerplexity } = await main({ maxEpoch: 40, hiddenSize: 650 });
 */
export async function main(options: TrainBetterRnnlmOptions = {}) {
  const { maxEpoch = 40, batchSize = 20, timeSize = 35, hiddenSize = 650, dropout = 0.5 } = options;
  const { learningRate = 20, maxGrad = 0.25, seed = 1984, dtype = 'float32', generateWords = 100 } = options;
  const { dataDir = defaultPtbDir(), outDir = 'out', log = console.log } = options;

  const { corpus, wordToId, idToWord } = await loadPtb(['valid', 'test'], { dir: dataDir });
  const split = Math.floor((corpus.valid.length * 9) / 10);
  const train = corpus.valid.subarray(0, Math.min(split, options.trainWords ?? split));
  const validation = corpus.valid.subarray(split, split + (options.validationWords ?? corpus.valid.length));
  const test = corpus.test.subarray(0, options.testWords ?? corpus.test.length);

  const model = new BetterRnnlm(
    { vocabSize: idToWord.length, wordvecSize: hiddenSize, hiddenSize },
    { generator: new Generator(seed), dtype, dropout },
  );
  const optimizer = new SGD(model.parameters(), { lr: learningRate });
  // the book's rule: lr / 4 whenever the validation perplexity is not better than the best so far
  const schedule = new ReduceLROnPlateau(optimizer, { factor: 0.25, patience: 0, threshold: 0 });
  const trainer = new RnnlmTrainer(model, optimizer);
  await mkdir(outDir, { recursive: true });
  const checkpoint = resolve(outDir, 'better-rnnlm.safetensors');
  const validationPerplexities: number[] = [];
  const learningRates: number[] = [];

  log(`train words: ${train.length}, validation words: ${validation.length}, test words: ${test.length}`);
  await trainer.fit(train, {
    maxEpoch,
    batchSize,
    timeSize,
    maxGrad,
    evalInterval: 20,
    progress: options.progress ?? defaultProgress(),
    onEpoch: async ({ epoch, perplexity }) => {
      // evaluating resets the carried state before and after, as the book's reset_state() calls do
      const validationPerplexity = await evalPerplexity(model, validation);
      learningRates.push(optimizer.lr);
      log(
        `| epoch ${epoch} | lr ${optimizer.lr} | train perplexity ${perplexity.toFixed(2)} | validation perplexity ${validationPerplexity.toFixed(2)}`,
      );
      // the book's save_params() of the best model so far
      if (validationPerplexity < schedule.best) await save(model, checkpoint);
      schedule.step(validationPerplexity);
      validationPerplexities.push(validationPerplexity);
    },
  });

  // As the book, the model after the last epoch is tested.
  const testPerplexity = await evalPerplexity(model, test);
  log(`test perplexity: ${testPerplexity.toFixed(2)}`);
  const points: PerplexityPoint[] = trainer.history.flatMap(({ epoch, perplexity }, i) => [
    { epoch, perplexity, text: 'train' },
    { epoch, perplexity: validationPerplexities[i], text: 'validation' },
  ]);
  points.push({ epoch: maxEpoch, perplexity: testPerplexity, text: 'test' });
  const plot = await plotPerplexity(join(outDir, 'better-rnnlm-perplexity.svg'), 'BetterRnnlm on PTB', points);
  log(`perplexity plot: ${plot}`);
  log(`best weights: ${checkpoint}`);

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

  const secondsPerEpoch = trainer.history.reduce((s, r) => s + r.seconds, 0) / maxEpoch;
  log(
    `test_perplexity=${testPerplexity.toFixed(2)} epochs=${maxEpoch} seconds_per_epoch=${secondsPerEpoch.toFixed(2)}`,
  );
  const trainPerplexities = trainer.history.map((r) => r.perplexity);
  return { trainPerplexities, validationPerplexities, learningRates, testPerplexity, secondsPerEpoch, text, plot };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string' },
      epochs: { type: 'string', default: '40' },
      hidden: { type: 'string', default: '650' },
      seed: { type: 'string', default: '1984' },
      data: { type: 'string' },
    },
  });
  const maxEpoch = integerOption('epochs', values.epochs, 1);
  const hiddenSize = integerOption('hidden', values.hidden, 1);
  const seed = integerOption('seed', values.seed, 0);
  const backend = await backendFromArgs();
  console.log(`backend: ${backend.description}`);
  try {
    await main({ maxEpoch, hiddenSize, seed, dataDir: values.data ?? defaultPtbDir() });
  } finally {
    backend.close();
  }
}
