import { BackendError, broadcastShapes, type BinaryKernelName, type UnaryKernelName } from '@graphgrad/core';
import type { GpuArray, GpuDType } from '../gpu-array.ts';
import type { KernelContext } from '../kernel-context.ts';
import type { Program } from '../pipeline-cache.ts';
import { broadcastStrides, collapse } from '../strides.ts';
import { NUMERICS_WGSL } from '../wgsl/numerics.ts';
import { linearIndexWgsl, PARAMS_WGSL, wgslType } from '../wgsl/params.ts';

/** The operations of the elementwise family: the backend's unary and binary kernels, a copy and the casts. */
type ElementwiseOp = UnaryKernelName | BinaryKernelName | 'Copy' | 'CastToInt' | 'CastToFloat';

const WORKGROUP = 256;
/** Axes an elementwise kernel indexes after collapsing (more than any graphgrad model needs). */
export const MAX_RANK = 8;

const FLOAT_EXPR: Record<ElementwiseOp, (a: string, b: string) => string> = {
  Neg: (a) => `-${a}`,
  Exp: (a) => `exp_ieee(${a})`,
  Log: (a) => `log_ieee(${a})`,
  Sqrt: (a) => `sqrt_ieee(${a})`,
  Sigmoid: (a) => `sigmoid_ieee(${a})`,
  Tanh: (a) => `tanh_ieee(${a})`,
  Abs: (a) => `abs(${a})`,
  Add: (a, b) => `${a} + ${b}`,
  Sub: (a, b) => `${a} - ${b}`,
  Mul: (a, b) => `${a} * ${b}`,
  Div: (a, b) => `div_ieee(${a}, ${b})`,
  // NOTE: NaN propagates, as JavaScript's Math.max and numpy's maximum do.
  Maximum: (a, b) => `max_nan(${a}, ${b})`,
  Greater: (a, b) => `select(0.0, 1.0, ${a} > ${b})`,
  Copy: (a) => a,
  CastToInt: (a) => `f32_to_i32(${a})`,
  CastToFloat: (a) => a,
};

const INT_EXPR: Record<ElementwiseOp, (a: string, b: string) => string> = {
  ...FLOAT_EXPR,
  // NOTE: int32 arithmetic wraps like the CPU backend's Int32Array stores; transcendental functions
  // of int32 values are computed in float32 and stored back with the same truncation.
  Neg: (a) => `-${a}`,
  Exp: (a) => `f32_to_i32(exp_ieee(f32(${a})))`,
  Log: (a) => `f32_to_i32(log_ieee(f32(${a})))`,
  Sqrt: (a) => `f32_to_i32(sqrt_ieee(f32(${a})))`,
  Sigmoid: (a) => `f32_to_i32(sigmoid_ieee(f32(${a})))`,
  Tanh: (a) => `f32_to_i32(tanh_ieee(f32(${a})))`,
  Abs: (a) => `abs(${a})`,
  Div: (a, b) => `div_i32(${a}, ${b})`,
  Maximum: (a, b) => `max(${a}, ${b})`,
  Greater: (a, b) => `select(0, 1, ${a} > ${b})`,
  CastToFloat: (a) => `f32(${a})`,
};

/**
 * How an operand is read: `c` contiguous over the output's elements, `s` one element for all
 * (a broadcast scalar), `g` general strides.
 */
type Access = 'c' | 's' | 'g';

// Parameter words: 0 size, 1 rank, 2..3 operand offsets, 4..11 output shape, 12.. operand strides
// (8 per operand). With `vec4` every count and offset is in units of four elements.
const SHAPE = 4;
const STRIDES = 12;

function program(
  op: ElementwiseOp,
  inType: GpuDType,
  outType: GpuDType,
  access: readonly Access[],
  vec4: boolean,
): Program {
  return {
    key: `elementwise:${op}:${inType}:${outType}:${access.join('')}:${vec4 ? 'vec4' : 'scalar'}`,
    source: () => {
      const tin = wgslType(inType);
      const tout = wgslType(outType);
      const expr = (inType === 'int32' ? INT_EXPR : FLOAT_EXPR)[op];
      const names = ['A', 'B'].slice(0, access.length);
      const bindings = names
        .map((n, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${n}: array<${vec4 ? `vec4<${tin}>` : tin}>;`)
        .join('\n');
      const out = `@group(0) @binding(${access.length + 1}) var<storage, read_write> O: array<${vec4 ? `vec4<${tout}>` : tout}>;`;
      const index = (k: number): string => {
        if (access[k] === 'c') return `P(${2 + k}u) + i`;
        if (access[k] === 's') return `P(${2 + k}u)`;
        return `off${k}`;
      };
      const general = access.some((a) => a === 'g');
      const walk = general
        ? `var rem = i;
  ${access.map((a, k) => (a === 'g' ? `var off${k} = P(${2 + k}u);` : '')).join(' ')}
  for (var d = P(1u); d > 0u; d = d - 1u) {
    let n = P(${SHAPE - 1}u + d);
    let c = rem % n;
    rem = rem / n;
    ${access.map((a, k) => (a === 'g' ? `off${k} = off${k} + c * P(${STRIDES + 8 * k - 1}u + d);` : '')).join(' ')}
  }`
        : '';
      const args = names.map((n, k) => `${n}[${index(k)}]`);
      let body: string;
      if (vec4) {
        const lane = (c: string): string =>
          expr(...(args.map((a, k) => (access[k] === 's' ? `${a}.x` : `${a}.${c}`)) as [string, string]));
        body = `O[i] = vec4<${tout}>(${['x', 'y', 'z', 'w'].map(lane).join(', ')});`;
      } else body = `O[i] = ${expr(...(args as [string, string]))};`;
      return `${PARAMS_WGSL}
${bindings}
${out}
${NUMERICS_WGSL}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${linearIndexWgsl(WORKGROUP)};
  if (i >= P(0u)) { return; }
  ${walk}
  ${body}
}`;
    },
  };
}

/**
 * Runs an elementwise operation of one or two operands, broadcast numpy's way by strides, into a
 * new contiguous array of `outType`. Views need no copy: each operand is read through its own
 * strides. Contiguous operands of a common shape take a flat (and, when aligned, vec4) path.
 */
export function elementwise(
  ctx: KernelContext,
  op: ElementwiseOp,
  inputs: readonly GpuArray[],
  outType: GpuDType,
): GpuArray {
  const shape = inputs.length === 1 ? [...inputs[0].shape] : broadcastShapes(op, inputs[0].shape, inputs[1].shape);
  const out = ctx.alloc(op, shape, outType);
  const size = out.size;
  if (size === 0) return out;
  const strides = inputs.map((x) => broadcastStrides(x.shape, x.strides, shape));
  const flat = collapse(shape, strides);
  if (flat.shape.length > MAX_RANK) {
    ctx.release(out);
    throw new BackendError(
      `webgpu ${op}: operands of rank ${flat.shape.length} after merging axes exceed the kernels' ${MAX_RANK}`,
    );
  }
  const access: Access[] = inputs.map((_, k) => {
    const s = flat.strides[k];
    if (s.every((v) => v === 0)) return 's';
    if (s.length === 1 && s[0] === 1) return 'c';
    return 'g';
  });
  const offsets = inputs.map((x) => x.offset);
  // NOTE: a vec4 kernel reads a broadcast scalar as lane x of the vec4 holding it, so every
  // operand must start on a multiple of four elements for the vec4 path.
  const vecOk = size % 4 === 0 && access.every((a, k) => a !== 'g' && offsets[k] % 4 === 0);
  const unit = vecOk ? 4 : 1;
  const params = new Array<number>(STRIDES + 8 * inputs.length).fill(0);
  params[0] = size / unit;
  params[1] = flat.shape.length;
  offsets.forEach((o, k) => (params[2 + k] = o / unit));
  flat.shape.forEach((n, d) => (params[SHAPE + d] = n));
  flat.strides.forEach((s, k) => s.forEach((v, d) => (params[STRIDES + 8 * k + d] = v)));
  const inType = inputs[0].dtype;
  ctx.run(program(op, inType, outType, access, vecOk), params, [...inputs, out], Math.ceil(size / unit / WORKGROUP));
  return out;
}

/** A contiguous copy of `x` (the strided copy behind a reshape of a non-contiguous view). */
export function copy(ctx: KernelContext, x: GpuArray): GpuArray {
  return elementwise(ctx, 'Copy', [x], x.dtype);
}
