import { ArgumentError, describeValue, Generator } from '@graphgrad/core';
import type { ShapedArray } from './shaped-array.ts';

/** Options of `UnigramSampler`. */
export interface UnigramSamplerOptions {
  /** Seed of the sampler's own generator (default 1984); ignored when `generator` is given. */
  seed?: number;
  /** A generator to draw from instead (the sampler advances it). */
  generator?: Generator;
}

// Draws from the whole distribution are retried while they hit the target or a word already
// drawn; past this many misses in a row the rest of the distribution is scanned instead, so a
// target holding nearly all the probability cannot stall a row.
const MAX_REJECTIONS = 32;

/**
 * The book's `UnigramSampler` (chapter 4): negative samples for negative-sampling word2vec, drawn
 * with probability proportional to each word's count in the corpus raised to `power` (0.75 makes
 * rare words likelier than their counts). As in the book's CPU code, each row's target is never
 * drawn (its probability set to 0 and the rest renormalised) and a row's samples are distinct
 * (drawn without replacement). Words that never occur in the corpus are never drawn.
 *
 * @example
 * const sampler = new UnigramSampler(Int32Array.from([0, 1, 2, 3, 4, 1, 2, 3]), 0.75, 2, { seed: 1 });
 * const negatives = sampler.getNegativeSample(Int32Array.from([1, 3, 0])); // shape [3, 2], no row holds its target
 */
export class UnigramSampler {
  /** The exponent applied to each word's count. */
  readonly power: number;
  /** The negatives drawn for each target. */
  readonly sampleSize: number;
  /** The number of word ids: the largest id in the corpus plus one. */
  readonly vocabSize: number;
  /** Each word's probability of being drawn when no word is excluded: count^power, normalised. */
  readonly probabilities: Float64Array;
  readonly #cumulative: Float64Array;
  readonly #lastDrawable: number;
  readonly #generator: Generator;

  constructor(corpus: Int32Array, power = 0.75, sampleSize = 5, options: UnigramSamplerOptions = {}) {
    if (corpus.length === 0) throw new ArgumentError('UnigramSampler: corpus is empty, expected word ids');
    if (!Number.isFinite(power) || power < 0)
      throw new ArgumentError(`UnigramSampler: power must be a finite number >= 0, got ${describeValue(power)}`);
    if (!Number.isInteger(sampleSize) || sampleSize < 1)
      throw new ArgumentError(
        `UnigramSampler: sampleSize must be a positive integer, got ${describeValue(sampleSize)}`,
      );
    let largest = 0;
    corpus.forEach((id, position) => {
      if (id < 0) throw new ArgumentError(`UnigramSampler: corpus[${position}] is ${id}, expected a word id >= 0`);
      largest = Math.max(largest, id);
    });
    const counts = new Float64Array(largest + 1);
    for (const id of corpus) counts[id]++;
    const distinct = counts.filter((count) => count > 0).length;
    // The target may be one of the words with a probability, so a row has one fewer to draw from.
    if (sampleSize > distinct - 1)
      throw new ArgumentError(
        `UnigramSampler: sampleSize ${sampleSize} is more than the ${distinct - 1} distinct words left once a target is excluded (the corpus has ${distinct})`,
      );
    // NOTE: 0 ** 0 is 1, so with power 0 an absent word would be drawn; absent words stay at 0.
    const weights = counts.map((count) => (count > 0 ? count ** power : 0));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    this.power = power;
    this.sampleSize = sampleSize;
    this.vocabSize = counts.length;
    this.probabilities = weights.map((weight) => weight / total);
    let running = 0;
    this.#cumulative = this.probabilities.map((p) => (running += p));
    this.#lastDrawable = this.probabilities.findLastIndex((p) => p > 0);
    this.#generator = options.generator ?? new Generator(options.seed ?? 1984);
  }

  /**
   * `sampleSize` distinct negative word ids for each target, [targets, sampleSize], none equal to
   * its row's target.
   */
  getNegativeSample(target: Int32Array): ShapedArray<Int32Array> {
    const out = new Int32Array(target.length * this.sampleSize);
    const excluded: number[] = [];
    target.forEach((id, row) => {
      if (id < 0 || id >= this.vocabSize)
        throw new ArgumentError(
          `UnigramSampler.getNegativeSample: target[${row}] is ${id}, expected a word id in [0, ${this.vocabSize})`,
        );
      excluded.length = 0;
      excluded.push(id);
      for (let k = 0; k < this.sampleSize; k++) {
        const drawn = this.#draw(excluded);
        out[row * this.sampleSize + k] = drawn;
        excluded.push(drawn);
      }
    });
    return { data: out, shape: [target.length, this.sampleSize] };
  }

  /** One id from the distribution renormalised without the excluded ids. */
  #draw(excluded: readonly number[]): number {
    // Rejecting an excluded id and drawing again is the same as drawing from the renormalised rest.
    for (let attempt = 0; attempt < MAX_REJECTIONS; attempt++) {
      const id = this.#search(this.#generator.uniform() * this.#cumulative[this.vocabSize - 1]);
      if (!excluded.includes(id)) return id;
    }
    const allowed = (id: number): boolean => this.probabilities[id] > 0 && !excluded.includes(id);
    let rest = 0;
    for (let id = 0; id < this.vocabSize; id++) if (allowed(id)) rest += this.probabilities[id];
    let left = this.#generator.uniform() * rest;
    let last = -1;
    for (let id = 0; id < this.vocabSize; id++) {
      if (!allowed(id)) continue;
      last = id;
      left -= this.probabilities[id];
      if (left < 0) return id;
    }
    // Only rounding can leave `left` at or above 0 after the last allowed id.
    return last;
  }

  /** The first id whose cumulative probability exceeds `x` (an id with probability 0 never is). */
  #search(x: number): number {
    let low = 0;
    let high = this.vocabSize - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#cumulative[middle] > x) high = middle;
      else low = middle + 1;
    }
    return this.probabilities[low] > 0 ? low : this.#lastDrawable;
  }
}
