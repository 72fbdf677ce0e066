/**
 * The book's chapter-7 text generation (`ch07/rnnlm_gen.py`, `ch07/generate_text.py`): a trained
 * language model is fed one word at a time, its state carried; the next word is drawn from the
 * softmax of its scores, skipping the words the book skips (`N`, `<unk>`, `$`), and fed back.
 *
 * Run (after train-rnnlm.ts has written out/rnnlm.safetensors):
 * node --import tsx examples/lstm-lm/generate.ts [--backend webgpu] [--seed 1984] [--start you] [--checkpoint out/rnnlm.safetensors]
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ArgumentError,
  Generator,
  loadInto,
  loadPtb,
  multinomial,
  noGrad,
  reshape,
  softmax,
  tensor,
  tidy,
  type Tensor,
} from 'graphgrad';
import { backendFromArgs } from '../backend-option.ts';
import { defaultPtbDir, integerOption } from '../rnnlm/command-line.ts';
import type { LanguageModel } from '../rnnlm/rnnlm-trainer.ts';
import { Rnnlm } from './rnnlm.ts';

/** The words the book's generate_text.py never samples. */
export const SKIP_WORDS = ['N', '<unk>', '$'];

/** Options of `generate`. */
export interface GenerateOptions {
  /** Word ids never emitted: a sampled one is dropped and the model is run again (the book's loop). */
  readonly skipIds?: readonly number[];
  /** Words in the result, the start word included (the book: 100). */
  readonly sampleSize?: number;
  /** The generator of the draws. */
  readonly generator: Generator;
}

/**
 * The book's `RnnlmGen.generate`: from `startId`, repeatedly scores the next word, samples it from
 * the softmax, and feeds it back, until `sampleSize` words. Runs in `eval()` mode without
 * gradients, from a zero state, and resets the state afterwards.
 *
 * @example
 * const ids = await generate(model, wordToId.get('you')!, { skipIds, generator: new Generator(1) });
 */
export async function generate(model: LanguageModel, startId: number, options: GenerateOptions): Promise<number[]> {
  const { skipIds = [], sampleSize = 100, generator } = options;
  const skip = new Set(skipIds);
  const wasTraining = model.training;
  model.eval();
  model.resetState();
  try {
    const wordIds = [startId];
    let x = startId;
    while (wordIds.length < sampleSize) {
      // NOTE: as the book's loop, a skipped draw runs the model again on the same word, its state advanced.
      const p: Tensor = noGrad(() =>
        tidy(() => reshape(softmax(model.call(tensor([x], { dtype: 'int32', shape: [1, 1] }))), [-1])),
      );
      const drawn = await multinomial(p, 1, { generator });
      const [sampled] = await drawn.data();
      p.dispose();
      drawn.dispose();
      if (!skip.has(sampled)) {
        x = sampled;
        wordIds.push(sampled);
      }
    }
    return wordIds;
  } finally {
    model.resetState();
    model.train(wasTraining);
  }
}

/** The words of `ids` as the book prints them: `<eos>` ends a sentence with a full stop and a line break. */
export function formatText(ids: readonly number[], idToWord: readonly string[]): string {
  return ids
    .map((id) => idToWord[id])
    .join(' ')
    .replaceAll(' <eos>', '.\n');
}

/** Options of the script. */
export interface GenerateTextOptions {
  /** The Rnnlm checkpoint (train-rnnlm.ts writes out/rnnlm.safetensors). */
  checkpoint?: string;
  start?: string;
  /** Words generated, the start word included (the book: 100). */
  sampleSize?: number;
  seed?: number;
  wordvecSize?: number;
  hiddenSize?: number;
  dataDir?: string;
  log?: (line: string) => void;
}

/**
 * Loads a trained `Rnnlm` and prints `sampleSize` words generated from the start word.
 *
 * @example
 * const { text } = await main({ checkpoint: 'out/rnnlm.safetensors', start: 'you' });
 */
export async function main(options: GenerateTextOptions = {}) {
  const { checkpoint = 'out/rnnlm.safetensors', start = 'you', sampleSize = 100, seed = 1984 } = options;
  const { wordvecSize = 100, hiddenSize = 100, dataDir = defaultPtbDir(), log = console.log } = options;
  const { wordToId, idToWord } = await loadPtb(['valid', 'test'], { dir: dataDir });
  const startId = wordToId.get(start);
  if (startId === undefined)
    throw new ArgumentError(`generate: the start word ${JSON.stringify(start)} is not in the vocabulary`);
  if (!existsSync(checkpoint))
    throw new ArgumentError(
      `generate: no weights at ${checkpoint}; examples/lstm-lm/train-rnnlm.ts writes them (or pass --checkpoint)`,
    );
  const model = new Rnnlm({ vocabSize: idToWord.length, wordvecSize, hiddenSize }, { generator: new Generator(0) });
  await loadInto(model, checkpoint);
  const skipIds = SKIP_WORDS.map((w) => wordToId.get(w)).filter((id) => id !== undefined);
  const ids = await generate(model, startId, { skipIds, sampleSize, generator: new Generator(seed) });
  const text = formatText(ids, idToWord);
  log(text);
  return { ids, text };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string' },
      seed: { type: 'string', default: '1984' },
      start: { type: 'string', default: 'you' },
      checkpoint: { type: 'string', default: 'out/rnnlm.safetensors' },
      data: { type: 'string' },
    },
  });
  const seed = integerOption('seed', values.seed, 0);
  const backend = await backendFromArgs();
  console.log(`backend: ${backend.description}`);
  try {
    await main({ seed, start: values.start, checkpoint: values.checkpoint, dataDir: values.data ?? defaultPtbDir() });
  } finally {
    backend.close();
  }
}
