import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError } from '@graphgrad/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataFileError, loadSequence, parseSequence, type SequenceData, type SequenceSplit } from '../src/index.ts';
import { datasetFolder } from './datasets-folder.ts';

const dir = datasetFolder('sequence', ['addition.txt', 'date.txt']);
const fileLines = (name: string): string[] => readFileSync(join(dir, name), 'utf8').split('\n').slice(0, -1);

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Each row of a split decoded back to its line: question characters, then answer characters. */
function decodeRows(split: SequenceSplit, idToChar: readonly string[]): string[] {
  const [rows, questionWidth] = split.x.shape;
  const answerWidth = split.t.shape[1];
  const text = (ids: Int32Array): string => Array.from(ids, (id) => idToChar[id]).join('');
  return Array.from({ length: rows }, (_, row) => {
    const question = split.x.data.subarray(row * questionWidth, (row + 1) * questionWidth);
    const answer = split.t.data.subarray(row * answerWidth, (row + 1) * answerWidth);
    return text(question) + text(answer);
  });
}

/** Every row decodes to the line of the text it says it came from. */
function expectRoundTrip(data: SequenceData, lines: readonly string[]): void {
  for (const split of [data.train, data.test]) {
    const decoded = decodeRows(split, data.idToChar);
    const mismatched = decoded.filter((line, row) => line !== lines[split.lines[row]]);
    expect(mismatched).toEqual([]);
  }
}

describe('loadSequence on the real files', () => {
  it('addition: 45,000 training and 5,000 test rows, questions of 7 characters, answers of 5', async () => {
    const data = await loadSequence('addition', { dir });
    expect(data.train.x.shape).toEqual([45_000, 7]);
    expect(data.train.t.shape).toEqual([45_000, 5]);
    expect(data.test.x.shape).toEqual([5_000, 7]);
    expect(data.test.t.shape).toEqual([5_000, 5]);
    expect(data.train.x.data).toBeInstanceOf(Int32Array);
    // Characters in order of first appearance over each line's question, then its answer.
    expect(data.idToChar.join('')).toBe('16+75 _920384');
    expect(data.charToId.get('_')).toBe(6);
    expectRoundTrip(data, fileLines('addition.txt'));
  });

  it('date: questions of 29 characters, answers of 11, 59 characters in the vocabulary', async () => {
    const data = await loadSequence('date', { dir });
    expect(data.train.x.shape).toEqual([45_000, 29]);
    expect(data.train.t.shape).toEqual([45_000, 11]);
    expect(data.test.x.shape).toEqual([5_000, 29]);
    expect(data.idToChar.length).toBe(59);
    expect(data.idToChar.slice(0, 8).join('')).toBe('septmbr ');
    // Every answer starts with the decoder's start symbol.
    const start = data.charToId.get('_');
    expect(data.train.t.data.filter((_, i) => i % 11 === 0 && data.train.t.data[i] !== start)).toHaveLength(0);
    expectRoundTrip(data, fileLines('date.txt'));
  });

  it('splits a seeded shuffle 90/10: every line once, the same rows for the same seed', async () => {
    const data = await loadSequence('addition', { dir });
    const all = [...data.train.lines, ...data.test.lines].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 50_000 }, (_, i) => i));
    // Shuffled: the first training rows are not the file's first lines.
    expect(Array.from(data.train.lines.subarray(0, 5))).not.toEqual([0, 1, 2, 3, 4]);
    const again = await loadSequence('addition', { dir, seed: 1984 });
    expect(again.test.lines).toEqual(data.test.lines);
    const other = await loadSequence('addition', { dir, seed: 7 });
    expect(other.test.lines).not.toEqual(data.test.lines);
    expect(other.idToChar).toEqual(data.idToChar);
  });

  it('finds the folder through GRAPHGRAD_SEQUENCE_DIR', async () => {
    vi.stubEnv('GRAPHGRAD_SEQUENCE_DIR', dir);
    expect((await loadSequence('addition')).test.x.shape).toEqual([5_000, 7]);
  });

  it('names a missing file, its folder, and the generator that makes the same format', async () => {
    const error = await loadSequence('date', { dir: join(dir, 'nowhere') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).fileName).toBe('date.txt');
    expect((error as DataFileError).message).toMatch(/^loadSequence: date\.txt is not in .*nowhere .*put it there/);
    expect((error as DataFileError).message).toContain('generateDates');
  });

  it('rejects an unknown problem name', async () => {
    // @ts-expect-error: only the book's two problems have files
    await expect(loadSequence('reverse', { dir })).rejects.toThrow(ArgumentError);
  });
});

describe('parseSequence', () => {
  it('keeps the padding and the _ as the answer starts, as the book does', () => {
    const { train, test, idToChar } = parseSequence('16+75  _91  \n52+607 _659 \n');
    expect(train.x.shape).toEqual([2, 7]);
    expect(test.t.shape).toEqual([0, 5]);
    expect(idToChar.join('')).toBe('16+75 _920');
    expect(decodeRows(train, idToChar).sort()).toEqual(['16+75  _91  ', '52+607 _659 ']);
  });

  it('holds out len // 10 rows, the book ratio', () => {
    const text = Array.from({ length: 25 }, (_, i) => `${String(i).padEnd(2)}_${i % 10}\n`).join('');
    const { train, test } = parseSequence(text, { seed: 3 });
    expect(train.x.shape).toEqual([23, 2]);
    expect(test.x.shape).toEqual([2, 2]);
  });

  it('accepts a last line without a line end and Windows line ends', () => {
    const { train, idToChar } = parseSequence('1+1  _2  \r\n2+2  _4  ');
    expect(decodeRows(train, idToChar).sort()).toEqual(['1+1  _2  ', '2+2  _4  ']);
  });

  it('names the line that breaks the format', () => {
    expect(() => parseSequence('1+1_2\n2+2 4\n')).toThrow('parseSequence: line 2 ("2+2 4") has no "_"');
    expect(() => parseSequence('1+1  _2  \n10+10 _20 \n')).toThrow(
      'parseSequence: line 2: its question has 6 characters, expected 5 as on line 1',
    );
    expect(() => parseSequence('1+1  _2  \n1+1  _2 \n')).toThrow(
      'parseSequence: line 2: its answer has 3 characters, expected 4 as on line 1',
    );
    expect(() => parseSequence('')).toThrow(ArgumentError);
  });
});
