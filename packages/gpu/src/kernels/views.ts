import { AxisError, formatShape, reshapeStrides, ShapeError, sizeOf, type Shape, broadcastsTo } from '@graphgrad/core';
import type { GpuArray } from '../gpu-array.ts';
import type { KernelContext } from '../kernel-context.ts';
import { broadcastStrides, contiguousStrides, isContiguous } from '../strides.ts';
import { copy } from './elementwise.ts';

/** Permuted axes: a view with permuted strides (no copy). */
export function transpose(ctx: KernelContext, x: GpuArray, perm: readonly number[]): GpuArray {
  const rank = x.shape.length;
  const seen = new Set(perm);
  if (perm.length !== rank || seen.size !== rank || !perm.every((p) => Number.isInteger(p) && p >= 0 && p < rank)) {
    throw new AxisError(
      `webgpu Transpose: ${JSON.stringify(perm)} is not a permutation of the ${rank} axes of ${formatShape(x.shape)}`,
    );
  }
  return ctx.view(
    x,
    perm.map((p) => x.shape[p]),
    perm.map((p) => x.strides[p]),
    x.offset,
  );
}

/** `x` broadcast to `shape`: a view with stride 0 along the broadcast axes (no copy). */
export function broadcastTo(ctx: KernelContext, x: GpuArray, shape: Shape): GpuArray {
  if (!broadcastsTo(x.shape, shape)) {
    throw new ShapeError(`webgpu BroadcastTo: cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`);
  }
  return ctx.view(x, shape, broadcastStrides(x.shape, x.strides, shape), x.offset);
}

/**
 * The same elements under a new shape: a view wherever strides can read them so (contiguous data,
 * or a strided view whose axes only regroup, such as h[:, t, :]), otherwise a strided copy.
 */
export function reshape(ctx: KernelContext, x: GpuArray, shape: Shape): GpuArray {
  if (sizeOf(shape) !== x.size) {
    throw new ShapeError(
      `webgpu Reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)}`,
    );
  }
  if (isContiguous(x.shape, x.strides)) return ctx.view(x, shape, contiguousStrides(shape), x.offset);
  const strides = reshapeStrides(x.shape, x.strides, shape);
  if (strides !== null) return ctx.view(x, shape, strides, x.offset);
  const dense = copy(ctx, x);
  const out = ctx.view(dense, shape, contiguousStrides(shape), 0);
  ctx.release(dense);
  return out;
}
