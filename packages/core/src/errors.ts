/**
 * Every error graphgrad throws on purpose is a `GraphgradError`; each kind of mistake has its own
 * subclass so a caller can catch it by type. Messages name the operation and what was expected
 * versus what was given.
 */
export class GraphgradError extends Error {
  /** Always `'GraphgradError'`, so logs and messages name the kind of error. */
  override name = 'GraphgradError';
}

/** Shapes that do not fit the operation (both shapes are in the message). */
export class ShapeError extends GraphgradError {
  /** Always `'ShapeError'`, so logs and messages name the kind of error. */
  override name = 'ShapeError';
}

/** A dtype the operation does not accept, or two inputs whose dtypes differ. */
export class DTypeError extends GraphgradError {
  /** Always `'DTypeError'`, so logs and messages name the kind of error. */
  override name = 'DTypeError';
}

/** Inputs on different backends, a dtype a backend cannot hold, a kernel or read it lacks, a lost device. */
export class BackendError extends GraphgradError {
  /** Always `'BackendError'`, so logs and messages name the kind of error. */
  override name = 'BackendError';
}

/** A tensor used after `dispose()` (or after the `tidy` scope that owned it ended). */
export class DisposedTensorError extends GraphgradError {
  /** Always `'DisposedTensorError'`, so logs and messages name the kind of error. */
  override name = 'DisposedTensorError';
}

/** A second `backward()` through a graph the first one freed (pass `{ retainGraph: true }` to keep it). */
export class GraphFreedError extends GraphgradError {
  /** Always `'GraphFreedError'`, so logs and messages name the kind of error. */
  override name = 'GraphFreedError';
}

/** `backward()` on a non-scalar tensor without a seed gradient, or a seed of the wrong shape. */
export class SeedGradientError extends GraphgradError {
  /** Always `'SeedGradientError'`, so logs and messages name the kind of error. */
  override name = 'SeedGradientError';
}

/** A seed gradient holding NaN or ±Inf. */
export class NonFiniteSeedError extends GraphgradError {
  /** Always `'NonFiniteSeedError'`, so logs and messages name the kind of error. */
  override name = 'NonFiniteSeedError';
}

/** An axis outside `[-rank, rank)`, or repeated. */
export class AxisError extends GraphgradError {
  /** Always `'AxisError'`, so logs and messages name the kind of error. */
  override name = 'AxisError';
}

/** A gradient rule that returned a gradient of the wrong shape or dtype for one of its inputs. */
export class GradientRuleError extends GraphgradError {
  /** Always `'GradientRuleError'`, so logs and messages name the kind of error. */
  override name = 'GradientRuleError';
}

/** An argument that is not a shape, a count or an option the call accepts. */
export class ArgumentError extends GraphgradError {
  /** Always `'ArgumentError'`, so logs and messages name the kind of error. */
  override name = 'ArgumentError';
}
