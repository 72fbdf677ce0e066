import { requireFunction } from './arguments.ts';
import { describeValue } from './describe-value.ts';
import { ArgumentError } from './errors.ts';
let gradEnabled = true;

/** True while operations are recorded on the tape (outside `noGrad`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording: tensors it creates have no graph and `requiresGrad` false. Used for
 * inference and for optimizer updates. `fn` must be synchronous.
 *
 * @example
 * const y = noGrad(() => mul(W, 2)); // y.requiresGrad === false
 */
export function noGrad<T>(fn: () => T): T {
  requireFunction('noGrad', fn);
  return withGradMode(false, fn);
}

/** Runs `fn` with recording switched on or off, restoring the previous mode afterwards. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  if (typeof enabled !== 'boolean')
    throw new ArgumentError(`withGradMode: enabled must be true or false, got ${describeValue(enabled)}`);
  requireFunction('withGradMode', fn);
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}
