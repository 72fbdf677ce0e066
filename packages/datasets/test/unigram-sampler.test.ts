import { ArgumentError, Generator } from '@graphgrad/core';
import { describe, expect, it } from 'vitest';
import { UnigramSampler } from '../src/index.ts';

/** A corpus in which word i occurs counts[i] times, in a scrambled order. */
function corpusOf(counts: readonly number[]): Int32Array {
  const ids = counts.flatMap((count, id) => new Array<number>(count).fill(id));
  const order = new Generator(0).permutation(ids.length);
  return Int32Array.from(order, (i) => ids[i]);
}

/** The fraction of draws of each word in the given column of the samples. */
function columnFrequencies(samples: Int32Array, width: number, column: number, vocabSize: number): number[] {
  const counts = new Array<number>(vocabSize).fill(0);
  for (let i = column; i < samples.length; i += width) counts[samples[i]]++;
  const rows = samples.length / width;
  return counts.map((count) => count / rows);
}

const COUNTS = [1, 5, 20, 50, 100, 0, 24];

describe('UnigramSampler', () => {
  it('weights each word by its count to the power 0.75, normalised; absent words by 0', () => {
    const sampler = new UnigramSampler(corpusOf(COUNTS), 0.75, 2);
    const weights = COUNTS.map((c) => c ** 0.75);
    const total = weights.reduce((a, b) => a + b, 0);
    expect(sampler.vocabSize).toBe(7);
    Array.from(sampler.probabilities).forEach((p, i) => expect(p).toBeCloseTo(weights[i] / total, 12));
    expect(sampler.probabilities[5]).toBe(0);
  });

  it('draws with the 0.75 power, renormalised without the target (20,000 rows, within 4 standard errors)', () => {
    const sampler = new UnigramSampler(corpusOf(COUNTS), 0.75, 1, { seed: 11 });
    const rows = 20_000;
    const targets = new Int32Array(rows).fill(4); // the commonest word, a third of the mass
    const { data, shape } = sampler.getNegativeSample(targets);
    expect(shape).toEqual([rows, 1]);
    const seen = columnFrequencies(data, 1, 0, 7);
    const p = Array.from(sampler.probabilities);
    const rest = 1 - p[4];
    seen.forEach((fraction, id) => {
      const expected = id === 4 ? 0 : p[id] / rest;
      const error = Math.sqrt((expected * (1 - expected)) / rows);
      expect(Math.abs(fraction - expected), `word ${id}`).toBeLessThanOrEqual(4 * error);
    });
    // Counts themselves (power 1) would give word 3 half the rest (50 of the other 100), 0.433 with the 0.75 power.
    expect(p[3] / rest).toBeCloseTo(0.4328, 4);
    expect(Math.abs(seen[3] - 0.5)).toBeGreaterThan(10 * Math.sqrt(0.25 / rows));
  });

  it('never draws the target and never draws a word twice in a row, for every target', () => {
    const sampler = new UnigramSampler(corpusOf(COUNTS), 0.75, 4, { seed: 3 });
    const targets = Int32Array.from({ length: 7_000 }, (_, i) => i % 7);
    const { data, shape } = sampler.getNegativeSample(targets);
    expect(shape).toEqual([7_000, 4]);
    let bad = 0;
    targets.forEach((target, row) => {
      const drawn = Array.from(data.subarray(row * 4, row * 4 + 4));
      if (drawn.includes(target) || drawn.includes(5) || new Set(drawn).size !== 4) bad++;
    });
    expect(bad).toBe(0);
    // The first draw of each row follows the renormalised distribution whatever the later draws do.
    const first = columnFrequencies(
      data.filter((_, i) => targets[Math.floor(i / 4)] === 0),
      4,
      0,
      7,
    );
    const rest = 1 - sampler.probabilities[0];
    expect(Math.abs(first[4] - sampler.probabilities[4] / rest)).toBeLessThan(0.05);
  });

  it('stays exact when the target holds nearly all the probability', () => {
    const sampler = new UnigramSampler(corpusOf([100_000, 1, 1, 1]), 1, 1, { seed: 5 });
    const { data } = sampler.getNegativeSample(new Int32Array(3_000));
    const seen = columnFrequencies(data, 1, 0, 4);
    expect(seen[0]).toBe(0);
    for (const id of [1, 2, 3]) expect(Math.abs(seen[id] - 1 / 3)).toBeLessThan(4 * Math.sqrt(2 / 9 / 3_000));
  });

  it('is reproducible: the same seed gives the same samples; a given generator is advanced', () => {
    const corpus = corpusOf(COUNTS);
    const targets = Int32Array.from([0, 1, 2, 3, 4, 6]);
    const a = new UnigramSampler(corpus, 0.75, 3, { seed: 9 }).getNegativeSample(targets);
    const b = new UnigramSampler(corpus, 0.75, 3, { seed: 9 }).getNegativeSample(targets);
    expect(a.data).toEqual(b.data);
    const generator = new Generator(9);
    const shared = new UnigramSampler(corpus, 0.75, 3, { generator });
    expect(shared.getNegativeSample(targets).data).toEqual(a.data);
    expect(shared.getNegativeSample(targets).data).not.toEqual(a.data);
    const example = new UnigramSampler(Int32Array.from([0, 1, 2, 3, 4, 1, 2, 3]), 0.75, 2, { seed: 1 });
    expect(example.getNegativeSample(Int32Array.from([1, 3, 0])).shape).toEqual([3, 2]);
  });

  it('names a sample size the corpus cannot give, a negative id and a target outside the vocabulary', () => {
    expect(() => new UnigramSampler(Int32Array.from([0, 1, 2]), 0.75, 3)).toThrow(
      'UnigramSampler: sampleSize 3 is more than the 2 distinct words left once a target is excluded (the corpus has 3)',
    );
    expect(() => new UnigramSampler(Int32Array.from([0, -1, 2]), 0.75, 1)).toThrow(ArgumentError);
    expect(() => new UnigramSampler(new Int32Array(0))).toThrow(ArgumentError);
    const sampler = new UnigramSampler(Int32Array.from([0, 1, 2]), 0.75, 1);
    expect(() => sampler.getNegativeSample(Int32Array.from([0, 3]))).toThrow(
      'UnigramSampler.getNegativeSample: target[1] is 3, expected a word id in [0, 3)',
    );
  });
});
