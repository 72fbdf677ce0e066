import { ArgumentError, describeValue, Generator } from '@graphgrad/core';
import { requireOptions } from './arguments.ts';

/** Options of `generateAddition` and `generateDates`. */
export interface GenerateOptions {
  /** Seed of the generator that draws the problems (default 1984). */
  seed?: number;
}

const MAX_DIGITS = 3;
// 7 = '999+999'.length; 5 = '_1998'.length.
const QUESTION_WIDTH = 2 * MAX_DIGITS + 1;
const ANSWER_WIDTH = MAX_DIGITS + 2;
const LIMIT = 10 ** MAX_DIGITS;
/** Unordered pairs {a, b} of numbers below 1000: how many distinct problems there are. */
const DISTINCT_PROBLEMS = (LIMIT * (LIMIT + 1)) / 2;

/**
 * `count` addition problems in the format of the book's `addition.txt`, one a line: `a+b` padded
 * with spaces to 7 characters, then `_` and the sum padded to 5 (`16+75  _91  `). As in the file,
 * each number has 1, 2 or 3 digits with equal chance (its digits uniform, leading zeros dropped)
 * and no pair of numbers appears twice, in either order. Give the text to `parseSequence`.
 *
 * @example
 * const { train, test } = parseSequence(generateAddition(50000, { seed: 1984 }));
 * train.x.shape; // [45000, 7]
 */
export function generateAddition(count: number, options: GenerateOptions = {}): string {
  requireOptions('generateAddition', options);
  const { seed = 1984 } = options;
  if (!Number.isSafeInteger(seed))
    throw new ArgumentError(`generateAddition: seed must be an integer, got ${describeValue(seed)}`);
  if (!Number.isInteger(count) || count < 0 || count > DISTINCT_PROBLEMS)
    throw new ArgumentError(
      `generateAddition: count must be an integer in [0, ${DISTINCT_PROBLEMS}], got ${describeValue(count)}`,
    );
  const generator = new Generator(seed);
  const number = (): number => generator.int(10 ** (1 + generator.int(MAX_DIGITS)));
  const seen = new Set<number>();
  const lines: string[] = [];
  while (lines.length < count) {
    const a = number();
    const b = number();
    const key = Math.min(a, b) * LIMIT + Math.max(a, b);
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(`${a}+${b}`.padEnd(QUESTION_WIDTH) + `_${a + b}`.padEnd(ANSWER_WIDTH));
  }
  return lines.map((line) => `${line}\n`).join('');
}
