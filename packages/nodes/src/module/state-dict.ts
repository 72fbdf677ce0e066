import { formatShape, GraphgradError, isTensor, type Tensor } from '@graphgrad/core';

/**
 * A model's tensors by dotted path (`encoder.lstm.cells.0.Wx`), PyTorch's `state_dict`.
 *
 * @example
 * const dict: StateDict = model.stateDict();
 */
export type StateDict = Record<string, Tensor>;

/** Options of `loadStateDict`. */
export interface LoadStateDictOptions {
  /**
   * Require the names to match exactly (default true). When false, a name missing from the dict
   * leaves that tensor as it is and an unexpected name is ignored; both are reported.
   */
  readonly strict?: boolean;
}

/** What `loadStateDict` did not match (always empty after a strict load). */
export interface LoadStateDictResult {
  /** The module's names that the dict lacks. */
  readonly missingKeys: readonly string[];
  /** The dict's names that the module lacks. */
  readonly unexpectedKeys: readonly string[];
}

/** One name whose tensor does not fit: its shape or dtype differs, or a tensor is not usable. */
export interface StateDictMismatch {
  /** The dotted name. */
  readonly key: string;
  /** What is wrong, for the message: `'is [3,10] in the dict, [10,3] in the module'`. */
  readonly problem: string;
}

/**
 * A state dict that does not fit its target: every missing name, unexpected name and mismatched
 * shape or dtype, listed together (and as fields, for code that inspects them).
 *
 * @example
 * try { await model.loadStateDict(dict); } catch (e) { if (e instanceof StateDictError) console.log(e.missingKeys); }
 */
export class StateDictError extends GraphgradError {
  /** Always `'StateDictError'`, so logs and messages name the kind of error. */
  override name = 'StateDictError';

  constructor(
    op: string,
    /** The target's names that the dict lacks (a strict load only). */
    readonly missingKeys: readonly string[],
    /** The dict's names that the target lacks (a strict load only). */
    readonly unexpectedKeys: readonly string[],
    /** The names whose tensors do not fit. */
    readonly mismatches: readonly StateDictMismatch[],
  ) {
    const parts = [
      ...(missingKeys.length > 0 ? [`missing keys: ${missingKeys.join(', ')}`] : []),
      ...(unexpectedKeys.length > 0 ? [`unexpected keys: ${unexpectedKeys.join(', ')}`] : []),
      ...mismatches.map(({ key, problem }) => `'${key}' ${problem}`),
    ];
    super(`${op}: the state dict does not fit, nothing was loaded; ${parts.join('; ')}`);
  }
}

/**
 * Loads the tensors of `dict` into the tensors of `target` by name, in place (with `assign`),
 * atomically: every name, shape, dtype and tensor is checked first and every problem reported in
 * one `StateDictError` (named after `options.caller`); tensors on another backend are copied over;
 * only then is each target assigned. What `Module.loadStateDict` and `loadInto` do.
 *
 * @example
 * await loadTensors({ W, b }, { W: savedW, b: savedB });
 */
export async function loadTensors(
  target: Readonly<Record<string, Tensor>>,
  dict: Readonly<Record<string, Tensor | number>>,
  options: LoadStateDictOptions & { readonly caller?: string } = {},
): Promise<LoadStateDictResult> {
  const strict = options.strict ?? true;
  const op = options.caller ?? 'loadTensors';
  if (dict === null || typeof dict !== 'object')
    throw new StateDictError(
      op,
      [],
      [],
      [{ key: '(dict)', problem: `must be an object of tensors, got ${String(dict)}` }],
    );
  const has = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);
  const missingKeys = Object.keys(target).filter((k) => !has(dict, k));
  const unexpectedKeys = Object.keys(dict).filter((k) => !has(target, k));
  const mismatches: StateDictMismatch[] = [];
  const pairs: [Tensor, Tensor][] = [];
  for (const [key, into] of Object.entries(target)) {
    if (!has(dict, key)) continue;
    const from: unknown = dict[key];
    if (!isTensor(from)) mismatches.push({ key, problem: `is not a Tensor in the dict (got ${typeof from})` });
    else if (from.isDisposed) mismatches.push({ key, problem: 'was disposed in the dict' });
    else if (into.isDisposed) mismatches.push({ key, problem: 'was disposed in the target' });
    else if (from.shape.length !== into.shape.length || from.shape.some((n, i) => n !== into.shape[i]))
      mismatches.push({
        key,
        problem: `is ${formatShape(from.shape)} in the dict, ${formatShape(into.shape)} in the target`,
      });
    else if (from.dtype !== into.dtype)
      mismatches.push({ key, problem: `is ${from.dtype} in the dict, ${into.dtype} in the target` });
    else pairs.push([into, from]);
  }
  if (mismatches.length > 0 || (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)))
    throw new StateDictError(op, strict ? missingKeys : [], strict ? unexpectedKeys : [], mismatches);

  // Copies to the targets' backends come before any write, so a failed copy writes nothing.
  const copies: Tensor[] = [];
  let sources: Tensor[];
  try {
    sources = await Promise.all(
      pairs.map(async ([into, from]) => {
        if (from.backend === into.backend) return from;
        const copy = await from.to(into.backend);
        copies.push(copy);
        return copy;
      }),
    );
  } catch (error) {
    for (const c of copies) c.dispose();
    throw error;
  }
  pairs.forEach(([into], i) => into.assign(sources[i]));
  for (const c of copies) c.dispose();
  return { missingKeys, unexpectedKeys };
}
