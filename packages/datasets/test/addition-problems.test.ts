import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError } from '@graphgrad/core';
import { describe, expect, it } from 'vitest';
import { generateAddition, parseSequence } from '../src/index.ts';
import { datasetFolder } from './datasets-folder.ts';

const fileLines = readFileSync(join(datasetFolder('sequence', ['addition.txt']), 'addition.txt'), 'utf8')
  .split('\n')
  .slice(0, -1);
const generatedLines = generateAddition(50_000, { seed: 1984 }).split('\n').slice(0, -1);

/** The numbers of a line of the book's format, or a reason it is not one. */
function check(line: string): { a: number; b: number } | string {
  const match = /^(0|[1-9]\d{0,2})\+(0|[1-9]\d{0,2}) *(_(?:0|[1-9]\d{0,3}) *)$/.exec(line);
  if (match === null) return `not a+b _sum: ${JSON.stringify(line)}`;
  if (line.indexOf('_') !== 7 || match[3].length !== 5) return `not padded to 7 + 5: ${JSON.stringify(line)}`;
  const [a, b] = [Number(match[1]), Number(match[2])];
  if (Number(match[3].slice(1)) !== a + b) return `wrong sum: ${JSON.stringify(line)}`;
  return { a, b };
}

/** How often each pair of digit counts (1 to 3 each) occurs, as fractions. */
function digitCounts(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const checked = check(line);
    if (typeof checked === 'string') continue;
    const key = `${String(checked.a).length}${String(checked.b).length}`;
    counts.set(key, (counts.get(key) ?? 0) + 1 / lines.length);
  }
  return counts;
}

describe('generateAddition', () => {
  it('writes every line exactly in the file format: a+b padded to 7, _ and the sum padded to 5', () => {
    // The checker is the file's own format: every line of addition.txt passes it.
    expect(fileLines.map(check).filter((c) => typeof c === 'string')).toEqual([]);
    expect(generatedLines).toHaveLength(50_000);
    expect(generatedLines.map(check).filter((c) => typeof c === 'string')).toEqual([]);
    expect(generateAddition(2, { seed: 5 })).toMatch(/^[^\n]{12}\n[^\n]{12}\n$/);
  });

  it('never repeats a pair of numbers, in either order, as the file does not', () => {
    const keys = new Set(
      generatedLines.map((line) => {
        const { a, b } = check(line) as { a: number; b: number };
        return `${Math.min(a, b)}+${Math.max(a, b)}`;
      }),
    );
    expect(keys.size).toBe(50_000);
  });

  it('draws numbers of 1, 2 and 3 digits as the file does', () => {
    const file = digitCounts(fileLines);
    const generated = digitCounts(generatedLines);
    expect([...generated.keys()].sort()).toEqual([...file.keys()].sort());
    for (const [key, fraction] of file) expect(Math.abs(generated.get(key)! - fraction), key).toBeLessThan(0.01);
  });

  it('parses like the file: the same character set, 7 by 5', () => {
    const generated = parseSequence(generatedLines.join('\n'));
    const file = parseSequence(fileLines.join('\n'));
    expect([...generated.idToChar].sort()).toEqual([...file.idToChar].sort());
    expect(generated.train.x.shape).toEqual([45_000, 7]);
    expect(generated.test.t.shape).toEqual([5_000, 5]);
  });

  it('gives the same lines for the same seed and others for another', () => {
    expect(generateAddition(100, { seed: 2 })).toBe(generateAddition(100, { seed: 2 }));
    expect(generateAddition(100, { seed: 3 })).not.toBe(generateAddition(100, { seed: 2 }));
    expect(generatedLines.slice(0, 100).join('\n') + '\n').toBe(generateAddition(100));
  });

  it('rejects a count that is not a whole number of problems there are', () => {
    expect(generateAddition(0)).toBe('');
    expect(() => generateAddition(1.5)).toThrow(ArgumentError);
    expect(() => generateAddition(500_501)).toThrow(
      'generateAddition: count must be an integer in [0, 500500], got 500501',
    );
  });
});
