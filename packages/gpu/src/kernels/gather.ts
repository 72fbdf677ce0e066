import { ArgumentError, DTypeError, formatShape, ShapeError } from '@graphgrad/core';
import type { GpuArray, GpuDType } from '../gpu-array.ts';
import type { KernelContext } from '../kernel-context.ts';
import type { Program } from '../pipeline-cache.ts';
import { NUMERICS_WGSL } from '../wgsl/numerics.ts';
import { linearIndexWgsl, PARAMS_WGSL, wgslType } from '../wgsl/params.ts';

const WORKGROUP = 256;

/**
 * What an element picked by an index out of range reads as: NaN in a float array, so that the
 * mistake shows in everything computed from it (and anomaly mode names the node), 0 in an int32
 * one. The nodes reject such indices at the call wherever the host can read them; this is for
 * indices that only the device knows (a kernel's output).
 */
const badIndexValue = (dtype: GpuDType): string => (dtype === 'float32' ? 'nan_f32()' : 'i32(0)');

// Parameter words: 0 output size, 1 slice length (elements after the axis), 2 length of the axis,
// 3 number of indices, 4 x offset, 5 indices offset.
function gatherProgram(dtype: GpuDType): Program {
  const t = wgslType(dtype);
  return {
    key: `gather:${dtype}`,
    source: () => `${PARAMS_WGSL}${NUMERICS_WGSL}
@group(0) @binding(1) var<storage, read> X: array<${t}>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read_write> O: array<${t}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = ${linearIndexWgsl(WORKGROUP)};
  if (e >= P(0u)) { return; }
  // NOTE: each quotient is taken once and remainders come by multiplication: an integer division
  // is a scalar loop on a CPU's Vulkan driver (lavapipe) and not cheap on a GPU.
  let inner = P(1u);
  let pick = e / inner;
  let outer = pick / P(3u);
  let row = I[P(5u) + pick - outer * P(3u)];
  if (row < 0 || u32(row) >= P(2u)) { O[e] = ${badIndexValue(dtype)}; return; }
  O[e] = X[P(4u) + (outer * P(2u) + u32(row)) * inner + e - pick * inner];
}`,
  };
}

// Parameter words: 0 output size, 1 depth, 2 indices offset.
function oneHotProgram(dtype: GpuDType): Program {
  const t = wgslType(dtype);
  return {
    key: `one-hot:${dtype}`,
    source: () => `${PARAMS_WGSL}${NUMERICS_WGSL}
@group(0) @binding(1) var<storage, read> I: array<i32>;
@group(0) @binding(2) var<storage, read_write> O: array<${t}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = ${linearIndexWgsl(WORKGROUP)};
  if (e >= P(0u)) { return; }
  let k = I[P(2u) + e / P(1u)];
  if (k < 0 || u32(k) >= P(1u)) { O[e] = ${badIndexValue(dtype)}; return; }
  O[e] = select(${t}(0), ${t}(1), u32(k) == e % P(1u));
}`,
  };
}

/** Refuses indices that are not int32 (the nodes check first; this guards direct kernel calls). */
export function requireIndices(op: string, indices: GpuArray): void {
  if (indices.dtype !== 'int32') throw new DTypeError(`webgpu ${op}: indices must be int32, got ${indices.dtype}`);
}

/**
 * Slices of `x` along `axis` picked by int32 `indices` (numpy's take): a slice of NaN, or 0 in
 * int32, for an index out of range.
 */
export function gather(ctx: KernelContext, x: GpuArray, indices: GpuArray, axis: number): GpuArray {
  requireIndices('Gather', indices);
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.shape.length)
    throw new ShapeError(`webgpu Gather: axis ${axis} is outside the axes of x ${formatShape(x.shape)}`);
  const out = ctx.alloc('Gather', [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)], x.dtype);
  const size = out.size;
  if (size === 0) return out;
  const inner = x.shape.slice(axis + 1).reduce((n, d) => n * d, 1);
  const xs = ctx.contiguous(x);
  const idx = ctx.contiguous(indices);
  ctx.run(
    gatherProgram(x.dtype),
    [size, inner, x.shape[axis], indices.size, xs.offset, idx.offset],
    [xs, idx, out],
    Math.ceil(size / WORKGROUP),
  );
  ctx.release(xs);
  ctx.release(idx);
  return out;
}

/** One-hot rows of `depth` columns for int32 class `indices` (an index outside [0, depth) gives a row of NaN, or of 0 in int32). */
export function oneHot(ctx: KernelContext, indices: GpuArray, depth: number, dtype: GpuDType): GpuArray {
  requireIndices('OneHot', indices);
  if (!Number.isInteger(depth) || depth < 0)
    throw new ArgumentError(`webgpu OneHot: depth must be a non-negative integer, got ${depth}`);
  const out = ctx.alloc('OneHot', [...indices.shape, depth], dtype);
  const size = out.size;
  if (size === 0) return out;
  const idx = ctx.contiguous(indices);
  ctx.run(oneHotProgram(dtype), [size, depth, idx.offset], [idx, out], Math.ceil(size / WORKGROUP));
  ctx.release(idx);
  return out;
}
