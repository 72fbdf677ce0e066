import { Vocabulary } from './vocabulary.ts';
import { requireText } from './arguments.ts';

/** A text as word ids, with the vocabulary that maps them. */
export interface Preprocessed {
  /** The words as ids. */
  readonly corpus: Int32Array;
  /** Each word's id, in order of first appearance. */
  readonly wordToId: ReadonlyMap<string, number>;
  /** Each id's word. */
  readonly idToWord: readonly string[];
}

/**
 * The book's `preprocess` (chapter 2): the text in lower case, each `.` made a word of its own,
 * split into words, and the words given ids in order of first appearance.
 *
 * @example
 * const { corpus, idToWord } = preprocess('You say goodbye and I say hello.');
 * corpus; // Int32Array [0, 1, 2, 3, 4, 1, 5, 6]
 * idToWord; // ['you', 'say', 'goodbye', 'and', 'i', 'hello', '.']
 */
export function preprocess(text: string): Preprocessed {
  requireText('preprocess', text);
  // The book splits on single spaces; splitting on runs of white space gives the same words for
  // its sentences and no empty words for text with doubled spaces or line breaks.
  const words = text
    .toLowerCase()
    .replaceAll('.', ' .')
    .split(/\s+/)
    .filter((word) => word !== '');
  const vocabulary = new Vocabulary();
  const corpus = vocabulary.encode(words);
  return { corpus, wordToId: vocabulary.wordToId, idToWord: vocabulary.idToWord };
}
