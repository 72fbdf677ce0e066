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
  return withGradMode(false, fn);
}

/** Runs `fn` with recording switched on or off, restoring the previous mode afterwards. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}
