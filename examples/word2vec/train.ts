/**
 * The book's chapter-4 word2vec (`ch04/train.py`, then `ch04/eval.py`): CBOW with negative
 * sampling (window 5, word vectors 100, 5 negatives, batch 100, Adam) on the Penn Treebank; then
 * the words nearest to "you", "year", "car" and "toyota", and the book's four analogies. The book
 * trains on ptb.train.txt; here on ptb.valid.txt (a twelfth of its size, so the neighbours are
 * rougher). Writes the loss curve into out/ and ends with `loss=<last epoch's mean> epochs=<n>
 * seconds_per_epoch=<mean>`.
 *
 * The loop is the book's `Trainer.fit` (a permutation each epoch, the mean loss every 20 steps)
 * written out, because the negatives are drawn on the host from each minibatch's target ids.
 *
 * Run: node --import tsx examples/word2vec/train.ts [--backend webgpu] [--epochs 10] [--seed 1984] [--data <ptb folder>]
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  Adam,
  add,
  analogy,
  createContextsTarget,
  defaultProgress,
  Generator,
  keep,
  loadPtb,
  lossCurveSpec,
  mostSimilar,
  noGrad,
  renderSvg,
  saveFile,
  tensor,
  tidy,
  type FloatDType,
  type ProgressReporter,
  type Tensor,
} from 'graphgrad';
import { backendFromArgs } from '../backend-option.ts';
import { defaultPtbDir, integerOption } from '../rnnlm/command-line.ts';
import { CBOW } from './cbow.ts';

/** The book's queries (`ch04/eval.py`). */
export const QUERIES = ['you', 'year', 'car', 'toyota'];
/** The book's analogies, a : b = c : ? (`ch04/eval.py`). */
export const ANALOGIES: readonly (readonly [string, string, string])[] = [
  ['king', 'man', 'queen'],
  ['take', 'took', 'go'],
  ['car', 'cars', 'child'],
  ['good', 'better', 'bad'],
];

export interface Word2vecOptions {
  /** Epochs (the book: 10). */
  maxEpoch?: number;
  windowSize?: number;
  hiddenSize?: number;
  batchSize?: number;
  sampleSize?: number;
  /** Words of ptb.valid.txt trained on, from its start (default all). */
  corpusSize?: number;
  /** Print the mean loss every this many steps (the book: 20). */
  evalInterval?: number;
  /** Seeds the initial weights, the shuffling and the negative sampler. */
  seed?: number;
  /** float32 (default), or float64 on the CPU (the reference the tests compare with). */
  dtype?: FloatDType;
  dataDir?: string;
  /** Folder of the loss curve. */
  outDir?: string;
  /** Default: a progress bar on a terminal, the book's lines otherwise. */
  progress?: ProgressReporter;
  log?: (line: string) => void;
}

/**
 * Trains CBOW, prints the book's similarity queries and analogies, and returns the mean loss of
 * every evaluation interval and every epoch.
 *
 * @example
 * const { epochLosses } = await main({ maxEpoch: 10 });
 */
export async function main(options: Word2vecOptions = {}) {
  const { maxEpoch = 10, windowSize = 5, hiddenSize = 100, batchSize = 100, sampleSize = 5 } = options;
  const { evalInterval = 20, seed = 1984, dtype = 'float32' } = options;
  const { dataDir = defaultPtbDir(), outDir = 'out', log = console.log } = options;
  const progress = options.progress ?? defaultProgress();

  const { corpus: texts, wordToId, idToWord } = await loadPtb('valid', { dir: dataDir });
  const corpus = texts.valid.subarray(0, options.corpusSize ?? texts.valid.length);
  const vocabSize = idToWord.length;
  const { contexts, target } = createContextsTarget(corpus, windowSize);
  const width = contexts.shape[1];

  const generator = new Generator(seed);
  const model = new CBOW(
    corpus,
    { vocabSize, hiddenSize, sampleSize, samplerSeed: generator.int(2 ** 31) },
    { generator, dtype },
  );
  const optimizer = new Adam(model.parameters());

  const dataSize = target.length;
  const maxIters = Math.floor(dataSize / batchSize);
  const lossList: number[] = [];
  const epochLosses: number[] = [];
  const epochSeconds: number[] = [];
  const batchContexts = new Int32Array(batchSize * width);
  const batchTarget = new Int32Array(batchSize);
  const start = performance.now();
  let intervalSum: Tensor | null = null;
  let epochSum: Tensor | null = null;
  let intervalCount = 0;

  log(`corpus: ${corpus.length} words, vocabulary: ${vocabSize}, pairs: ${dataSize}`);
  progress.start({ firstEpoch: 1, maxEpoch, maxIters });
  try {
    for (let epoch = 1; epoch <= maxEpoch; epoch++) {
      const epochStart = performance.now();
      const order = generator.permutation(dataSize);
      for (let iter = 0; iter < maxIters; iter++) {
        for (let i = 0; i < batchSize; i++) {
          const row = order[iter * batchSize + i];
          batchContexts.set(contexts.data.subarray(row * width, (row + 1) * width), i * width);
          batchTarget[i] = target[row];
        }
        [intervalSum, epochSum] = tidy(() => {
          optimizer.zeroGrad();
          const loss = model.call(tensor(batchContexts, { shape: [batchSize, width] }), batchTarget);
          loss.backward();
          optimizer.step();
          return noGrad(() => [accumulate(intervalSum, loss), accumulate(epochSum, loss)]);
        });
        intervalCount++;
        progress.iteration?.((epoch - 1) * maxIters + iter + 1, epoch);
        // the book's Trainer reports when iters % eval_interval == 0, its first report after one step
        if (iter % evalInterval === 0) {
          const loss = (await intervalSum.item()) / intervalCount;
          intervalSum.dispose();
          intervalSum = null;
          intervalCount = 0;
          lossList.push(loss);
          progress.interval({ epoch, iter: iter + 1, maxIters, elapsed: (performance.now() - start) / 1000, loss });
        }
      }
      epochLosses.push((await epochSum!.item()) / maxIters);
      epochSum!.dispose();
      epochSum = null;
      epochSeconds.push((performance.now() - epochStart) / 1000);
    }
  } finally {
    intervalSum?.dispose();
    epochSum?.dispose();
    progress.stop();
  }

  const spec = lossCurveSpec(lossList, evalInterval);
  const plot = await saveFile(join(outDir, 'word2vec-loss.svg'), await renderSvg({ ...spec, title: 'CBOW loss' }));
  log(`loss curve: ${plot}`);

  // The book's ch04/eval.py, on the trained input vectors.
  // float32 or float64, as the model was built
  const wordVecs = { data: (await model.wordVecs.data()) as Float32Array | Float64Array, shape: model.wordVecs.shape };
  const missing = (words: readonly string[]) => words.find((w) => !wordToId.has(w));
  for (const query of QUERIES) {
    if (missing([query]) !== undefined) {
      log(`${query} is not found`);
      continue;
    }
    log(`\n[query] ${query}`);
    for (const { word, similarity } of mostSimilar(query, wordToId, idToWord, wordVecs, 5))
      log(` ${word}: ${similarity.toFixed(4)}`);
  }
  log('-'.repeat(50));
  for (const [a, b, c] of ANALOGIES) {
    const absent = missing([a, b, c]);
    if (absent !== undefined) {
      log(`${absent} is not found`);
      continue;
    }
    log(`\n[analogy] ${a}:${b} = ${c}:?`);
    for (const { word, similarity } of analogy(a, b, c, wordToId, idToWord, wordVecs, 5))
      log(` ${word}: ${similarity.toFixed(4)}`);
  }

  const secondsPerEpoch = epochSeconds.reduce((s, x) => s + x, 0) / maxEpoch;
  log(
    `loss=${epochLosses[epochLosses.length - 1].toFixed(4)} epochs=${maxEpoch} seconds_per_epoch=${secondsPerEpoch.toFixed(2)}`,
  );
  return { lossList, epochLosses, secondsPerEpoch, wordVecs, wordToId, idToWord, plot, model };
}

/** `sum + loss` (or a copy of `loss` to start), kept past the step's scope. */
function accumulate(sum: Tensor | null, loss: Tensor): Tensor {
  return keep(sum === null ? loss.detach() : sum.assign(add(sum, loss)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string' },
      epochs: { type: 'string', default: '10' },
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
