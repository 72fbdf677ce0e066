import { BackendError, type Shape } from '@graphgrad/core';
import type { GpuArray, GpuDType } from '../gpu-array.ts';
import type { KernelContext } from '../kernel-context.ts';
import type { Program } from '../pipeline-cache.ts';
import { collapse, contiguousStrides } from '../strides.ts';
import { linearIndexWgsl, PARAMS_WGSL, wgslType } from '../wgsl/params.ts';
import { MAX_RANK } from './elementwise.ts';
import { fill } from './fill.ts';

// Slices, their backward and concatenation are one move: a strided region of one buffer copied to
// a strided region of another. A slice with positive steps needs no copy at all (a view with an
// offset); the rest is one program that walks a shape and reads and writes through signed strides.

const WORKGROUP = 256;

// Parameter words: 0 size, 1 rank, 2 source offset, 3 destination offset, 4..11 shape,
// 12..19 source strides, 20..27 destination strides. Offsets and strides are signed (as i32 bits):
// a negative step walks a region backwards.
const SHAPE = 4;
const SOURCE_STRIDES = SHAPE + MAX_RANK;
const DESTINATION_STRIDES = SOURCE_STRIDES + MAX_RANK;

function program(dtype: GpuDType): Program {
  const t = wgslType(dtype);
  return {
    key: `strided-copy:${dtype}`,
    source: () => `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read> X: array<${t}>;
@group(0) @binding(2) var<storage, read_write> O: array<${t}>;
fn size() -> u32 { return P(0u); }
fn rank() -> u32 { return P(1u); }
fn source_offset() -> i32 { return bitcast<i32>(P(2u)); }
fn destination_offset() -> i32 { return bitcast<i32>(P(3u)); }
fn axis_length(d: u32) -> u32 { return P(${SHAPE}u + d); }
fn source_stride(d: u32) -> i32 { return bitcast<i32>(P(${SOURCE_STRIDES}u + d)); }
fn destination_stride(d: u32) -> i32 { return bitcast<i32>(P(${DESTINATION_STRIDES}u + d)); }
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${linearIndexWgsl(WORKGROUP)};
  if (i >= size()) { return; }
  var rem = i;
  var src_at = source_offset();
  var dst_at = destination_offset();
  for (var d = rank(); d > 0u; d = d - 1u) {
    let n = axis_length(d - 1u);
    let c = i32(rem % n);
    rem = rem / n;
    src_at = src_at + c * source_stride(d - 1u);
    dst_at = dst_at + c * destination_stride(d - 1u);
  }
  O[dst_at] = X[src_at];
}`,
  };
}

/** A region of a buffer: where its first element is and how far each axis steps (signed). */
interface Region {
  readonly offset: number;
  readonly strides: readonly number[];
}

/** The region `starts`/`steps` of a view with `strides` from `offset`. */
function region(
  strides: readonly number[],
  offset: number,
  starts: readonly number[],
  steps: readonly number[],
): Region {
  let at = offset;
  for (let d = 0; d < strides.length; d++) at += starts[d] * strides[d];
  return { offset: at, strides: strides.map((s, d) => s * steps[d]) };
}

/** Records a copy of the elements of `shape` from region `from` of `src` to region `to` of `dst`. */
function copyRegion(
  ctx: KernelContext,
  op: string,
  shape: Shape,
  src: GpuArray,
  from: Region,
  dst: GpuArray,
  to: Region,
): void {
  const size = shape.reduce((n, d) => n * d, 1);
  if (size === 0) return;
  const flat = collapse(shape, [from.strides, to.strides]);
  if (flat.shape.length > MAX_RANK) {
    throw new BackendError(
      `webgpu ${op}: a region of rank ${flat.shape.length} after merging axes exceeds the kernels' ${MAX_RANK}`,
    );
  }
  const params = new Array<number>(DESTINATION_STRIDES + MAX_RANK).fill(0);
  params[0] = size;
  params[1] = flat.shape.length;
  // NOTE: the parameter block is u32 words; a negative offset or stride is stored as its two's
  // complement and read back with bitcast<i32>.
  params[2] = from.offset | 0;
  params[3] = to.offset | 0;
  flat.shape.forEach((n, d) => (params[SHAPE + d] = n));
  flat.strides[0].forEach((s, d) => (params[SOURCE_STRIDES + d] = s | 0));
  flat.strides[1].forEach((s, d) => (params[DESTINATION_STRIDES + d] = s | 0));
  ctx.run(program(src.dtype), params, [src, dst], Math.ceil(size / WORKGROUP));
}

/** numpy's basic slice: a view with an offset for positive steps, a row-major copy otherwise. */
export function slice(
  ctx: KernelContext,
  x: GpuArray,
  starts: readonly number[],
  steps: readonly number[],
  shape: Shape,
): GpuArray {
  const from = region(x.strides, x.offset, starts, steps);
  if (steps.every((s) => s > 0)) return ctx.view(x, shape, from.strides, from.offset);
  const out = ctx.alloc('Slice', shape, x.dtype);
  try {
    copyRegion(ctx, 'Slice', shape, x, from, out, { offset: 0, strides: contiguousStrides(shape) });
  } catch (error) {
    ctx.release(out);
    throw error;
  }
  return out;
}

/** Zeros of `shape` with `x` written into the region `starts`/`steps` (a slice's backward). */
export function sliceScatter(
  ctx: KernelContext,
  x: GpuArray,
  starts: readonly number[],
  steps: readonly number[],
  shape: Shape,
): GpuArray {
  const out = fill(ctx, 'SliceScatter', shape, 0, x.dtype);
  try {
    const to = region(contiguousStrides(shape), 0, starts, steps);
    copyRegion(ctx, 'SliceScatter', x.shape, x, { offset: x.offset, strides: x.strides }, out, to);
  } catch (error) {
    ctx.release(out);
    throw error;
  }
  return out;
}

/**
 * The arrays joined along `axis`: one dispatch per input, each writing its own region of the new
 * array (every element is written once, so it is not zeroed first).
 */
export function concat(ctx: KernelContext, xs: readonly GpuArray[], axis: number): GpuArray {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
  const out = ctx.alloc('Concat', shape, xs[0].dtype);
  const strides = contiguousStrides(shape);
  try {
    let at = 0;
    for (const x of xs) {
      const to = { offset: at * strides[axis], strides };
      copyRegion(ctx, 'Concat', x.shape, x, { offset: x.offset, strides: x.strides }, out, to);
      at += x.shape[axis];
    }
  } catch (error) {
    ctx.release(out);
    throw error;
  }
  return out;
}
