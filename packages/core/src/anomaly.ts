import { requireFunction } from './arguments.ts';
import type { Backend, BackendArray } from './backend.ts';
import type { DType, TypedArray } from './dtype.ts';
import { isFloatDType } from './dtype.ts';
import { AnomalyError, BackendError, NonFiniteSeedError, type AnomalyDetails } from './errors.ts';
import type { GraphNode, NodeSpec } from './node.ts';
import { formatShape, type Shape } from './shape.ts';
import { observeTape, type TapeObserver } from './tape-observer.ts';
import type { Tensor } from './tensor.ts';

// Anomaly mode, like PyTorch's torch.autograd.detect_anomaly: while it is on, every node records
// the user code that created it, and every node's outputs (forward) and every gradient a rule
// returns (backward) are checked for NaN and ±Inf. It watches the tape as its `TapeObserver`; off,
// it costs nothing but the tape's check that no observer is installed.
//
// The check needs the values. A backend with synchronous reads (the CPU) is checked at once, so the
// error is thrown by the operation that produced the value. A backend that reads asynchronously
// (WebGPU) cannot be read inside an operation: its values are kept (a view, no copy) and checked,
// in the order they were produced, at the next `await checkAnomalies()` or when the async function
// given to `detectAnomaly` settles. The first non-finite value found is reported either way.

/** How many `detectAnomaly` calls are running (nested or overlapping async ones). */
let depth = 0;
/** True while a backward pass runs: the operations of gradient rules are not checked one by one. */
let inBackward = false;

/** A value of an asynchronous backend waiting to be read and checked. */
interface Pending {
  readonly backend: Backend;
  readonly array: BackendArray;
  readonly fail: (values: TypedArray, position: number) => Error;
}

const pending: Pending[] = [];

/** Frames of graphgrad's own packages are left out of call sites: `<packages>/<name>/src/…` (or `dist/`). */
const OWN_PACKAGES: readonly string[] = ownPackagePrefixes();

function ownPackagePrefixes(): string[] {
  try {
    // This file is <packages>/core/src/anomaly.ts (in the repository or in node_modules/@graphgrad).
    // (A URL worked out at run time: bundlers need not resolve it as an asset.)
    const url = new URL(/* @vite-ignore */ '../../', import.meta.url);
    return [...new Set([url.href, decodeURIComponent(url.pathname)])];
  } catch {
    // A bundle whose module URL is not hierarchical: keep every frame.
    return [];
  }
}

/** An installed package's built files, wherever the package manager put it (pnpm nests them). */
const INSTALLED = /[/\\]node_modules[/\\](@graphgrad[/\\][^/\\]+|graphgrad)[/\\]dist[/\\]/;

function isOwnFrame(frame: string): boolean {
  if (INSTALLED.test(frame)) return true;
  for (const prefix of OWN_PACKAGES) {
    const at = frame.indexOf(prefix);
    if (at >= 0 && /^[^/\\]+[/\\]src[/\\]/.test(frame.slice(at + prefix.length))) return true;
  }
  return false;
}

/** At most this many frames of user code are kept per call site. */
const CALL_SITE_FRAMES = 8;

/**
 * The stack of the user code running now, graphgrad's own frames and Node's internals left out:
 * the call site recorded on each node in anomaly mode.
 */
function userCallSite(): string {
  // `stackTraceLimit` is V8's (Node, Chromium); elsewhere setting it does nothing.
  const errors = Error as ErrorConstructor & { stackTraceLimit?: number };
  const limit = errors.stackTraceLimit;
  // NOTE: graphgrad's frames come first and would use up V8's default limit of 10.
  errors.stackTraceLimit = 64;
  const stack = new Error().stack ?? '';
  errors.stackTraceLimit = limit;
  const lines = stack.split('\n').map((line) => line.trim());
  // V8 starts with the error's own line ("Error"); other engines list frames only.
  if (lines[0]?.startsWith('Error')) lines.shift();
  const frames = lines.filter((line) => line !== '' && !line.includes('node:internal') && !isOwnFrame(line));
  return frames.length === 0 ? '(no frame outside graphgrad)' : frames.slice(0, CALL_SITE_FRAMES).join('\n');
}

function firstNonFinite(values: TypedArray): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

function describeValue(value: number): AnomalyDetails['value'] {
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Inf' : '-Inf';
}

/**
 * Checks `t` for NaN and ±Inf: now on a backend that reads synchronously, otherwise at the next
 * checkpoint. `site` gives the call site, read now when the check is deferred (the stack is gone
 * by then).
 */
function check(
  t: Tensor,
  site: () => string,
  fail: (values: TypedArray, position: number, callSite: string) => Error,
): void {
  if (!isFloatDType(t.dtype) || t.size === 0) return;
  const backend = t.backend;
  if (backend.readSync !== undefined) {
    const values = backend.readSync(t.array);
    const position = firstNonFinite(values);
    if (position >= 0) throw fail(values, position, site());
    return;
  }
  const callSite = site();
  // A view of its own keeps the values alive after the tensor is disposed (a tidy scope ending).
  const array = backend.kernels.Reshape(t.array, t.shape);
  pending.push({ backend, array, fail: (values, position) => fail(values, position, callSite) });
}

function anomaly(
  details: Omit<AnomalyDetails, 'value' | 'position' | 'callSite'>,
  inputNames: readonly string[],
  what: { readonly shape: Shape; readonly dtype: DType },
  values: TypedArray,
  position: number,
  callSite: string,
): AnomalyError {
  const full: AnomalyDetails = { ...details, value: describeValue(values[position]), position, callSite };
  const node = `${full.kind} (${full.nodeId === null ? 'not recorded: no input required a gradient' : `node #${full.nodeId}`})`;
  const where =
    full.phase === 'forward'
      ? `output ${full.index} ${formatShape(what.shape)} ${what.dtype}`
      : `the gradient of input '${full.inputName}' ${formatShape(what.shape)} ${what.dtype}`;
  const inputs = full.inputShapes.map((shape, i) => `'${inputNames[i] ?? `#${i}`}' ${formatShape(shape)}`).join(', ');
  const frames = callSite
    .split('\n')
    .map((frame) => `    ${frame}`)
    .join('\n');
  return new AnomalyError(
    `detectAnomaly: the ${full.phase} of ${node} produced ${full.value} at position ${position} of ${where} ` +
      `(inputs ${inputs}); the node was created\n${frames}`,
    full,
  );
}

function observeForward(
  spec: NodeSpec<unknown>,
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  node: GraphNode | null,
): void {
  if (inBackward) return;
  const inputShapes = inputs.map((t) => t.shape);
  const site = (): string => node?.callSite ?? userCallSite();
  outputs.forEach((output, index) => {
    const meta = { shape: output.shape, dtype: output.dtype };
    check(output, site, (values, position, callSite) =>
      anomaly(
        { phase: 'forward', kind: spec.kind, nodeId: node?.id ?? null, inputShapes, index, inputName: undefined },
        spec.inputs,
        meta,
        values,
        position,
        callSite,
      ),
    );
  });
}

const anomalyObserver: TapeObserver = {
  callSite: userCallSite,
  forward: observeForward,
  backward(root, seed, run) {
    // A backend that reads synchronously had its seed checked by backward() already.
    if (seed !== null && seed.backend.readSync === undefined) {
      check(
        seed,
        () => '',
        () => new NonFiniteSeedError('backward: the seed gradient holds NaN or ±Inf'),
      );
    }
    const outer = inBackward;
    inBackward = true;
    try {
      return run();
    } finally {
      inBackward = outer;
    }
  },
  gradient(node, index, grad) {
    const meta = { shape: grad.shape, dtype: grad.dtype };
    const inputName = node.spec.inputs[index] ?? `#${index}`;
    check(
      grad,
      () => node.callSite ?? '(recorded before anomaly mode was on)',
      (values, position, callSite) =>
        anomaly(
          { phase: 'backward', kind: node.kind, nodeId: node.id, inputShapes: node.inputShapes, index, inputName },
          node.spec.inputs,
          meta,
          values,
          position,
          callSite,
        ),
    );
  },
};

/** The observer anomaly mode replaced, put back when the outermost `detectAnomaly` ends. */
let replaced: TapeObserver | null = null;

function enter(): void {
  if (depth++ > 0) return;
  replaced = observeTape(anomalyObserver);
}

function leave(): void {
  if (--depth > 0) return;
  observeTape(replaced);
  replaced = null;
  discardPending();
}

function discardPending(): void {
  for (const p of pending.splice(0)) p.backend.dispose(p.array);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * Runs `fn` in anomaly mode (PyTorch's `torch.autograd.detect_anomaly`): each node records the user
 * code that created it, and each node's outputs and each gradient its rule returns in `backward()`
 * are checked for NaN and ±Inf. The first one found throws an `AnomalyError` naming the node, its
 * kind, the pass (forward or backward), which output or input, the input shapes and the call site.
 *
 * On a backend that reads synchronously (the CPU) the operation that produced the value throws.
 * A backend that reads asynchronously (WebGPU) cannot be read inside an operation: pass an async
 * `fn`; its values are checked, in the order they were produced, when `fn` settles and at every
 * `await checkAnomalies()` inside it (a sync `fn` that used such a backend throws a `BackendError`).
 * Anomaly mode is slow (a stack trace per node, a read per value): use it to find a NaN, then turn
 * it off. Leaves (tensors created from data) are not checked; the first node that uses one is.
 *
 * @example
 * detectAnomaly(() => {
 *   const x = tensor([0, 1], { requiresGrad: true });
 *   sum(mul(log(x), 0)).backward();
 * }); // AnomalyError: detectAnomaly: the forward of Log (node #3) produced -Inf at position 0 of output 0 …
 *
 * await detectAnomaly(async () => {
 *   for (let step = 0; step < 100; step++) {
 *     trainStep(); // on WebGPU
 *     await checkAnomalies(); // reads back and checks this step's values
 *   }
 * });
 */
export function detectAnomaly<T>(fn: () => T): T {
  requireFunction('detectAnomaly', fn);
  enter();
  let result: T;
  try {
    result = fn();
  } catch (error) {
    leave();
    throw error;
  }
  if (isPromiseLike(result)) return settle(result) as T;
  try {
    if (depth === 1 && pending.length > 0) {
      const backend = pending[0].backend.name;
      throw new BackendError(
        `detectAnomaly: the ${backend} backend reads asynchronously, so its values can only be checked by an async function: ` +
          'await detectAnomaly(async () => { ... })',
      );
    }
  } finally {
    leave();
  }
  return result;
}

async function settle<U>(promise: PromiseLike<U>): Promise<U> {
  try {
    let value: U;
    try {
      value = await promise;
    } catch (error) {
      // A NaN found in the values of the failed run is likely its cause: report it instead.
      try {
        await checkAnomalies();
      } catch (found) {
        if (found instanceof AnomalyError || found instanceof NonFiniteSeedError) throw found;
      }
      throw error;
    }
    await checkAnomalies();
    return value;
  } finally {
    leave();
  }
}

/**
 * Reads back and checks the values anomaly mode has not checked yet (those of backends that read
 * asynchronously, such as WebGPU), oldest first, rejecting with the first `AnomalyError` (or a
 * `NonFiniteSeedError` for a seed gradient given to `backward()`). Call it inside
 * `detectAnomaly(async () => ...)` once per training step, so that values do not pile up and the
 * error comes at the step that made the NaN. Outside anomaly mode, or on the CPU, it resolves at once.
 *
 * @example
 * await detectAnomaly(async () => {
 *   const loss = model.forward(x, t);
 *   loss.backward();
 *   await checkAnomalies(); // throws here if the forward or the backward made a NaN
 * });
 */
export async function checkAnomalies(): Promise<void> {
  while (pending.length > 0) {
    const batch = pending.splice(0);
    let failure: Error | null = null;
    try {
      // Every read is queued before the first is awaited, so the device copies them in one go.
      const values = await Promise.all(batch.map((p) => p.backend.read(p.array)));
      for (let i = 0; i < batch.length && failure === null; i++) {
        const position = firstNonFinite(values[i]);
        if (position >= 0) failure = batch[i].fail(values[i], position);
      }
    } finally {
      for (const p of batch) p.backend.dispose(p.array);
    }
    if (failure !== null) {
      discardPending();
      throw failure;
    }
  }
}
