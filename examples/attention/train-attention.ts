/**
 * The book's chapter 8 (`ch08/train.py`, `ch08/visualize_attention.py`): a sequence-to-sequence
 * model with attention learns to rewrite dates in every format as ISO dates (`date.txt`,
 * `september 27, 1994           _1994-09-27`). The book's settings: the question read backwards,
 * character vectors 16, hidden 256, batch 128, Adam (lr 0.001), gradients clipped to a norm of 5.0,
 * 10 epochs; after each epoch every validation question is decoded greedily and scored by exact
 * match.
 *
 * Writes the validation accuracy per epoch to out/attention-accuracy.svg and the attention maps of
 * the first validation questions to out/attention-map.svg, prints a few decoded questions with
 * ✓/✗, and ends with the line `loss=<last epoch's mean loss> accuracy=<validation accuracy>`.
 *
 * Run: node --import tsx examples/attention/train-attention.ts [--epochs 10] [--seed 1984]
 *        [--backend cpu|webgpu] [--data <folder of date.txt>]
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Generator, noGrad, slice, tidy, type FloatDType, type ProgressReporter } from 'graphgrad';
import { backendFromArgs } from '../backend-option.ts';
import { sampleDecodes } from '../seq2seq/accuracy.ts';
import { plotAccuracy } from '../seq2seq/accuracy-plot.ts';
import { integerOption } from '../rnnlm/command-line.ts';
import { fitWithAccuracy } from '../seq2seq/fit-with-accuracy.ts';
import { loadProblem, splitTensors, type SplitTensors } from '../seq2seq/sequence-data.ts';
import { plotAttention, type AttentionMap } from './attention-map.ts';
import { AttentionSeq2seq } from './attention-seq2seq.ts';

export interface AttentionExampleOptions {
  /** Epochs (default 10, the book's). */
  epochs?: number;
  /** Seeds the weights, the shuffling, and the generated problems when the file is missing (default 1984). */
  seed?: number;
  /** The folder of date.txt (default: see ../seq2seq/sequence-data.ts). */
  dataDir?: string;
  /** Folder of the two plots (default out). */
  outDir?: string;
  batchSize?: number;
  wordvecSize?: number;
  hiddenSize?: number;
  /** Train on the first this many training rows only (default all 45,000): a short run. */
  trainRows?: number;
  /** Score the first this many validation rows only (default all 5,000). */
  validationRows?: number;
  /** Questions whose attention is drawn (default 3). */
  maps?: number;
  /** The parameters' dtype (default float32; float64 is the reference the tests compare with). */
  dtype?: FloatDType;
  /** Default: a progress bar on a terminal, the book's line every 20 iterations otherwise. */
  progress?: ProgressReporter;
  log?: (line: string) => void;
}

/**
 * The attention maps of the first `count` questions of `validation`: the model writes each answer
 * greedily, and each written character's weights over the question (read forwards again) are kept.
 */
async function attentionMaps(
  model: AttentionSeq2seq,
  validation: SplitTensors,
  idToChar: readonly string[],
  count: number,
): Promise<AttentionMap[]> {
  const [qLen, aLen] = [validation.x.shape[1], validation.t.shape[1]];
  const rows = Math.min(count, validation.x.shape[0]);
  model.eval();
  const { ids, weights } = noGrad(() =>
    tidy(() => {
      // The model reads the question reversed: flip the weights' last axis back to reading order.
      const picked = model.generateWithAttention(
        slice(validation.x, [[0, rows]]),
        slice(validation.t, [[0, rows], 0]),
        aLen - 1,
      );
      return { ids: picked.ids, weights: slice(picked.weights, [null, null, [null, null, -1]]) };
    }),
  );
  model.train();
  const [written, w, questions] = [await ids.data(), await weights.data(), await validation.x.data()];
  ids.dispose();
  weights.dispose();
  return Array.from({ length: rows }, (_, r) => ({
    input: Array.from(questions.subarray(r * qLen, (r + 1) * qLen), (id) => idToChar[id]).reverse(),
    output: Array.from(written.subarray(r * (aLen - 1), (r + 1) * (aLen - 1)), (id) => idToChar[id]),
    weights: Array.from({ length: aLen - 1 }, (_, o) =>
      Array.from(w.subarray((r * (aLen - 1) + o) * qLen, (r * (aLen - 1) + o + 1) * qLen)),
    ),
  }));
}

/**
 * Trains the attention model, plots its accuracy and its attention, and returns every figure.
 *
 * @example
 * const { history } = await main({ epochs: 1, trainRows: 1280 });
 */
export async function main(options: AttentionExampleOptions = {}) {
  const { epochs = 10, seed = 1984, batchSize = 128, wordvecSize = 16, hiddenSize = 256 } = options;
  const { dtype = 'float32', outDir = 'out', progress, log = console.log } = options;

  const problem = await loadProblem('date', { dir: options.dataDir, seed });
  log(`data: ${problem.source}`);
  const { train, test, idToChar } = problem.data;
  const data = splitTensors(train, { reverse: true, rows: options.trainRows });
  const validation = splitTensors(test, { reverse: true, rows: options.validationRows });
  log(`attention: ${data.x.shape[0]} training rows`);

  const model = new AttentionSeq2seq(
    { vocabSize: idToChar.length, wordvecSize, hiddenSize },
    { generator: new Generator(seed), dtype },
  );
  const { history, lossList, guesses } = await fitWithAccuracy(model, data, validation, {
    name: 'attention',
    epochs,
    batchSize,
    seed,
    progress,
    log,
  });
  const samples = await sampleDecodes({ ...validation, guesses, idToChar, reversed: true });
  for (const line of samples) log(`  ${line}`);

  const accuracyPlot = await plotAccuracy(join(outDir, 'attention-accuracy.svg'), 'attention on dates', [
    { name: 'attention', accuracy: history.map((h) => h.accuracy) },
  ]);
  const mapPlot = await plotAttention(
    join(outDir, 'attention-map.svg'),
    await attentionMaps(model, validation, idToChar, options.maps ?? 3),
  );
  log(`accuracy plot: ${accuracyPlot}`);
  log(`attention map: ${mapPlot}`);
  const last = history[history.length - 1];
  log(`loss=${last.loss.toFixed(4)} accuracy=${last.accuracy.toFixed(3)}`);
  return { history, lossList, samples, accuracyPlot, mapPlot, source: problem.source };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'cpu' },
      epochs: { type: 'string', default: '10' },
      seed: { type: 'string', default: '1984' },
      data: { type: 'string' },
      out: { type: 'string', default: 'out' },
    },
  });
  const backend = await backendFromArgs();
  console.log(`backend: ${backend.description}`);
  try {
    await main({
      epochs: integerOption('epochs', values.epochs, 1),
      seed: integerOption('seed', values.seed, 0),
      dataDir: values.data,
      outDir: values.out,
    });
  } finally {
    backend.close();
  }
}
