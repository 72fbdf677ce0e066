import { ArgumentError } from '@graphgrad/core';
import { describe, expect, it } from 'vitest';
import { preprocess, Vocabulary } from '../src/index.ts';

describe('preprocess', () => {
  it("gives the book's corpus and vocabulary for 'You say goodbye and I say hello.'", () => {
    const { corpus, wordToId, idToWord } = preprocess('You say goodbye and I say hello.');
    expect(corpus).toEqual(Int32Array.from([0, 1, 2, 3, 4, 1, 5, 6]));
    expect(idToWord).toEqual(['you', 'say', 'goodbye', 'and', 'i', 'hello', '.']);
    expect(Object.fromEntries(wordToId)).toEqual({ you: 0, say: 1, goodbye: 2, and: 3, i: 4, hello: 5, '.': 6 });
  });

  it('makes each period a word and ignores runs of white space and line breaks', () => {
    const { idToWord, corpus } = preprocess('Hello.  Hello\nworld.');
    expect(idToWord).toEqual(['hello', '.', 'world']);
    expect(corpus).toEqual(Int32Array.from([0, 1, 0, 2, 1]));
  });
});

describe('Vocabulary', () => {
  it('gives ids in order of first appearance, across calls', () => {
    const vocabulary = new Vocabulary();
    expect(vocabulary.encode(['you', 'say', 'goodbye', 'and', 'i', 'say', 'hello'])).toEqual(
      Int32Array.from([0, 1, 2, 3, 4, 1, 5]),
    );
    const { idToWord, wordToId } = vocabulary;
    expect(vocabulary.encode(['hello', 'again'])).toEqual(Int32Array.from([5, 6]));
    // The views are live: they show the words added after they were taken.
    expect(idToWord.at(-1)).toBe('again');
    expect(wordToId.get('again')).toBe(6);
    expect(vocabulary.size).toBe(7);
    expect(vocabulary.add('say')).toBe(1);
  });

  it('decodes ids back to words and names an id outside it', () => {
    const vocabulary = new Vocabulary();
    vocabulary.encode(['you', 'say', 'goodbye', 'and', 'i', 'say', 'hello']);
    expect(vocabulary.decode([2, 5])).toEqual(['goodbye', 'hello']);
    expect(vocabulary.decode(Int32Array.from([0, 1]))).toEqual(['you', 'say']);
    expect(() => vocabulary.decode([1, 6])).toThrow(ArgumentError);
    expect(() => vocabulary.decode([1, 6])).toThrow('Vocabulary.decode: ids[1] is 6, expected an id in [0, 6)');
    expect(() => vocabulary.decode([1.5])).toThrow(ArgumentError);
  });
});
