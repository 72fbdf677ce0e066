// Every gradient case, one file per family of nodes: a new family adds its file here.
import { ACTIVATION_CASES, COMPARISON_NODES } from './activations.ts';
import { CHAPTER_ONE_CASES, CHAPTER_ONE_NON_DIFFERENTIABLE } from './chapter-one.ts';
import { INDEXING_CASES } from './indexing.ts';
import { LOSS_CASES } from './losses.ts';
import { MATMUL_GATHER_CASES } from './matmul-gather.ts';
import { RANDOM_CASES } from './random.ts';
import { RECURRENT_CASES } from './recurrent.ts';
import { REDUCTION_CASES } from './reductions.ts';
import type { GradientCase } from './support.ts';

/** The gradient cases of every differentiable node. */
export const CASES: readonly GradientCase[] = [
  ...CHAPTER_ONE_CASES,
  ...RANDOM_CASES,
  ...INDEXING_CASES,
  ...MATMUL_GATHER_CASES,
  ...ACTIVATION_CASES,
  ...REDUCTION_CASES,
  ...LOSS_CASES,
  ...RECURRENT_CASES,
];

/** `XxxNode` exports that carry no gradient by design (their rules return null). */
export const NON_DIFFERENTIABLE: readonly string[] = [...CHAPTER_ONE_NON_DIFFERENTIABLE, ...COMPARISON_NODES];
