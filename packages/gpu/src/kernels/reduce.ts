import { AxisError, BackendError, reducedShape, type ReduceKernelName } from '@graphgrad/core';
import type { GpuArray, GpuDType } from '../gpu-array.ts';
import type { KernelContext } from '../kernel-context.ts';
import type { Program } from '../pipeline-cache.ts';
import { collapse } from '../strides.ts';
import { NUMERICS_WGSL } from '../wgsl/numerics.ts';
import { linearIndexWgsl, PARAMS_WGSL, wgslType } from '../wgsl/params.ts';
import { MAX_RANK } from './elementwise.ts';
import { fill } from './fill.ts';

/** What a reduction computes: the reduce kernels and ArgMax. */
type ReduceOp = ReduceKernelName | 'ArgMax';

/**
 * Two strategies, one per program variant:
 * - `thread`: one invocation per output walks its reduced elements (short reductions, or outputs
 *   whose neighbours are neighbours in memory, so the reads coalesce);
 * - `tree`: one workgroup per output (or per slice of an output's elements, for a few very long
 *   reductions): strided partial results, then a tree in workgroup memory.
 */
type Variant = 'thread' | 'tree';

const THREAD_WG = 64;
const TREE_WG = 256;
/** Reductions at most this long run one per invocation. */
const SHORT = 32;
/** Elements one workgroup reduces before a long reduction with few outputs is split. */
const SLICE = 8192;
/** Elements one invocation of the thread variant reduces before its reduction is split. */
const THREAD_SLICE = 256;

// Parameter words: 0 outputs, 1 reduced length R, 2 kept rank, 3 reduced rank, 4 input offset,
// 5..12 kept shape, 13..20 kept strides, 21..28 reduced shape, 29..36 reduced strides,
// 37 slices per output, 38 elements per slice.
const KEPT_SHAPE = 5;
const KEPT_STRIDES = 13;
const RED_SHAPE = 21;
const RED_STRIDES = 29;

function identity(op: ReduceOp, t: 'f32' | 'i32'): string {
  if (op === 'Sum') return t === 'f32' ? '0.0' : '0';
  if (op === 'Min') return t === 'f32' ? 'inf_f32()' : 'max_i32()';
  return t === 'f32' ? '-inf_f32()' : 'min_i32()';
}

/** WGSL combining an accumulator `acc` (and index `ai`) with a value `v` (at index `vi`). */
function combineWgsl(op: ReduceOp, t: 'f32' | 'i32'): string {
  if (op === 'Sum') return `fn combine(acc: ${t}, v: ${t}) -> ${t} { return acc + v; }`;
  if (op === 'Max')
    return `fn combine(acc: ${t}, v: ${t}) -> ${t} { return ${t === 'f32' ? 'max_nan(acc, v)' : 'max(acc, v)'}; }`;
  if (op === 'Min')
    return `fn combine(acc: ${t}, v: ${t}) -> ${t} { return ${t === 'f32' ? 'min_nan(acc, v)' : 'min(acc, v)'}; }`;
  // ArgMax: NaN counts as the largest value and the first index wins ties, as in numpy; `takes`
  // says whether (v, vi) replaces (acc, ai), which makes the combination order-independent.
  const nan = (x: string): string => (t === 'f32' ? `is_nan(${x})` : 'false');
  return `fn takes(acc: ${t}, ai: u32, v: ${t}, vi: u32) -> bool {
  let na = ${nan('acc')};
  let nv = ${nan('v')};
  if (na && nv) { return vi < ai; }
  if (na) { return false; }
  if (nv) { return true; }
  if (v > acc) { return true; }
  return v == acc && vi < ai;
}`;
}

function program(op: ReduceOp, dtype: GpuDType, variant: Variant): Program {
  return {
    key: `reduce:${op}:${dtype}:${variant}`,
    source: () => {
      const t = wgslType(dtype);
      const arg = op === 'ArgMax';
      const outType = arg ? 'i32' : t;
      const header = `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read> X: array<${t}>;
@group(0) @binding(2) var<storage, read_write> O: array<${outType}>;
${NUMERICS_WGSL}
${combineWgsl(op, t)}
fn kept_offset(o: u32) -> u32 {
  var rem = o;
  var off = P(4u);
  for (var d = P(2u); d > 0u; d = d - 1u) {
    let n = P(${KEPT_SHAPE - 1}u + d);
    off = off + (rem % n) * P(${KEPT_STRIDES - 1}u + d);
    rem = rem / n;
  }
  return off;
}
fn reduced_offset(r: u32) -> u32 {
  if (P(3u) == 1u) { return r * P(${RED_STRIDES}u); }
  var rem = r;
  var off = 0u;
  for (var d = P(3u); d > 0u; d = d - 1u) {
    let n = P(${RED_SHAPE - 1}u + d);
    off = off + (rem % n) * P(${RED_STRIDES - 1}u + d);
    rem = rem / n;
  }
  return off;
}`;
      // The per-invocation loop over reduced elements [from, to) with step `step`.
      const loop = (from: string, to: string, step: string): string =>
        arg
          ? `var acc = ${identity('Max', t)};
  var ai = 0xffffffffu;
  for (var r = ${from}; r < ${to}; r = r + ${step}) {
    let v = X[base + reduced_offset(r)];
    if (takes(acc, ai, v, r)) { acc = v; ai = r; }
  }`
          : `var acc = ${identity(op, t)};
  for (var r = ${from}; r < ${to}; r = r + ${step}) { acc = combine(acc, X[base + reduced_offset(r)]); }`;
      if (variant === 'thread') {
        return `${header}
@compute @workgroup_size(${THREAD_WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = ${linearIndexWgsl(THREAD_WG)};
  if (w >= P(0u) * P(37u)) { return; }
  // Neighbouring invocations take neighbouring outputs (so their reads coalesce when the kept
  // axis is the inner one); the slices of one output's elements lie P(0) invocations apart.
  let o = w % P(0u);
  let first = (w / P(0u)) * P(38u);
  let last = min(P(1u), first + P(38u));
  let base = kept_offset(o);
  ${loop('first', 'last', '1u')}
  O[w] = ${arg ? 'i32(ai)' : 'acc'};
}`;
      }
      const treeStep = arg
        ? `if (t < s && takes(vals[t], idx[t], vals[t + s], idx[t + s])) { vals[t] = vals[t + s]; idx[t] = idx[t + s]; }`
        : `if (t < s) { vals[t] = combine(vals[t], vals[t + s]); }`;
      return `${header}
var<workgroup> vals: array<${t}, ${TREE_WG}>;
${arg ? `var<workgroup> idx: array<u32, ${TREE_WG}>;` : ''}
@compute @workgroup_size(${TREE_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = wid.x + wid.y * nwg.x;
  if (w >= P(0u) * P(37u)) { return; }
  let o = w / P(37u);
  let slice = w % P(37u);
  let base = kept_offset(o);
  let first = slice * P(38u);
  let last = min(P(1u), first + P(38u));
  ${loop('first + t', 'last', `${TREE_WG}u`)}
  vals[t] = acc;
  ${arg ? 'idx[t] = ai;' : ''}
  workgroupBarrier();
  for (var s = ${TREE_WG / 2}u; s > 0u; s = s >> 1u) {
    ${treeStep}
    workgroupBarrier();
  }
  if (t == 0u) { O[w] = ${arg ? 'i32(idx[0])' : 'vals[0]'}; }
}`;
    },
  };
}

interface Plan {
  readonly params: number[];
  readonly outputs: number;
  readonly length: number;
  readonly keptInnerContiguous: boolean;
}

function plan(op: string, x: GpuArray, axes: readonly number[]): Plan {
  const rank = x.shape.length;
  if (!axes.every((a, i) => Number.isInteger(a) && a >= 0 && a < rank && (i === 0 || a > axes[i - 1]))) {
    throw new AxisError(
      `webgpu ${op}: axes ${JSON.stringify(axes)} are not sorted, distinct axes of a rank-${rank} array`,
    );
  }
  const keptAxes = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const kept = collapse(
    keptAxes.map((i) => x.shape[i]),
    [keptAxes.map((i) => x.strides[i])],
  );
  const red = collapse(
    axes.map((i) => x.shape[i]),
    [axes.map((i) => x.strides[i])],
  );
  if (kept.shape.length > MAX_RANK || red.shape.length > MAX_RANK) {
    throw new BackendError(
      `webgpu ${op}: input of rank ${x.shape.length} has too many axes after merging (at most ${MAX_RANK} kept and ${MAX_RANK} reduced)`,
    );
  }
  const params = new Array<number>(39).fill(0);
  const outputs = kept.shape.reduce((n, d) => n * d, 1);
  const length = red.shape.reduce((n, d) => n * d, 1);
  params[0] = outputs;
  params[1] = length;
  params[2] = kept.shape.length;
  params[3] = red.shape.length;
  params[4] = x.offset;
  kept.shape.forEach((n, d) => (params[KEPT_SHAPE + d] = n));
  kept.strides[0].forEach((s, d) => (params[KEPT_STRIDES + d] = s));
  red.shape.forEach((n, d) => (params[RED_SHAPE + d] = n));
  red.strides[0].forEach((s, d) => (params[RED_STRIDES + d] = s));
  const keptInner = kept.strides[0][kept.shape.length - 1];
  return { params, outputs, length, keptInnerContiguous: keptInner === 1 && red.strides[0].every((s) => s !== 1) };
}

/** Runs the planned reduction of `x` into `out` (contiguous, one element per output). */
function dispatch(ctx: KernelContext, op: ReduceOp, x: GpuArray, out: GpuArray, p: Plan): void {
  const thread = p.length <= SHORT || (p.keptInnerContiguous && p.outputs >= 1024);
  // Long reductions are split into slices reduced in parallel (partial results, then a second
  // pass), except ArgMax, whose partial results would need their indices too.
  let slices = 1;
  if (op !== 'ArgMax' && thread && p.length > 8 * THREAD_SLICE)
    slices = Math.min(64, Math.ceil(p.length / THREAD_SLICE));
  if (op !== 'ArgMax' && !thread && p.outputs < 64 && p.length > 8 * SLICE)
    slices = Math.min(1024, Math.ceil(p.length / SLICE));
  const params = [...p.params];
  params[37] = slices;
  params[38] = Math.ceil(p.length / slices);
  const variant: Variant = thread ? 'thread' : 'tree';
  const workgroups = thread ? Math.ceil((p.outputs * slices) / THREAD_WG) : p.outputs * slices;
  if (slices === 1) {
    ctx.run(program(op, x.dtype, variant), params, [x, out], workgroups);
    return;
  }
  // The thread variant lays the partial results out [slices, outputs], the tree variant
  // [outputs, slices]; the second pass reduces the slice axis.
  const partial = ctx.alloc(op, thread ? [slices, p.outputs] : [p.outputs, slices], x.dtype);
  ctx.run(program(op, x.dtype, variant), params, [x, partial], workgroups);
  dispatch(ctx, op, partial, out, plan(op, partial, [thread ? 0 : 1]));
  ctx.release(partial);
}

/** Sum, Max or Min of `x` along the sorted `axes`, into a new contiguous array. */
export function reduce(
  ctx: KernelContext,
  op: ReduceKernelName,
  x: GpuArray,
  axes: readonly number[],
  keepDims: boolean,
): GpuArray {
  const shape = reducedShape(x.shape, axes, keepDims);
  const p = plan(op, x, axes);
  if (p.outputs === 0) return ctx.alloc(op, shape, x.dtype);
  if (p.length === 0) {
    // NOTE: the sum of nothing is 0, the maximum of nothing -Inf and the minimum +Inf (the identity
    // of each; int32 has the ends of its range).
    const float = x.dtype === 'float32';
    const empty = { Sum: 0, Max: float ? -Infinity : -2147483648, Min: float ? Infinity : 2147483647 }[op];
    return fill(ctx, op, shape, empty, x.dtype);
  }
  const out = ctx.alloc(op, shape, x.dtype);
  dispatch(ctx, op, x, out, p);
  return out;
}

/** Index of the largest element along `axis` (int32; NaN counts as largest; first on ties). */
export function argMax(ctx: KernelContext, x: GpuArray, axis: number): GpuArray {
  const shape = reducedShape(x.shape, [axis], false);
  const p = plan('ArgMax', x, [axis]);
  if (p.outputs === 0 || p.length === 0) return fill(ctx, 'ArgMax', shape, 0, 'int32');
  const out = ctx.alloc('ArgMax', shape, 'int32');
  dispatch(ctx, 'ArgMax', x, out, p);
  return out;
}
