/**
 * The book's sequence problems as tensors: `addition.txt` (chapter 7) or `date.txt` (chapter 8) read
 * with the book's split, or, where the file is missing, the same number of problems made by the
 * seeded generators in the file's format, so that an example runs with no file at all.
 */
import { resolve } from 'node:path';
import {
  DataFileError,
  generateAddition,
  generateDates,
  loadSequence,
  parseSequence,
  slice,
  tensor,
  type SequenceData,
  type SequenceName,
  type SequenceSplit,
  type Tensor,
} from 'graphgrad';

/** Lines in each of the book's files, and so in a generated stand-in. */
const ROWS = 50_000;

/**
 * The folder the examples look in when neither `--data` nor `GRAPHGRAD_SEQUENCE_DIR` /
 * `GRAPHGRAD_DATASETS` says otherwise: `shared/datasets/sequence` beside the repository, where
 * the repository's tests find the data sets too.
 */
function defaultDir(): string | undefined {
  const { GRAPHGRAD_SEQUENCE_DIR: dir, GRAPHGRAD_DATASETS: datasets } = process.env;
  if ((dir ?? '') !== '' || (datasets ?? '') !== '') return undefined; // loadSequence reads them itself
  return resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'sequence');
}

/** A sequence problem and where it came from (a line for the example's output). */
export interface LoadedProblem {
  readonly data: SequenceData;
  /** `addition.txt from <folder>`, or why generated problems stand in for the file. */
  readonly source: string;
}

/**
 * The book's problem `name` from `dir` (see `defaultDir`); when the file is missing, 50,000
 * problems from `generateAddition` / `generateDates` with `seed`, split the same way.
 */
export async function loadProblem(name: SequenceName, options: { dir?: string; seed: number }): Promise<LoadedProblem> {
  const dir = options.dir ?? defaultDir();
  try {
    return { data: await loadSequence(name, { dir }), source: `${name}.txt from ${dir ?? 'the data folder'}` };
  } catch (error) {
    if (!(error instanceof DataFileError)) throw error;
    const generator = name === 'addition' ? generateAddition : generateDates;
    return {
      data: parseSequence(generator(ROWS, { seed: options.seed })),
      source: `${name}.txt not found (${error.dir ?? 'no data folder given'}): ${ROWS.toLocaleString('en')} problems from ${generator.name} (seed ${options.seed}) instead`,
    };
  }
}

/** A split's questions `x` `[N, Tq]` and answers `t` `[N, Ta]` as int32 tensors, the first `rows` of them. */
export interface SplitTensors {
  readonly x: Tensor;
  readonly t: Tensor;
}

/**
 * The first `rows` rows of a split as tensors, the questions read backwards when `reverse` (the
 * book's `x[:, ::-1]`: the first digits of question and answer then sit close together).
 */
export function splitTensors(split: SequenceSplit, options: { reverse: boolean; rows?: number }): SplitTensors {
  const rows = Math.min(options.rows ?? split.x.shape[0], split.x.shape[0]);
  const [qLen, aLen] = [split.x.shape[1], split.t.shape[1]];
  const x = tensor(split.x.data.subarray(0, rows * qLen), { shape: [rows, qLen] });
  const t = tensor(split.t.data.subarray(0, rows * aLen), { shape: [rows, aLen] });
  return { x: options.reverse ? slice(x, [null, [null, null, -1]]) : x, t };
}
