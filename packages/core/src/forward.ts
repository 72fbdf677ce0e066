import type { Backend, BackendArray, Kernels } from './backend.ts';
import { noGrad } from './grad-mode.ts';
import { tidy } from './scope.ts';
import type { Tensor } from './tensor.ts';

// A node's forward may make temporary arrays (a max to subtract, a count to divide by). They are
// released here, not by each forward: while a forward runs, every array the backend hands it is
// recorded, and whatever it does not return is disposed when it ends, or when it throws. A forward
// cannot leak, and never needs `backend.dispose`.

/** Arrays made by the forwards in progress; a forward running inside another owns a suffix. */
const made: BackendArray[] = [];

function isBackendArray(value: unknown): value is BackendArray {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as BackendArray).shape) &&
    typeof (value as BackendArray).dtype === 'string'
  );
}

/** Records what a backend call returned: an array, or a list of them. */
function record<T>(result: T): T {
  if (Array.isArray(result)) {
    for (const item of result) if (isBackendArray(item)) made.push(item);
  } else if (isBackendArray(result)) made.push(result);
  return result;
}

/** The view of a backend that a forward is given: every array it makes is recorded. */
interface RecordingBackend {
  readonly backend: Backend;
  readonly kernels: Kernels;
}

const recording = new WeakMap<Backend, RecordingBackend>();

function recordingKernels(kernels: Kernels): Kernels {
  const wrapped: Record<string, unknown> = {};
  for (const [name, kernel] of Object.entries(kernels) as [string, (...args: unknown[]) => BackendArray][]) {
    // NOTE: a fixed arity rather than rest arguments: no array per kernel call.
    wrapped[name] = (a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, f: unknown) =>
      record(kernel(a, b, c, d, e, f));
  }
  return wrapped as Kernels;
}

function recordingBackendOf(backend: Backend): RecordingBackend {
  let view = recording.get(backend);
  if (view !== undefined) return view;
  const kernels = recordingKernels(backend.kernels);
  const methods = new Map<PropertyKey, unknown>();
  const proxy = new Proxy(backend, {
    get(target, property) {
      if (property === 'kernels') return kernels;
      if (property === 'dispose') return disposeRecorded;
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      // Methods run on the backend itself (private fields), their results recorded.
      let method = methods.get(property);
      if (method === undefined) {
        const fn = value as (...args: unknown[]) => unknown;
        method = (...args: unknown[]) => record(fn.apply(target, args));
        methods.set(property, method);
      }
      return method;
    },
  });
  view = { backend: proxy, kernels };
  recording.set(backend, view);

  /** A forward that disposes a temporary itself: take it off the record, so it is not disposed twice. */
  function disposeRecorded(x: BackendArray): void {
    const at = made.lastIndexOf(x);
    if (at >= 0) made.splice(at, 1);
    backend.dispose(x);
  }
  return view;
}

/** Disposes what was made since `mark`, except `keep`; clears the record back to `mark`. */
function release(backend: Backend, mark: number, keep: BackendArray | readonly BackendArray[] | null): void {
  for (let i = mark; i < made.length; i++) {
    const a = made[i];
    const kept = keep !== null && (Array.isArray(keep) ? keep.includes(a) : keep === a);
    if (!kept) backend.dispose(a);
  }
  made.length = mark;
}

/** The forward of a node written with kernels, run so that its temporaries are released. */
export function runKernelForward<Attrs>(
  forward: (
    kernels: Kernels,
    inputs: readonly BackendArray[],
    attrs: Attrs,
    backend: Backend,
  ) => BackendArray | readonly BackendArray[],
  backend: Backend,
  inputs: readonly BackendArray[],
  attrs: Attrs,
): BackendArray | readonly BackendArray[] {
  const view = recordingBackendOf(backend);
  const mark = made.length;
  let result: BackendArray | readonly BackendArray[];
  try {
    result = forward(view.kernels, inputs, attrs, view.backend);
  } catch (error) {
    release(backend, mark, null);
    throw error;
  }
  release(backend, mark, result);
  return result;
}

/**
 * The forward of a node composed of other nodes: run without recording, inside a scope that frees
 * every intermediate; the outputs' arrays are handed over as new handles.
 */
export function runComposedForward<Attrs>(
  compose: (inputs: readonly Tensor[], attrs: Attrs) => Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  attrs: Attrs,
): BackendArray | readonly BackendArray[] {
  return tidy(() => {
    const outputs = noGrad(() => compose(inputs, attrs));
    // NOTE: a new handle on each output's values (a view, no copy): the tensors themselves, and a
    // tensor returned more than once, are disposed with the scope.
    const handOver = (t: Tensor): BackendArray => t.backend.kernels.Reshape(t.array, t.shape);
    return Array.isArray(outputs) ? (outputs as readonly Tensor[]).map(handOver) : handOver(outputs as Tensor);
  });
}
