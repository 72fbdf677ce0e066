import { readDataFile } from '#data-file';
import { ArgumentError, describeValue } from '@graphgrad/core';
import { Vocabulary } from './vocabulary.ts';
import { requireText } from './arguments.ts';

/** A split of the Penn Treebank: its files are `ptb.train.txt`, `ptb.valid.txt` and `ptb.test.txt`. */
export type PtbSplit = 'train' | 'valid' | 'test';

const SPLITS: readonly PtbSplit[] = ['train', 'valid', 'test'];

/** Options of `loadPtb`. */
export interface PtbOptions {
  /**
   * The folder holding the `ptb.*.txt` files (default: the `GRAPHGRAD_PTB_DIR` environment
   * variable, else the `ptb/` folder of `GRAPHGRAD_DATASETS`).
   */
  dir?: string;
  /** A vocabulary to extend (default: a new one), so that splits loaded one call at a time share ids. */
  vocabulary?: Vocabulary;
}

/** The splits `loadPtb` read, as word ids of one shared vocabulary. */
export interface Ptb<S extends PtbSplit> {
  /** Each split's words as ids, `<eos>` at each line's end. */
  readonly corpus: Readonly<Record<S, Int32Array>>;
  /** The vocabulary over every split read (and those read before into the same vocabulary). */
  readonly vocabulary: Vocabulary;
  /** Each word's id: `vocabulary.wordToId`. */
  readonly wordToId: ReadonlyMap<string, number>;
  /** Each id's word: `vocabulary.idToWord`. */
  readonly idToWord: readonly string[];
}

/**
 * The words of Penn Treebank text as the book reads them: each line end becomes the word
 * `<eos>`, and words are separated by spaces.
 *
 * @example
 * ptbWords(' the cat sat \n on the mat \n'); // ['the', 'cat', 'sat', '<eos>', 'on', 'the', 'mat', '<eos>']
 */
export function ptbWords(text: string): string[] {
  requireText('ptbWords', text);
  return text
    .replace(/\r?\n/g, ' <eos> ')
    .split(/\s+/)
    .filter((word) => word !== '');
}

/**
 * Mikolov's preprocessed Penn Treebank (the book's `dataset/ptb.py`): the splits asked for, read
 * in the order given into one vocabulary (ids in order of first appearance), each as an
 * `Int32Array` of word ids. Node.js only (in a browser, fetch the text and use `ptbWords` with a
 * `Vocabulary`). A missing file is a `DataFileError` naming the file and the folder to put it in.
 *
 * NOTE: the book's vocabulary is that of `ptb.train.txt` (10,000 words); without that file,
 * `['valid', 'test']` gives the 6,022 words of the validation text followed by the 1,574 that
 * only the test text has.
 *
 * @example
 * const { corpus, wordToId, idToWord } = await loadPtb(['valid', 'test'], { dir: 'data/ptb' });
 * corpus.valid.length; // 73760
 * idToWord.length; // 7596
 */
export async function loadPtb<S extends PtbSplit>(splits: S | readonly S[], options: PtbOptions = {}): Promise<Ptb<S>> {
  const asked: readonly S[] = typeof splits === 'string' ? [splits] : splits;
  if (asked.length === 0)
    throw new ArgumentError(`loadPtb: splits is empty, expected one or more of ${SPLITS.join(', ')}`);
  for (const split of asked) {
    if (!SPLITS.includes(split))
      throw new ArgumentError(`loadPtb: unknown split ${describeValue(split)}, expected one of ${SPLITS.join(', ')}`);
  }
  const unique = [...new Set(asked)];
  // Every file is read before any word is added, so a missing file leaves a given vocabulary as it was.
  const texts = await Promise.all(
    unique.map((split) =>
      readDataFile({
        caller: 'loadPtb',
        fileName: `ptb.${split}.txt`,
        dir: options.dir,
        dirVariable: 'GRAPHGRAD_PTB_DIR',
        datasetsSubfolder: 'ptb',
        source: `it is in the data/ folder of the public repository tomsercu/lstm (https://raw.githubusercontent.com/tomsercu/lstm/master/data/ptb.${split}.txt)`,
        withoutFiles: 'give ptbWords(text) to Vocabulary.encode',
      }),
    ),
  );
  const vocabulary = options.vocabulary ?? new Vocabulary();
  const corpus = {} as Record<S, Int32Array>;
  unique.forEach((split, index) => {
    corpus[split] = vocabulary.encode(ptbWords(texts[index]));
  });
  return { corpus, vocabulary, wordToId: vocabulary.wordToId, idToWord: vocabulary.idToWord };
}
