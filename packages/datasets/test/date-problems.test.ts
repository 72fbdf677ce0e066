import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError } from '@graphgrad/core';
import { describe, expect, it } from 'vitest';
import { generateDates, parseSequence } from '../src/index.ts';
import { datasetFolder } from './datasets-folder.ts';

const fileLines = readFileSync(join(datasetFolder('sequence', ['date.txt']), 'date.txt'), 'utf8')
  .split('\n')
  .slice(0, -1);
const generatedLines = generateDates(50_000, { seed: 1984 }).split('\n').slice(0, -1);

const MONTHS = 'january february march april may june july august september october november december'.split(' ');
const WEEKDAYS = 'sunday monday tuesday wednesday thursday friday saturday'.split(' ');

function letterCase(text: string): string {
  if (text === text.toUpperCase()) return 'upper';
  if (text === text.toLowerCase()) return 'lower';
  return /^([A-Z][a-z]*)(\W+[A-Z][a-z]*)*\W*$/.test(text.replace(/\d/g, '')) ? 'title' : 'mixed';
}

/**
 * The format of a line (`short`, `medium-title`, …) after checking it: padded to 29 + 11, the
 * question names the answer's date (and its weekday, when it names one), or a reason it does not.
 */
function classify(line: string): { format: string; iso: string } | string {
  if (line.length !== 40 || line[29] !== '_') return `not padded to 29 + 11: ${JSON.stringify(line)}`;
  const question = line.slice(0, 29).trimEnd();
  const iso = line.slice(30);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return `answer not yyyy-mm-dd: ${JSON.stringify(line)}`;
  const date = new Date(`${iso}T00:00:00Z`);
  const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
  const short = /^(\d{1,2})\/(\d{1,2})\/(\d{2})$/.exec(question);
  if (short !== null) {
    const yy = Number(short[3]);
    const ok =
      !short[1].startsWith('0') &&
      !short[2].startsWith('0') &&
      Number(short[1]) === month + 1 &&
      Number(short[2]) === day &&
      (yy >= 70 ? 1900 : 2000) + yy === year;
    return ok ? { format: 'short', iso } : `short date is not the answer: ${JSON.stringify(line)}`;
  }
  const named = /^(?:([A-Za-z]+), )?([A-Za-z]+) ([1-9]\d?), (\d{4})$/.exec(question);
  if (named === null) return `unknown format: ${JSON.stringify(line)}`;
  const [, weekday, monthName, dayText, yearText] = named;
  const monthWord = monthName.toLowerCase();
  const format =
    weekday !== undefined ? 'full' : monthWord.length === 3 && MONTHS[month] !== monthWord ? 'medium' : 'long';
  const ok =
    (MONTHS[month] === monthWord || (format === 'medium' && MONTHS[month].slice(0, 3) === monthWord)) &&
    Number(dayText) === day &&
    Number(yearText) === year &&
    (weekday === undefined || WEEKDAYS[date.getUTCDay()] === weekday.toLowerCase());
  return ok
    ? { format: `${format}-${letterCase(question)}`, iso }
    : `named date is not the answer: ${JSON.stringify(line)}`;
}

function formatFractions(lines: readonly string[]): Map<string, number> {
  const fractions = new Map<string, number>();
  for (const line of lines) {
    const checked = classify(line);
    const key = typeof checked === 'string' ? 'invalid' : checked.format;
    fractions.set(key, (fractions.get(key) ?? 0) + 1 / lines.length);
  }
  return fractions;
}

describe('generateDates', () => {
  it('writes every line exactly in the file format: a date padded to 29, _ and the ISO date', () => {
    // The checker is the file's own format: every line of date.txt passes it.
    expect(fileLines.map(classify).filter((c) => typeof c === 'string')).toEqual([]);
    expect(generatedLines).toHaveLength(50_000);
    expect(generatedLines.map(classify).filter((c) => typeof c === 'string')).toEqual([]);
  });

  it('writes the four formats in the three letter cases as often as the file does', () => {
    const file = formatFractions(fileLines);
    const generated = formatFractions(generatedLines);
    expect([...generated.keys()].sort()).toEqual([...file.keys()].sort());
    expect(file.size).toBe(10); // short, and medium, long and full each in title, upper and lower case
    for (const [key, fraction] of file) expect(Math.abs(generated.get(key)! - fraction), key).toBeLessThan(0.015);
  });

  it('draws dates uniformly from 1970-01-01 to 2017-07-24, as the file does', () => {
    const isoDates = (lines: readonly string[]) => lines.map((line) => line.slice(30));
    const generated = isoDates(generatedLines).sort();
    expect(generated[0] >= '1970-01-01' && generated.at(-1)! <= '2017-07-24').toBe(true);
    const before1994 = (dates: string[]) => dates.filter((d) => d < '1994-01-01').length / dates.length;
    expect(Math.abs(before1994(generated) - before1994(isoDates(fileLines)))).toBeLessThan(0.015);
  });

  it('parses like the file: the same character set, 29 by 11', () => {
    const generated = parseSequence(generatedLines.join('\n'));
    const file = parseSequence(fileLines.join('\n'));
    expect([...generated.idToChar].sort()).toEqual([...file.idToChar].sort());
    expect(generated.train.x.shape).toEqual([45_000, 29]);
    expect(generated.test.t.shape).toEqual([5_000, 11]);
  });

  it('gives the same lines for the same seed and others for another', () => {
    expect(generateDates(100, { seed: 2 })).toBe(generateDates(100, { seed: 2 }));
    expect(generateDates(100, { seed: 3 })).not.toBe(generateDates(100, { seed: 2 }));
    expect(generatedLines.slice(0, 100).join('\n') + '\n').toBe(generateDates(100));
  });

  it('rejects a count that is not a whole number', () => {
    expect(generateDates(0)).toBe('');
    expect(() => generateDates(-1)).toThrow(ArgumentError);
  });
});
