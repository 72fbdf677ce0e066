// Every gradient case, one file per family of nodes: a new family adds its file here.
import { CHAPTER_ONE_CASES, CHAPTER_ONE_NON_DIFFERENTIABLE } from './chapter-one.ts';
import type { GradientCase } from './support.ts';

/** The gradient cases of every differentiable node. */
export const CASES: readonly GradientCase[] = [...CHAPTER_ONE_CASES];

/** `XxxNode` exports that carry no gradient by design (their rules return null). */
export const NON_DIFFERENTIABLE: readonly string[] = [...CHAPTER_ONE_NON_DIFFERENTIABLE];
