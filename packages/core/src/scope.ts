import { requireFunction } from './arguments.ts';
import { describeValue } from './describe-value.ts';
import { ArgumentError } from './errors.ts';

/**
 * The tensors created while one `tidy` scope was innermost. A tensor records its scope on itself
 * (a private field of `Scoped`), so tracking is a push and untracking a field write: no Set or
 * WeakMap per tensor, which cost as much as a small node. Entries whose tensor no longer names this scope
 * (kept, disposed, moved) are skipped when the scope ends.
 */
class Scope {
  readonly tensors: Scoped[] = [];
  /** Entries still owned by this scope, to compact `tensors` when most of it is stale. */
  live = 0;
}

// Set by the static block of `Scoped`, the only code that can reach its private field (declared
// before the class: the block runs as the class is defined).
let scopeOf: (t: Scoped) => Scope | null;
let setScope: (t: Scoped, scope: Scope | null) => void;

/**
 * What a `tidy` scope can own: the base class of `Tensor`. It registers itself with the innermost
 * scope when constructed and keeps that scope in a private field, so tracking is a push and
 * untracking a field write.
 */
export abstract class Scoped {
  #scope: Scope | null = null;

  constructor() {
    track(this);
  }

  /** Releases the resource; a scope calls it when it ends. Must be idempotent. */
  abstract dispose(): void;

  static {
    scopeOf = (t) => t.#scope;
    setScope = (t, scope) => {
      t.#scope = scope;
    };
  }
}

const stack: Scope[] = [];
let innermost: Scope | null = null;
const COMPACT_AT = 1024;

/** Registers a new tensor with the innermost scope, if any. */
function track(t: Scoped): void {
  const scope = innermost;
  if (scope === null) return;
  // A long scope whose tensors are mostly disposed by hand would otherwise grow without bound.
  if (scope.tensors.length >= COMPACT_AT && scope.live * 2 < scope.tensors.length) compact(scope);
  scope.tensors.push(t);
  scope.live++;
  setScope(t, scope);
}

function compact(scope: Scope): void {
  const kept = scope.tensors.filter((t) => scopeOf(t) === scope);
  scope.tensors.length = 0;
  scope.tensors.push(...kept);
  scope.live = kept.length;
}

/** @internal True when the innermost `tidy` scope would dispose `t` (it was created there and not kept). */
export function ownedByInnermostScope(t: Scoped): boolean {
  return innermost !== null && scopeOf(t) === innermost;
}

/** Takes `t` out of the scope that would dispose it, so it lives until disposed by hand. */
export function untrack(t: Scoped): void {
  const scope = scopeOf(t);
  if (scope === null) return;
  scope.live--;
  setScope(t, null);
}

/**
 * Keeps `t` alive past the end of the enclosing `tidy` scope(s); dispose it yourself when done.
 *
 * @example
 * const kept = tidy(() => keep(mul(x, 2)));
 */
export function keep<T extends Scoped>(t: T): T {
  if (!(t instanceof Scoped))
    throw new ArgumentError(`keep: t must be a Tensor (or another Scoped), got ${describeValue(t)}`);
  untrack(t);
  return t;
}

/** Moves the tensors of `value` (a tensor, or arrays and plain objects of them) that `scope` owns to `parent`. */
function adoptSurvivors(value: unknown, scope: Scope, parent: Scope | null): void {
  if (value instanceof Scoped) {
    if (scopeOf(value) !== scope) return;
    scope.live--;
    if (parent === null) setScope(value, null);
    else {
      parent.tensors.push(value);
      parent.live++;
      setScope(value, parent);
    }
  } else if (Array.isArray(value)) for (const v of value) adoptSurvivors(v, scope, parent);
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) adoptSurvivors(v, scope, parent);
  }
}

/** Disposes every tensor `scope` still owns. */
function disposeAll(scope: Scope): void {
  for (const t of scope.tensors) {
    if (scopeOf(t) === scope) t.dispose();
  }
  scope.tensors.length = 0;
  scope.live = 0;
}

/**
 * Runs `fn` and then disposes every tensor created inside it, except those it returns (a tensor, or
 * arrays and plain objects of tensors) and those passed to `keep`. Returned tensors move to the
 * enclosing scope. `fn` must be synchronous. The graph behind a returned tensor goes with the
 * intermediates, so call `backward()` inside the scope.
 *
 * @example
 * const loss = tidy(() => {
 *   const l = softmaxWithLoss(model.forward(x), t);
 *   l.backward(); // the parameters' gradients outlive the scope
 *   return l;
 * }); // intermediates are freed
 */
export function tidy<T>(fn: () => T): T {
  requireFunction('tidy', fn);
  const scope = new Scope();
  stack.push(scope);
  innermost = scope;
  let result: T;
  try {
    result = fn();
    if (isPromiseLike(result)) {
      // NOTE: the scope would end before the promise settles, disposing tensors the async function
      // still uses: refuse it here rather than fail later with an unrelated DisposedTensorError.
      void Promise.resolve(result).catch(() => {});
      throw new ArgumentError(
        'tidy: fn returned a promise; tidy takes a synchronous function (await outside it, and tidy each synchronous step)',
      );
    }
  } catch (error) {
    disposeAll(scope);
    throw error;
  } finally {
    stack.pop();
    innermost = stack.length > 0 ? stack[stack.length - 1] : null;
  }
  adoptSurvivors(result, scope, innermost);
  disposeAll(scope);
  return result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}
