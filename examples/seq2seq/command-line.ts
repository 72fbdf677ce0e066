/**
 * The numeric options of the chapter-7 and chapter-8 scripts, read from `parseArgs`' strings with
 * an error that names the option.
 */
import { ArgumentError } from 'graphgrad';

/** `--<name>`'s value as an integer ≥ `min`. */
export function integerOption(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min)
    throw new ArgumentError(`--${name}: expected an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return value;
}
