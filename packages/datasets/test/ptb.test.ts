import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError } from '@graphgrad/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataFileError, loadPtb, ptbWords, Vocabulary } from '../src/index.ts';
import { datasetFolder } from './datasets-folder.ts';

const dir = datasetFolder('ptb', ['ptb.valid.txt', 'ptb.test.txt']);

/** The first position where two id arrays differ, or -1 (quicker than deep equality on 80,000 ids). */
function firstDifference(a: Int32Array, b: Int32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  return a.findIndex((id, i) => id !== b[i]);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('ptbWords', () => {
  it('splits on spaces and ends each line with <eos>, as the book reads the files', () => {
    expect(ptbWords(' the cat sat \n on the mat \n')).toEqual([
      'the',
      'cat',
      'sat',
      '<eos>',
      'on',
      'the',
      'mat',
      '<eos>',
    ]);
    expect(ptbWords('a  b\r\nc\n')).toEqual(['a', 'b', '<eos>', 'c', '<eos>']);
  });
});

describe('loadPtb on the real files', () => {
  it('reads valid then test into one vocabulary: 73,760 and 82,430 words, 7,596 in the vocabulary', async () => {
    const { corpus, wordToId, idToWord, vocabulary } = await loadPtb(['valid', 'test'], { dir });
    expect(corpus.valid).toBeInstanceOf(Int32Array);
    expect(corpus.valid.length).toBe(73_760);
    expect(corpus.test.length).toBe(82_430);
    expect(idToWord.length).toBe(7_596);
    expect(wordToId.size).toBe(7_596);
    expect(vocabulary.size).toBe(7_596);
    // 6,022 words from the validation text, then the 1,574 that only the test text has.
    expect(Math.max(...corpus.valid)).toBe(6_021);
    const validIds = new Set(corpus.valid);
    expect(new Set(corpus.test.filter((id) => !validIds.has(id))).size).toBe(1_574);
  });

  it('numbers the words in order of first appearance, validation first', async () => {
    const { corpus, wordToId, idToWord } = await loadPtb(['valid', 'test'], { dir });
    expect(idToWord.slice(0, 14)).toEqual([
      'consumers',
      'may',
      'want',
      'to',
      'move',
      'their',
      'telephones',
      'a',
      'little',
      'closer',
      'the',
      'tv',
      'set',
      '<eos>',
    ]);
    expect(Array.from(corpus.valid.subarray(0, 15))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 10, 11, 12, 13]);
    expect(wordToId.get('<unk>')).toBe(14);
    expect(wordToId.get('N')).toBe(29);
    // The first words that only the test text has take the ids after the validation text's.
    expect(idToWord.slice(6_022, 6_026)).toEqual(['beleaguered', 'blocks', 'telesis', 'christopher']);
    expect(idToWord.at(-1)).toBe('inside');
    // Every id is given at its first appearance: a new id is exactly one more than the largest so far.
    let largest = -1;
    const late: number[] = [];
    for (const id of [...corpus.valid, ...corpus.test]) {
      if (id > largest + 1) late.push(id);
      largest = Math.max(largest, id);
    }
    expect(late).toEqual([]);
    expect(largest).toBe(7_595);
  });

  it('round-trips: the ids decode to the words of the file', async () => {
    const { corpus, vocabulary } = await loadPtb(['valid', 'test'], { dir });
    for (const split of ['valid', 'test'] as const) {
      const text = readFileSync(join(dir, `ptb.${split}.txt`), 'utf8');
      expect(vocabulary.decode(corpus[split])).toEqual(text.replaceAll('\n', ' <eos> ').trim().split(/\s+/));
    }
  });

  it('gives the same ids when the splits are loaded one call at a time into one vocabulary', async () => {
    const both = await loadPtb(['valid', 'test'], { dir });
    const vocabulary = new Vocabulary();
    const valid = await loadPtb('valid', { dir, vocabulary });
    expect(valid.idToWord.length).toBe(6_022);
    const test = await loadPtb('test', { dir, vocabulary });
    expect(test.vocabulary).toBe(vocabulary);
    expect(firstDifference(valid.corpus.valid, both.corpus.valid)).toBe(-1);
    expect(firstDifference(test.corpus.test, both.corpus.test)).toBe(-1);
    expect(vocabulary.idToWord).toEqual(both.idToWord);
  });

  it('reads the splits in the order given: test first gives the test text the first ids', async () => {
    const { corpus, idToWord } = await loadPtb(['test', 'valid'], { dir });
    expect(idToWord.slice(0, 4)).toEqual(['no', 'it', 'was', "n't"]);
    expect(Array.from(corpus.test.subarray(0, 7))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(idToWord.length).toBe(7_596);
  });

  it('finds the folder through GRAPHGRAD_PTB_DIR, else the ptb/ folder of GRAPHGRAD_DATASETS', async () => {
    vi.stubEnv('GRAPHGRAD_DATASETS', '');
    vi.stubEnv('GRAPHGRAD_PTB_DIR', dir);
    expect((await loadPtb('valid')).corpus.valid.length).toBe(73_760);
    vi.stubEnv('GRAPHGRAD_PTB_DIR', '');
    vi.stubEnv('GRAPHGRAD_DATASETS', join(dir, '..'));
    expect((await loadPtb('test')).corpus.test.length).toBe(82_430);
  });
});

describe('loadPtb when a file is missing', () => {
  it('names ptb.train.txt, the folder to put it in and where to get it', async () => {
    const error = await loadPtb('train', { dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFileError);
    const { fileName, dir: folder, message } = error as DataFileError;
    expect(fileName).toBe('ptb.train.txt');
    expect(folder).toBe(dir);
    expect(message).toContain(`loadPtb: ptb.train.txt is not in ${dir} (the folder from the dir option): put it there`);
    expect(message).toContain('https://raw.githubusercontent.com/tomsercu/lstm/master/data/ptb.train.txt');
  });

  it('names the environment variable the folder came from', async () => {
    vi.stubEnv('GRAPHGRAD_PTB_DIR', dir);
    await expect(loadPtb(['train', 'valid'])).rejects.toThrow(
      /ptb\.train\.txt is not in .* \(the folder from GRAPHGRAD_PTB_DIR\)/,
    );
  });

  it('says how to give a folder when there is none', async () => {
    vi.stubEnv('GRAPHGRAD_PTB_DIR', '');
    vi.stubEnv('GRAPHGRAD_DATASETS', '');
    const error = await loadPtb('valid').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).dir).toBeUndefined();
    expect((error as DataFileError).message).toBe(
      'loadPtb: no folder to read ptb.valid.txt from: pass { dir } or set GRAPHGRAD_PTB_DIR to the folder that ' +
        'holds it (or GRAPHGRAD_DATASETS to a folder with a ptb/ subfolder)',
    );
  });

  it('leaves a given vocabulary as it was when one of the files is missing', async () => {
    const vocabulary = new Vocabulary();
    await expect(loadPtb(['valid', 'train'], { dir, vocabulary })).rejects.toBeInstanceOf(DataFileError);
    expect(vocabulary.size).toBe(0);
  });

  it('rejects an unknown split and an empty list', async () => {
    // @ts-expect-error: 'val' is the book's alias, not a split here
    await expect(loadPtb('val', { dir })).rejects.toThrow(ArgumentError);
    await expect(loadPtb([], { dir })).rejects.toThrow(/loadPtb: splits is empty/);
  });
});
