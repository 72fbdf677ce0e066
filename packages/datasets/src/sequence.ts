import { readDataFile } from '#data-file';
import { ArgumentError, describeValue, Generator } from '@graphgrad/core';
import type { ShapedArray } from './shaped-array.ts';
import { Vocabulary } from './vocabulary.ts';
import { requireOptions, requireText } from './arguments.ts';

/** The book's two sequence problems: `addition.txt` (chapter 7) and `date.txt` (chapter 8). */
export type SequenceName = 'addition' | 'date';

const NAMES: readonly SequenceName[] = ['addition', 'date'];

/** Options of `parseSequence`. */
export interface ParseSequenceOptions {
  /** Seed of the shuffle before the split (default 1984, the book's numpy seed). */
  seed?: number;
}

/** Options of `loadSequence`. */
export interface SequenceOptions extends ParseSequenceOptions {
  /**
   * The folder holding `addition.txt` and `date.txt` (default: the `GRAPHGRAD_SEQUENCE_DIR`
   * environment variable, else the `sequence/` folder of `GRAPHGRAD_DATASETS`).
   */
  dir?: string;
}

/** Rows of a sequence problem: questions and answers as character ids. */
export interface SequenceSplit {
  /** The questions, [rows, question length], padded with spaces as in the file. */
  readonly x: ShapedArray<Int32Array>;
  /** The answers, [rows, answer length]: `_` (the decoder's start symbol), then the answer padded with spaces. */
  readonly t: ShapedArray<Int32Array>;
  /** The line of the text (counted from 0) that each row came from. */
  readonly lines: Int32Array;
}

/** A sequence problem: shuffled rows split 90/10, and the character vocabulary. */
export interface SequenceData {
  /** The first 90% of the shuffled rows. */
  readonly train: SequenceSplit;
  /** The last 10% (the book's `len // 10` rows), held out for validation. */
  readonly test: SequenceSplit;
  /** Each character's id, in order of first appearance over each line's question, then its answer. */
  readonly charToId: ReadonlyMap<string, number>;
  /** Each id's character. */
  readonly idToChar: readonly string[];
}

/**
 * The book's sequence format (its `dataset/sequence.py`) from text: each line is a question and
 * an answer that starts at the line's first `_`, every question and every answer as long as the
 * first line's (padded with spaces). Characters get ids in order of first appearance; the rows are
 * shuffled with the seeded `Generator` and the last tenth is the test split.
 *
 * NOTE: the shuffle is graphgrad's own, so seed 1984 does not give numpy's rows; it gives the
 * same rows on every machine.
 *
 * @example
 * const { train, test, idToChar } = parseSequence('16+75  _91  \n52+607 _659 \n');
 * train.x.shape; // [2, 7]
 * test.t.shape; // [0, 5]
 */
export function parseSequence(text: string, options: ParseSequenceOptions = {}): SequenceData {
  requireText('parseSequence', text);
  requireOptions('parseSequence', options);
  const { seed = 1984 } = options;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new ArgumentError('parseSequence: text has no lines, expected question_answer lines');
  const questions: string[] = [];
  const answers: string[] = [];
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const at = line.indexOf('_');
    if (at < 0) throw new ArgumentError(`parseSequence: line ${index + 1} (${describeValue(line)}) has no "_"`);
    questions.push(line.slice(0, at));
    answers.push(line.slice(at));
  });
  const vocabulary = new Vocabulary();
  const width = { question: questions[0].length, answer: answers[0].length };
  const x = new Int32Array(lines.length * width.question);
  const t = new Int32Array(lines.length * width.answer);
  for (let row = 0; row < lines.length; row++) {
    for (const [part, texts, target] of [
      ['question', questions, x],
      ['answer', answers, t],
    ] as const) {
      const piece = texts[row];
      if (piece.length !== width[part]) {
        throw new ArgumentError(
          `parseSequence: line ${row + 1}: its ${part} has ${piece.length} characters, expected ${width[part]} as on line 1`,
        );
      }
      target.set(vocabulary.encode(piece), row * width[part]);
    }
  }
  const order = new Generator(seed).permutation(lines.length);
  const splitAt = lines.length - Math.floor(lines.length / 10);
  const take = (rows: Int32Array): SequenceSplit => ({
    x: { data: gatherRows(x, width.question, rows), shape: [rows.length, width.question] },
    t: { data: gatherRows(t, width.answer, rows), shape: [rows.length, width.answer] },
    lines: rows,
  });
  return {
    train: take(order.slice(0, splitAt)),
    test: take(order.slice(splitAt)),
    charToId: vocabulary.wordToId,
    idToChar: vocabulary.idToWord,
  };
}

function gatherRows(source: Int32Array, width: number, rows: Int32Array): Int32Array {
  const out = new Int32Array(rows.length * width);
  rows.forEach((row, index) => out.set(source.subarray(row * width, (row + 1) * width), index * width));
  return out;
}

/**
 * One of the book's sequence files, `addition.txt` or `date.txt`, read with `parseSequence`.
 * Node.js only. A missing file is a `DataFileError` naming the file and the folder to put it in;
 * `generateAddition` and `generateDates` write text in the same format with no file at all.
 *
 * @example
 * const { train, test, idToChar } = await loadSequence('addition', { dir: 'data/sequence' });
 * train.x.shape; // [45000, 7]
 * test.t.shape; // [5000, 5]
 */
export async function loadSequence(name: SequenceName, options: SequenceOptions = {}): Promise<SequenceData> {
  if (!NAMES.includes(name))
    throw new ArgumentError(`loadSequence: unknown name ${describeValue(name)}, expected one of ${NAMES.join(', ')}`);
  const fileName = `${name}.txt`;
  const text = await readDataFile({
    caller: 'loadSequence',
    fileName,
    dir: options.dir,
    dirVariable: 'GRAPHGRAD_SEQUENCE_DIR',
    datasetsSubfolder: 'sequence',
    source: `it is in the dataset/ folder of the book's repository oreilly-japan/deep-learning-from-scratch-2 (https://raw.githubusercontent.com/oreilly-japan/deep-learning-from-scratch-2/master/dataset/${fileName}), or make the same format with ${name === 'addition' ? 'generateAddition' : 'generateDates'}`,
    withoutFiles: 'give it to parseSequence',
  });
  return parseSequence(text, { seed: options.seed });
}
