import { describeValue } from './describe-value.ts';
import { ArgumentError } from './errors.ts';
import type { GraphNode, NodeSpec } from './node.ts';
import type { Tensor } from './tensor.ts';

/**
 * What a tool watching the tape may see: where nodes are created, what each forward produced, each
 * backward pass, and each gradient a rule returned. Anomaly mode (`detectAnomaly`) is one. Every
 * member is optional; the tape calls only those present, and nothing at all while no observer is
 * installed.
 */
export interface TapeObserver {
  /** A description of where user code is creating a node, kept on the node (`GraphNode.callSite`). */
  callSite?(): string | undefined;
  /**
   * Sees the outputs of a node's forward; `node` is null when it was not recorded. Throwing refuses
   * the operation: the outputs are then disposed by the caller of the observer.
   */
  forward?(
    spec: NodeSpec<unknown>,
    inputs: readonly Tensor[],
    outputs: readonly Tensor[],
    node: GraphNode | null,
  ): void;
  /** Wraps a whole backward pass: must call `run` once and return what it returns. */
  backward?<T>(root: Tensor, seed: Tensor | null, run: () => T): T;
  /** Sees the gradient that `node`'s rule gave input `inputIndex`, already shaped like the input. */
  gradient?(node: GraphNode, inputIndex: number, grad: Tensor): void;
}

let installed: TapeObserver | null = null;

/** The observer the tape reports to, or null (the usual case: the tape then does no extra work). */
export function tapeObserver(): TapeObserver | null {
  return installed;
}

/**
 * Installs `observer` (or none, with null) and returns the one it replaces, so that a caller can
 * put it back. One observer at a time: a tool that combines several composes them itself.
 *
 * @example
 * const previous = observeTape({ gradient: (node, i, g) => console.log(node.kind, i, g.shape) });
 * loss.backward();
 * observeTape(previous);
 */
export function observeTape(observer: TapeObserver | null): TapeObserver | null {
  const given: unknown = observer;
  if (given !== null && (typeof given !== 'object' || Array.isArray(given)))
    throw new ArgumentError(`observeTape: observer must be an object or null, got ${describeValue(given)}`);
  if (given !== null) {
    for (const hook of ['callSite', 'forward', 'backward', 'gradient'] as const) {
      const f: unknown = (given as Record<string, unknown>)[hook];
      if (f !== undefined && typeof f !== 'function')
        throw new ArgumentError(`observeTape: observer.${hook} must be a function, got ${describeValue(f)}`);
    }
  }
  const previous = installed;
  installed = observer;
  return previous;
}
