import { ArgumentError, describeValue, Generator } from '@graphgrad/core';
import type { GenerateOptions } from './addition-problems.ts';
import { requireOptions } from './arguments.ts';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
// The file's dates run from 1970-01-01 to 2017-07-24, uniformly.
const FIRST_DAY = Date.UTC(1970, 0, 1);
const DAYS = (Date.UTC(2017, 6, 24) - FIRST_DAY) / 86_400_000 + 1;
const MILLISECONDS_A_DAY = 86_400_000;
// 29 = 'Wednesday, September 27, 1995'.length; 11 = '_1994-09-27'.length.
const QUESTION_WIDTH = 29;
const ANSWER_WIDTH = 11;
/** The most dates one call writes: their lines (41 characters each) must fit in one JavaScript string. */
const MAX_DATES = 10_000_000;

/** The four en-US date formats the file uses: short (M/d/yy), medium, long and full. */
const FORMATS: readonly ((date: Date) => string)[] = [
  (d) => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${String(d.getUTCFullYear() % 100).padStart(2, '0')}`,
  (d) => `${MONTHS[d.getUTCMonth()].slice(0, 3)} ${d.getUTCDate()}, ${d.getUTCFullYear()}`,
  (d) => `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`,
  (d) => `${WEEKDAYS[d.getUTCDay()]}, ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`,
];

/**
 * `count` date-format problems in the format of the book's `date.txt`, one a line: a date written
 * one of four ways (`9/27/94`, `Sep 27, 1994`, `September 27, 1994`, `Tuesday, September 27,
 * 1994`; the last three as written, in upper case or in lower case, with chances 2:1:1) padded to
 * 29 characters, then `_` and the ISO date (`_1994-09-27`). As in the file, the dates are uniform
 * from 1970-01-01 to 2017-07-24 and may repeat. Give the text to `parseSequence`.
 *
 * @example
 * const { train, idToChar } = parseSequence(generateDates(50000, { seed: 1984 }));
 * train.x.shape; // [45000, 29]
 */
export function generateDates(count: number, options: GenerateOptions = {}): string {
  requireOptions('generateDates', options);
  const { seed = 1984 } = options;
  if (!Number.isSafeInteger(seed))
    throw new ArgumentError(`generateDates: seed must be an integer, got ${describeValue(seed)}`);
  if (!Number.isInteger(count) || count < 0 || count > MAX_DATES)
    throw new ArgumentError(
      `generateDates: count must be an integer in [0, ${MAX_DATES}], got ${describeValue(count)}`,
    );
  const generator = new Generator(seed);
  const lines: string[] = [];
  for (let n = 0; n < count; n++) {
    const date = new Date(FIRST_DAY + generator.int(DAYS) * MILLISECONDS_A_DAY);
    const written = FORMATS[generator.int(FORMATS.length)](date);
    const letterCase = generator.int(4);
    const question = letterCase === 0 ? written.toUpperCase() : letterCase === 1 ? written.toLowerCase() : written;
    const answer = `_${date.toISOString().slice(0, 10)}`;
    lines.push(`${question.padEnd(QUESTION_WIDTH)}${answer.padEnd(ANSWER_WIDTH)}\n`);
  }
  return lines.join('');
}
