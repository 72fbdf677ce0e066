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

/**
 * A tensor a recorded node needs for its gradient was changed in place (`assign`, an optimizer
 * step, a checkpoint load) between the forward and `backward()`: its gradient would be computed
 * from the new values, silently wrong (PyTorch's version counter check).
 */
export class ModifiedInPlaceError extends GraphgradError {
  /** Always `'ModifiedInPlaceError'`, so logs and messages name the kind of error. */
  override name = 'ModifiedInPlaceError';
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

/** Where anomaly mode found a NaN or ±Inf: the node, the pass, the value and where the node was created. */
export interface AnomalyDetails {
  /** `'forward'` for a node's output, `'backward'` for a gradient its rule returned. */
  readonly phase: 'forward' | 'backward';
  /** The node's kind: `'Log'`, `'Sqrt'`, … */
  readonly kind: string;
  /** The recorded node's id, or null for an operation that was not recorded (no input required a gradient). */
  readonly nodeId: number | null;
  /** Shapes of the node's inputs. */
  readonly inputShapes: readonly (readonly number[])[];
  /** Forward: the index of the output. Backward: the index of the input whose gradient it is. */
  readonly index: number;
  /** Backward: the name of the input whose gradient it is (undefined in the forward). */
  readonly inputName: string | undefined;
  /** The first non-finite value found: `'NaN'`, `'Inf'` or `'-Inf'`. */
  readonly value: 'NaN' | 'Inf' | '-Inf';
  /** Its row-major position in the output or gradient. */
  readonly position: number;
  /** The stack of the user code that created the node (graphgrad's own frames left out). */
  readonly callSite: string;
}

/**
 * Anomaly mode (`detectAnomaly`) found a NaN or ±Inf in a node's output or in a gradient its rule
 * returned. The message and `details` name the node, its kind, the pass, its input shapes and the
 * user code that created it.
 */
export class AnomalyError extends GraphgradError {
  /** Always `'AnomalyError'`, so logs and messages name the kind of error. */
  override name = 'AnomalyError';
  /** What was found where, for code that handles the error. */
  readonly details: AnomalyDetails;

  constructor(message: string, details: AnomalyDetails) {
    super(message);
    this.details = details;
  }
}
