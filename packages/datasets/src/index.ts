/**
 * @graphgrad/datasets: the book's data sets and text helpers. The spiral and the sequence
 * problems are generated in code, seedable; the Penn Treebank and the sequence files are read
 * from a folder (Node.js only: in a browser the loaders explain what to call on fetched text
 * instead, and no Node.js module enters the bundle). The chapter 2–4 helpers (`preprocess`,
 * `createCoMatrix`, `ppmi`, `mostSimilar`, `UnigramSampler`, …) work on plain typed arrays.
 * @module @graphgrad/datasets
 */
export { generateAddition, type GenerateOptions } from './addition-problems.ts';
export { analogy } from './analogy.ts';
export { createCoMatrix } from './co-matrix.ts';
export { createContextsTarget, type ContextsTarget } from './contexts-target.ts';
export { cosSimilarity } from './cos-similarity.ts';
export { DataFileError } from './data-file-error.ts';
export { generateDates } from './date-problems.ts';
export { mostSimilar } from './most-similar.ts';
export { convertOneHot } from './one-hot.ts';
export { ppmi } from './ppmi.ts';
export { preprocess, type Preprocessed } from './preprocess.ts';
export { loadPtb, ptbWords, type Ptb, type PtbOptions, type PtbSplit } from './ptb.ts';
export {
  loadSequence,
  parseSequence,
  type ParseSequenceOptions,
  type SequenceData,
  type SequenceName,
  type SequenceOptions,
  type SequenceSplit,
} from './sequence.ts';
export type { ShapedArray } from './shaped-array.ts';
export { loadSpiral, type Spiral, type SpiralOptions } from './spiral.ts';
export { UnigramSampler, type UnigramSamplerOptions } from './unigram-sampler.ts';
export { Vocabulary } from './vocabulary.ts';
export type { WordSimilarity } from './word-ranking.ts';
