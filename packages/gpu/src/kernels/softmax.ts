import { BackendError, DTypeError, formatShape, ShapeError, shapesEqual } from '@graphgrad/core';
import type { GpuArray } from '../gpu-array.ts';
import type { KernelContext } from '../kernel-context.ts';
import type { Program } from '../pipeline-cache.ts';
import { collapse } from '../strides.ts';
import { NUMERICS_WGSL } from '../wgsl/numerics.ts';
import { linearIndexWgsl, PARAMS_WGSL } from '../wgsl/params.ts';
import { MAX_RANK } from './elementwise.ts';

/** `thread`: one invocation per row (short rows); `tree`: one workgroup per row. */
type Variant = 'thread' | 'tree';

const THREAD_WG = 64;
const TREE_WG = 256;
/** Rows at most this long are handled by one invocation each. */
const SHORT = 32;

// NOTE: logsumexp(x) - Σ w·x is computed as log Σ e^(x-m) - Σ w·(x - m) + m·(1 - Σ w), the same
// value without the cancellation of m + log Σ e^(x-m) - Σ w·x when the logits are large (±1e3):
// for targets that sum to 1 the last term vanishes and no term is larger than the result needs.
const CE_RESULT = 'log_ieee(total) - dot + select(m * (1.0 - wsum), 0.0, wsum == 1.0)';

function chooseVariant(columns: number): Variant {
  return columns <= SHORT ? 'thread' : 'tree';
}

/**
 * The per-row loops of both kernels. A row's element `c` is `X[row_base(r) + c * colStride]`; the
 * same three passes (maximum, sum of exponentials, then the output) run either sequentially in one
 * invocation or spread over a workgroup with a tree of partial results between passes.
 */
function rowProgram(kind: 'softmax' | 'cross-entropy', variant: Variant): Program {
  const ce = kind === 'cross-entropy';
  return {
    key: `${kind}:${variant}`,
    source: () => {
      // Softmax parameter words: 0 rows, 1 columns, 2 row rank, 3 offset, 4 column stride,
      // 5..12 row shape, 13..20 row strides. Cross entropy: 0 rows, 1 columns, 2 logits offset,
      // 3 logits row stride, 4 logits column stride, 5 target offset, 6 target row stride,
      // 7 target column stride.
      const bindings = ce
        ? `@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> T: array<f32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;
fn x_at(r: u32, c: u32) -> f32 { return X[P(2u) + r * P(3u) + c * P(4u)]; }
fn t_at(r: u32, c: u32) -> f32 { return T[P(5u) + r * P(6u) + c * P(7u)]; }`
        : `@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<f32>;
fn row_base(r: u32) -> u32 {
  var rem = r;
  var off = P(3u);
  for (var d = P(2u); d > 0u; d = d - 1u) {
    let n = P(4u + d);
    off = off + (rem % n) * P(12u + d);
    rem = rem / n;
  }
  return off;
}`;
      const header = `${PARAMS_WGSL}
${bindings}
${NUMERICS_WGSL}`;
      const xAt = ce ? (c: string) => `x_at(r, ${c})` : (c: string) => `X[base + ${c} * P(4u)]`;
      const setup = ce ? '' : 'let base = row_base(r);';
      if (variant === 'thread') {
        // NOTE: subtracting the row maximum keeps exp() from overflowing; the result is unchanged.
        const finish = ce
          ? `var total = 0.0;
  var dot = 0.0;
  var wsum = 0.0;
  for (var c = 0u; c < C; c = c + 1u) {
    let v = ${xAt('c')};
    total = total + exp_ieee(v - m);
    let w = t_at(r, c);
    if (w != 0.0 || is_nan(w)) { dot = dot + w * (v - m); wsum = wsum + w; }
  }
  O[r] = ${CE_RESULT};`
          : `var total = 0.0;
  for (var c = 0u; c < C; c = c + 1u) { total = total + exp_ieee(${xAt('c')} - m); }
  for (var c = 0u; c < C; c = c + 1u) { O[r * C + c] = exp_ieee(${xAt('c')} - m) / total; }`;
        return `${header}
@compute @workgroup_size(${THREAD_WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = ${linearIndexWgsl(THREAD_WG)};
  if (r >= P(0u)) { return; }
  let C = P(1u);
  ${setup}
  var m = -inf_f32();
  for (var c = 0u; c < C; c = c + 1u) { m = max_nan(m, ${xAt('c')}); }
  ${finish}
}`;
      }
      const tree = (combine: string): string => `workgroupBarrier();
  for (var s = ${TREE_WG / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { ${combine} }
    workgroupBarrier();
  }`;
      const finish = ce
        ? `var total = 0.0;
  var dot = 0.0;
  var wsum = 0.0;
  for (var c = t; c < C; c = c + ${TREE_WG}u) {
    let v = ${xAt('c')};
    total = total + exp_ieee(v - m);
    let w = t_at(r, c);
    if (w != 0.0 || is_nan(w)) { dot = dot + w * (v - m); wsum = wsum + w; }
  }
  red[t] = total;
  red2[t] = dot;
  red3[t] = wsum;
  ${tree('red[t] = red[t] + red[t + s]; red2[t] = red2[t] + red2[t + s]; red3[t] = red3[t] + red3[t + s];')}
  if (t == 0u) {
    total = red[0];
    dot = red2[0];
    wsum = red3[0];
    O[r] = ${CE_RESULT};
  }`
        : `var total = 0.0;
  for (var c = t; c < C; c = c + ${TREE_WG}u) { total = total + exp_ieee(${xAt('c')} - m); }
  red[t] = total;
  ${tree('red[t] = red[t] + red[t + s];')}
  let sum = red[0];
  for (var c = t; c < C; c = c + ${TREE_WG}u) { O[r * C + c] = exp_ieee(${xAt('c')} - m) / sum; }`;
      return `${header}
var<workgroup> red: array<f32, ${TREE_WG}>;
${ce ? `var<workgroup> red2: array<f32, ${TREE_WG}>;\nvar<workgroup> red3: array<f32, ${TREE_WG}>;` : ''}
@compute @workgroup_size(${TREE_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= P(0u)) { return; }
  let C = P(1u);
  ${setup}
  var m = -inf_f32();
  for (var c = t; c < C; c = c + ${TREE_WG}u) { m = max_nan(m, ${xAt('c')}); }
  red[t] = m;
  ${tree('red[t] = max_nan(red[t], red[t + s]);')}
  m = red[0];
  workgroupBarrier();
  ${finish}
}`;
    },
  };
}

function requireFloat32(op: string, x: GpuArray, input: string): void {
  if (x.dtype !== 'float32') throw new DTypeError(`webgpu ${op}: ${input} must be float32, got ${x.dtype}`);
}

/** Softmax along the last axis, fused: row maximum, sum of exponentials and output in one kernel. */
export function softmax(ctx: KernelContext, x: GpuArray): GpuArray {
  requireFloat32('Softmax', x, 'x');
  const out = ctx.alloc('Softmax', x.shape, 'float32');
  if (out.size === 0) return out;
  const rank = x.shape.length;
  const columns = rank === 0 ? 1 : x.shape[rank - 1];
  const rows = out.size / columns;
  const rowAxes = collapse(x.shape.slice(0, Math.max(rank - 1, 0)), [x.strides.slice(0, Math.max(rank - 1, 0))]);
  if (rowAxes.shape.length > MAX_RANK) {
    ctx.release(out);
    throw new BackendError(`webgpu Softmax: input of rank ${rank} has more than ${MAX_RANK} row axes after merging`);
  }
  const params = new Array<number>(21).fill(0);
  params[0] = rows;
  params[1] = columns;
  params[2] = rowAxes.shape.length;
  params[3] = x.offset;
  params[4] = rank === 0 ? 0 : x.strides[rank - 1];
  rowAxes.shape.forEach((n, d) => (params[5 + d] = n));
  rowAxes.strides[0].forEach((s, d) => (params[13 + d] = s));
  const variant = chooseVariant(columns);
  ctx.run(rowProgram('softmax', variant), params, [x, out], variant === 'thread' ? Math.ceil(rows / THREAD_WG) : rows);
  return out;
}

/**
 * Per-row cross entropy of softmax(logits) against target probabilities, both [N, C]:
 * logsumexp(logits[n]) - Σ_c target[n, c]·logits[n, c], fused in one kernel.
 */
export function softmaxCrossEntropy(ctx: KernelContext, logits: GpuArray, target: GpuArray): GpuArray {
  requireFloat32('SoftmaxCrossEntropy', logits, 'logits');
  requireFloat32('SoftmaxCrossEntropy', target, 'target');
  if (logits.shape.length !== 2 || !shapesEqual(logits.shape, target.shape)) {
    throw new ShapeError(
      `webgpu SoftmaxCrossEntropy: logits and target must both be [N, C], got ${formatShape(logits.shape)} and ${formatShape(target.shape)}`,
    );
  }
  const [rows, columns] = logits.shape;
  const out = ctx.alloc('SoftmaxCrossEntropy', [rows], 'float32');
  if (rows === 0) return out;
  const params = [
    rows,
    columns,
    logits.offset,
    logits.strides[0],
    logits.strides[1],
    target.offset,
    target.strides[0],
    target.strides[1],
  ];
  const variant = chooseVariant(columns);
  ctx.run(
    rowProgram('cross-entropy', variant),
    params,
    [logits, target, out],
    variant === 'thread' ? Math.ceil(rows / THREAD_WG) : rows,
  );
  return out;
}
