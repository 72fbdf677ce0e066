import {
  ArgumentError,
  BackendError,
  describeValue,
  DisposedTensorError,
  DTypeError,
  full,
  isTensor,
  noGrad,
  tidy,
  type Tensor,
} from '@graphgrad/core';
import { add, div, greater, mul, sqrt, sub, sum } from '@graphgrad/nodes';

/**
 * Clips gradients by their global L2 norm, the book's `clip_grads`: with
 * total = √(Σ over all gradients of Σ g²) and rate = maxNorm / (total + 1e-6), every gradient is
 * multiplied by rate when rate < 1 (in place, with `assign`). Null entries (parameters without a
 * gradient) are skipped. Each gradient should be listed once (clip `optimizer.params`' gradients,
 * which are deduplicated).
 *
 * Returns the total norm before clipping as a scalar tensor (like PyTorch's `clip_grad_norm_`),
 * which the caller owns. Nothing is read back to the host, so the call never waits on a GPU.
 *
 * @example
 * const norm = clipGrads(model.params.map((p) => p.grad), 5.0);
 * console.log(await norm.item());
 */
export function clipGrads(grads: readonly (Tensor | null)[], maxNorm: number): Tensor {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new ArgumentError(`clipGrads: maxNorm must be a finite number > 0, got ${describeValue(maxNorm)}`);
  }
  if (!Array.isArray(grads))
    throw new ArgumentError(`clipGrads: grads must be an array of tensors or nulls, got ${describeValue(grads)}`);
  const present = [...new Set(grads.filter((g): g is Tensor => g !== null))];
  // Everything checked before the first gradient is scaled, so a refused call changes none.
  for (const [i, g] of present.entries()) {
    if (!isTensor(g))
      throw new ArgumentError(`clipGrads: grads[${i}] must be a tensor or null, got ${describeValue(g)}`);
    if (g.isDisposed) throw new DisposedTensorError(`clipGrads: gradient ${g.toString()} is disposed`);
    if (g.dtype === 'int32') throw new DTypeError(`clipGrads: gradient ${g.toString()} must be a float tensor`);
    if (g.backend !== present[0].backend)
      throw new BackendError(
        `clipGrads: every gradient must be on one backend; ${g.toString()} is on ${g.backend.name}, ${present[0].toString()} on ${present[0].backend.name}`,
      );
  }
  if (present.length === 0) return full([], 0);
  return noGrad(() =>
    tidy(() => {
      const total = sqrt(present.map((g) => sum(mul(g, g))).reduce((a, b) => add(a, b)));
      const rate = div(maxNorm, add(total, 1e-6));
      // NOTE: scale = rate where rate < 1, else 1, computed on the device: 1 + [rate < 1]·(rate - 1)
      const scale = add(mul(greater(1, rate), sub(rate, 1)), 1);
      for (const g of present) g.assign(mul(g, scale));
      return total;
    }),
  );
}
