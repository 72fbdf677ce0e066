import { ArgumentError } from '@graphgrad/core';

/**
 * Ids for words (or characters) in order of first appearance, as the book builds its
 * `word_to_id` / `id_to_word` dictionaries. One vocabulary can be grown over several texts, so
 * the splits of a corpus read one after another share their ids.
 *
 * @example
 * const vocabulary = new Vocabulary();
 * vocabulary.encode(['you', 'say', 'goodbye', 'and', 'i', 'say', 'hello']); // Int32Array [0, 1, 2, 3, 4, 1, 5]
 * vocabulary.decode([2, 5]); // ['goodbye', 'hello']
 */
export class Vocabulary {
  readonly #wordToId = new Map<string, number>();
  readonly #idToWord: string[] = [];

  /** Each word's id (a live view: it grows with the vocabulary). */
  get wordToId(): ReadonlyMap<string, number> {
    return this.#wordToId;
  }

  /** Each id's word (a live view: it grows with the vocabulary). */
  get idToWord(): readonly string[] {
    return this.#idToWord;
  }

  /** The number of words. */
  get size(): number {
    return this.#idToWord.length;
  }

  /** The id of `word`, which is appended with the next id if it is new. */
  add(word: string): number {
    const known = this.#wordToId.get(word);
    if (known !== undefined) return known;
    const id = this.#idToWord.length;
    this.#wordToId.set(word, id);
    this.#idToWord.push(word);
    return id;
  }

  /** The ids of `words`, appending the new ones in order of first appearance. */
  encode(words: Iterable<string>): Int32Array {
    const ids: number[] = [];
    for (const word of words) ids.push(this.add(word));
    return Int32Array.from(ids);
  }

  /** The words of `ids`; an id outside the vocabulary is an `ArgumentError`. */
  decode(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id, position) => {
      const word = this.#idToWord[id];
      if (word === undefined || !Number.isInteger(id)) {
        throw new ArgumentError(
          `Vocabulary.decode: ids[${position}] is ${id}, expected an id in [0, ${this.#idToWord.length})`,
        );
      }
      return word;
    });
  }
}
