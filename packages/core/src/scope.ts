import type { Tensor } from './tensor.ts';

/** The tensors created while one `tidy` scope was innermost, not yet kept or returned. */
type Scope = Set<Tensor>;

const stack: Scope[] = [];
const owner = new WeakMap<Tensor, Scope>();

/** Registers a new tensor with the innermost scope, if any. */
export function track(t: Tensor): void {
  const scope = stack[stack.length - 1];
  if (scope === undefined) return;
  scope.add(t);
  owner.set(t, scope);
}

/** Takes `t` out of the scope that would dispose it, so it lives until disposed by hand. */
export function untrack(t: Tensor): void {
  owner.get(t)?.delete(t);
  owner.delete(t);
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

function collectTensors(value: unknown, into: Set<Tensor>, isTensor: (v: unknown) => v is Tensor): void {
  if (isTensor(value)) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collectTensors(v, into, isTensor);
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, into, isTensor);
  }
}

let isTensorCheck: (v: unknown) => v is Tensor = (v): v is Tensor => false;

/** Lets scope.ts recognise tensors without importing the Tensor class (which imports this file). */
export function setTensorCheck(check: (v: unknown) => v is Tensor): void {
  isTensorCheck = check;
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
  const scope: Scope = new Set();
  stack.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    for (const t of scope) owner.delete(t);
    for (const t of scope) t.dispose();
    throw error;
  } finally {
    stack.pop();
  }
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors, isTensorCheck);
  const parent = stack[stack.length - 1];
  for (const t of scope) {
    owner.delete(t);
    if (survivors.has(t)) {
      if (parent !== undefined) {
        parent.add(t);
        owner.set(t, parent);
      }
    } else t.dispose();
  }
  return result;
}

