/**
 * What the book's scripts share on the command line: the Penn Treebank's folder when none is named
 * (chapters 4–6), and numeric options read from `parseArgs`' strings with an error that names the
 * option (every chapter).
 */
import { resolve } from 'node:path';
import { ArgumentError } from 'graphgrad';

/**
 * The folder of the PTB files when `--data` names none: undefined when `GRAPHGRAD_PTB_DIR` or
 * `GRAPHGRAD_DATASETS` is set (`loadPtb` reads them itself), else `shared/datasets/ptb` beside the
 * repository.
 *
 * @example
 * await loadPtb('valid', { dir: values.data ?? defaultPtbDir() });
 */
export function defaultPtbDir(): string | undefined {
  const set = (name: string) => (process.env[name] ?? '') !== '';
  if (set('GRAPHGRAD_PTB_DIR') || set('GRAPHGRAD_DATASETS')) return undefined;
  return resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'ptb');
}

/**
 * `--<name>`'s value as an integer ≥ `min`.
 *
 * @example
 * const maxEpoch = integerOption('epochs', values.epochs, 1);
 */
export function integerOption(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min)
    throw new ArgumentError(`--${name}: expected an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return value;
}
