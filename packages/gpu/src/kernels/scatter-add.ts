import { formatShape, ShapeError } from '@graphgrad/core';
import type { GpuArray, GpuDType } from '../gpu-array.ts';
import type { KernelContext } from '../kernel-context.ts';
import type { Program } from '../pipeline-cache.ts';
import { linearIndexWgsl, PARAMS_WGSL, wgslType } from '../wgsl/params.ts';
import { requireIndices } from './gather.ts';

const WORKGROUP = 256;

// WGSL has no float atomics, so picks that share an index are summed without them, and in a fixed
// order: a first pass links each pick to the next pick of the same index and marks the first one
// (the head), and a second pass lets each head walk its chain. The sums come out in the order of
// the picks, as the CPU adds them, identical from run to run. The linking compares every pair of
// indices (integers only); the sums touch each value once.

// Parameter words: 0 number of picks, 1 length of the output's axis, 2 indices offset.
const LINKS: Program = {
  key: 'scatter-add-links',
  source: () => `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read> I: array<i32>;
@group(0) @binding(2) var<storage, read_write> L: array<i32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = ${linearIndexWgsl(WORKGROUP)};
  let picks = P(0u);
  if (p >= picks) { return; }
  let at = P(2u);
  let r = I[at + p];
  // L[2p]: 1 when p is the first pick of its index; L[2p + 1]: the next pick of that index, or -1.
  if (r < 0 || u32(r) >= P(1u)) { L[2u * p] = 0; L[2u * p + 1u] = -1; return; }
  var head = 1;
  for (var q = 0u; q < p; q = q + 1u) {
    if (I[at + q] == r) { head = 0; break; }
  }
  var next = -1;
  for (var q = p + 1u; q < picks; q = q + 1u) {
    if (I[at + q] == r) { next = i32(q); break; }
  }
  L[2u * p] = head;
  L[2u * p + 1u] = next;
}`,
};

// Parameter words: 0 number of values, 1 slice length (elements after the indexed axes), 2 number
// of picks, 3 length of the output's axis, 4 values offset, 5 indices offset.
function sumsProgram(dtype: GpuDType): Program {
  const t = wgslType(dtype);
  return {
    key: `scatter-add:${dtype}`,
    source: () => `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read> V: array<${t}>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read> L: array<i32>;
@group(0) @binding(4) var<storage, read_write> O: array<${t}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = ${linearIndexWgsl(WORKGROUP)};
  if (e >= P(0u)) { return; }
  let inner = P(1u);
  let picks = P(2u);
  // one division each for the slice and the outer index (see gather.ts)
  let slice = e / inner;
  let outer = slice / picks;
  let p = slice - outer * picks;
  let j = e - slice * inner;
  if (L[2u * p] == 0) { return; }
  var total = ${t}(0);
  var q = i32(p);
  loop {
    total = total + V[P(4u) + (outer * picks + u32(q)) * inner + j];
    q = L[2u * u32(q) + 1u];
    if (q < 0) { break; }
  }
  O[(outer * P(3u) + u32(I[P(5u) + p])) * inner + j] = total;
}`,
  };
}

// Parameter words: 0 number of values, 1 slice length, 2 number of picks, 3 length of the output's
// axis, 4 indices offset.
function zeroProgram(dtype: GpuDType): Program {
  const t = wgslType(dtype);
  return {
    key: `scatter-add-zero:${dtype}`,
    source: () => `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read> I: array<i32>;
@group(0) @binding(2) var<storage, read_write> O: array<${t}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = ${linearIndexWgsl(WORKGROUP)};
  if (e >= P(0u)) { return; }
  let inner = P(1u);
  let picks = P(2u);
  let slice = e / inner;
  let outer = slice / picks;
  let r = I[P(4u) + slice - outer * picks];
  if (r < 0 || u32(r) >= P(3u)) { return; }
  O[(outer * P(3u) + u32(r)) * inner + e - slice * inner] = ${t}(0);
}`,
  };
}

/**
 * The adjoint of Gather: zeros of `values.shape[:axis] + [size] + values.shape[axis + k:]` (k the
 * rank of `indices`) with each slice of `values` added at its index, in the order of the picks;
 * values whose index is outside [0, size) are added nowhere. Deterministic (no atomics).
 *
 * The output comes from the pool of clean buffers and, when it is released, only the slices it
 * wrote are zeroed again: a gradient of a few rows picked from a large table costs the rows picked.
 */
export function scatterAdd(
  ctx: KernelContext,
  values: GpuArray,
  indices: GpuArray,
  axis: number,
  size: number,
): GpuArray {
  requireIndices('ScatterAdd', indices);
  const k = indices.shape.length;
  if (!Number.isInteger(axis) || axis < 0 || axis + k > values.shape.length) {
    throw new ShapeError(
      `webgpu ScatterAdd: ${k} index axes from axis ${axis} do not fit values ${formatShape(values.shape)}`,
    );
  }
  const out = ctx.allocClean(
    'ScatterAdd',
    [...values.shape.slice(0, axis), size, ...values.shape.slice(axis + k)],
    values.dtype,
  );
  const count = values.size;
  if (out.size === 0 || count === 0) return out;
  const picks = indices.size;
  const inner = count / (values.shape.slice(0, axis).reduce((n, d) => n * d, 1) * picks);
  const vs = ctx.contiguous(values);
  const idx = ctx.contiguous(indices);
  const links = ctx.alloc('ScatterAdd', [2 * picks], 'int32');
  ctx.run(LINKS, [picks, size, idx.offset], [idx, links], Math.ceil(picks / WORKGROUP));
  ctx.run(
    sumsProgram(values.dtype),
    [count, inner, picks, size, vs.offset, idx.offset],
    [vs, idx, links, out],
    Math.ceil(count / WORKGROUP),
  );
  ctx.release(links);
  ctx.release(vs);
  if (count >= out.size) {
    ctx.release(idx);
    return out;
  }
  // `idx` is held until the zeros are put back
  ctx.keepClean(out, (record) => {
    if (record) {
      ctx.run(
        zeroProgram(values.dtype),
        [count, inner, picks, size, idx.offset],
        [idx, out],
        Math.ceil(count / WORKGROUP),
      );
    }
    ctx.release(idx);
  });
  return out;
}
