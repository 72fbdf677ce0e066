import type { Tensor } from './tensor.ts';

/**
 * The tensors created while one `tidy` scope was innermost. A tensor records its scope on itself
 * (through {@link ScopeSlot}), so tracking is a push and untracking a field write: no Set or WeakMap
 * per tensor, which cost as much as a small node. Entries whose tensor no longer names this scope
 * (kept, disposed, moved) are skipped when the scope ends.
 */
class Scope {
  readonly tensors: Tensor[] = [];
  /** Entries still owned by this scope, to compact `tensors` when most of it is stale. */
  live = 0;
}

/** How scope.ts reads and writes the scope a tensor belongs to (tensor.ts keeps it in a private field). */
export interface ScopeSlot {
  /** The scope that would dispose `t`, or null. */
  get(t: Tensor): unknown;
  /** Sets the scope that would dispose `t`. */
  set(t: Tensor, scope: unknown): void;
}

let slot: ScopeSlot = {
  get: () => null,
  set: () => {},
};

/** @internal Lets scope.ts keep a tensor's scope on the tensor without importing the Tensor class (which imports this file). */
export function setScopeSlot(access: ScopeSlot): void {
  slot = access;
}

const stack: Scope[] = [];
let innermost: Scope | null = null;
const COMPACT_AT = 1024;

/** Registers a new tensor with the innermost scope, if any. */
export function track(t: Tensor): void {
  const scope = innermost;
  if (scope === null) return;
  // A long scope whose tensors are mostly disposed by hand would otherwise grow without bound.
  if (scope.tensors.length >= COMPACT_AT && scope.live * 2 < scope.tensors.length) compact(scope);
  scope.tensors.push(t);
  scope.live++;
  slot.set(t, scope);
}

function compact(scope: Scope): void {
  const kept = scope.tensors.filter((t) => slot.get(t) === scope);
  scope.tensors.length = 0;
  scope.tensors.push(...kept);
  scope.live = kept.length;
}

/** @internal True when the innermost `tidy` scope would dispose `t` (it was created there and not kept). */
export function ownedByInnermostScope(t: Tensor): boolean {
  return innermost !== null && slot.get(t) === innermost;
}

/** Takes `t` out of the scope that would dispose it, so it lives until disposed by hand. */
export function untrack(t: Tensor): void {
  const scope = slot.get(t) as Scope | null;
  if (scope === null) return;
  scope.live--;
  slot.set(t, null);
}

/**
 * Keeps `t` alive past the end of the enclosing `tidy` scope(s); dispose it yourself when done.
 *
 * @example
 * const kept = tidy(() => keep(mul(x, 2)));
 */
export function keep<T extends Tensor>(t: T): T {
  untrack(t);
  return t;
}

/** Moves the tensors of `value` (a tensor, or arrays and plain objects of them) that `scope` owns to `parent`. */
function adoptSurvivors(value: unknown, scope: Scope, parent: Scope | null): void {
  if (isTensorCheck(value)) {
    if (slot.get(value) !== scope) return;
    scope.live--;
    if (parent === null) slot.set(value, null);
    else {
      parent.tensors.push(value);
      parent.live++;
      slot.set(value, parent);
    }
  } else if (Array.isArray(value)) for (const v of value) adoptSurvivors(v, scope, parent);
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) adoptSurvivors(v, scope, parent);
  }
}

let isTensorCheck: (v: unknown) => v is Tensor = (v): v is Tensor => false;

/** Lets scope.ts recognise tensors without importing the Tensor class (which imports this file). */
export function setTensorCheck(check: (v: unknown) => v is Tensor): void {
  isTensorCheck = check;
}

/** Disposes every tensor `scope` still owns. */
function disposeAll(scope: Scope): void {
  for (const t of scope.tensors) {
    if (slot.get(t) === scope) t.dispose();
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
  const scope = new Scope();
  stack.push(scope);
  innermost = scope;
  let result: T;
  try {
    result = fn();
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
