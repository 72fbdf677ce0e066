import { BackendError, broadcastShapes, type BinaryKernelName, type UnaryKernelName } from '@graphgrad/core';
import type { GpuArray, GpuDType } from '../gpu-array.ts';
import type { KernelContext } from '../kernel-context.ts';
import type { Program } from '../pipeline-cache.ts';
import { broadcastStrides, collapse } from '../strides.ts';
import { NUMERICS_WGSL, SPECIAL_FUNCTIONS_WGSL } from '../wgsl/numerics.ts';
import { linearIndexWgsl, wgslType } from '../wgsl/params.ts';

/**
 * The operations of the elementwise family: the backend's unary and binary kernels, Where (of three
 * operands: a condition and two values), a copy and the casts.
 */
type ElementwiseOp = UnaryKernelName | BinaryKernelName | 'Where' | 'Copy' | 'CastToInt' | 'CastToFloat';

type Scalar = 'f32' | 'i32';

/**
 * One operation in WGSL: its result as an expression of the operands' values `v` (WGSL
 * expressions) of scalar types `t`, and how it runs on int32 values.
 */
interface OpWgsl {
  readonly expr: (v: readonly string[], t: readonly Scalar[]) => string;
  /**
   * On int32 values: `'same'`, the same expression; `'float'`, the expression on the values
   * converted to float32, stored back truncated (f32_to_i32: the CPU backend stores a Math result
   * into an Int32Array the same way); or an expression of its own.
   */
  readonly int32: 'same' | 'float' | ((v: readonly string[]) => string);
}

const WORKGROUP = 256;
/** Axes an elementwise kernel indexes after collapsing (more than any graphgrad model needs). */
export const MAX_RANK = 8;
/** Operands an elementwise kernel reads (Where's three). */
const MAX_OPERANDS = 3;

/** A comparison: 1 or 0 in the operands' type. */
const comparison = (cond: (v: readonly string[]) => string): OpWgsl => ({
  expr: (v, t) => `select(${t[0]}(0), ${t[0]}(1), ${cond(v)})`,
  int32: 'same',
});

/** Every operation of the family, in one table. */
const OPS: Record<ElementwiseOp, OpWgsl> = {
  Neg: { expr: ([a]) => `-${a}`, int32: 'same' },
  Exp: { expr: ([a]) => `exp_ieee(${a})`, int32: 'float' },
  Log: { expr: ([a]) => `log_ieee(${a})`, int32: 'float' },
  Log1p: { expr: ([a]) => `log1p_ieee(${a})`, int32: 'float' },
  Sqrt: { expr: ([a]) => `sqrt_ieee(${a})`, int32: 'float' },
  Sigmoid: { expr: ([a]) => `sigmoid_ieee(${a})`, int32: 'float' },
  Tanh: { expr: ([a]) => `tanh_ieee(${a})`, int32: 'float' },
  Erf: { expr: ([a]) => `erf_f32(${a})`, int32: 'float' },
  Abs: { expr: ([a]) => `abs(${a})`, int32: 'same' },
  // NOTE: int32 arithmetic wraps like the CPU backend's Int32Array stores.
  Add: { expr: ([a, b]) => `${a} + ${b}`, int32: 'same' },
  Sub: { expr: ([a, b]) => `${a} - ${b}`, int32: 'same' },
  Mul: { expr: ([a, b]) => `${a} * ${b}`, int32: 'same' },
  Div: { expr: ([a, b]) => `div_ieee(${a}, ${b})`, int32: ([a, b]) => `div_i32(${a}, ${b})` },
  // NOTE: NaN propagates, as JavaScript's Math.max and Math.min and numpy's maximum and minimum do.
  Maximum: { expr: ([a, b]) => `max_nan(${a}, ${b})`, int32: ([a, b]) => `max(${a}, ${b})` },
  Minimum: { expr: ([a, b]) => `min_nan(${a}, ${b})`, int32: ([a, b]) => `min(${a}, ${b})` },
  Pow: { expr: ([a, b]) => `pow_ieee(${a}, ${b})`, int32: ([a, b]) => `pow_i32(${a}, ${b})` },
  Greater: comparison(([a, b]) => `${a} > ${b}`),
  GreaterEqual: comparison(([a, b]) => `${a} >= ${b}`),
  // NOTE: NaN equals nothing, itself included; tested by bits, as a compiler may assume no NaN.
  Equal: {
    expr: ([a, b]) => `select(0.0, 1.0, ${a} == ${b} && !is_nan(${a}))`,
    int32: ([a, b]) => `select(0, 1, ${a} == ${b})`,
  },
  NotEqual: {
    expr: ([a, b]) => `select(1.0, 0.0, ${a} == ${b} && !is_nan(${a}))`,
    int32: ([a, b]) => `select(1, 0, ${a} == ${b})`,
  },
  // Any nonzero condition (NaN included) picks the first value, as numpy's where does.
  Where: { expr: ([c, a, b], t) => `select(${b}, ${a}, nonzero_${t[0]}(${c}))`, int32: 'same' },
  Copy: { expr: ([a]) => a, int32: 'same' },
  CastToInt: { expr: ([a]) => `f32_to_i32(${a})`, int32: 'same' },
  CastToFloat: { expr: ([a]) => `f32(${a})`, int32: 'same' },
};

/** The WGSL of `op` on operand values `v` of types `t`; the last operand's type is the values' type. */
function expressionOf(op: ElementwiseOp, v: readonly string[], t: readonly Scalar[]): string {
  const { expr, int32 } = OPS[op];
  if (t[t.length - 1] === 'f32' || int32 === 'same') return expr(v, t);
  if (int32 === 'float')
    return `f32_to_i32(${expr(
      v.map((x) => `f32(${x})`),
      t.map(() => 'f32'),
    )})`;
  return int32(v);
}

/**
 * How an operand is read: `c` contiguous over the output's elements, `s` one element for all
 * (a broadcast scalar), `g` general strides.
 */
type Access = 'c' | 's' | 'g';

// The parameter block, as the WGSL struct declares it and `paramsOf` writes it (in u32 words; each
// vec4 starts on a multiple of four words). With `vec4`, counts and offsets are in vec4s.
const PARAMS_WGSL = /* wgsl */ `
struct Params {
  size: u32,
  rank: u32,
  offsets: vec4<u32>,
  shape: array<vec4<u32>, ${MAX_RANK / 4}>,
  strides: array<array<vec4<u32>, ${MAX_RANK / 4}>, ${MAX_OPERANDS}>,
}
@group(0) @binding(0) var<uniform> params: Params;
fn shape_of(d: u32) -> u32 { return params.shape[d >> 2u][d & 3u]; }
fn stride_of(k: u32, d: u32) -> u32 { return params.strides[k][d >> 2u][d & 3u]; }
`;
const WORDS = { size: 0, rank: 1, offsets: 4, shape: 8, strides: 8 + MAX_RANK } as const;

function paramsOf(size: number, shape: readonly number[], offsets: readonly number[], strides: number[][]): number[] {
  const params = new Array<number>(WORDS.strides + MAX_RANK * strides.length).fill(0);
  params[WORDS.size] = size;
  params[WORDS.rank] = shape.length;
  offsets.forEach((o, k) => (params[WORDS.offsets + k] = o));
  shape.forEach((n, d) => (params[WORDS.shape + d] = n));
  strides.forEach((s, k) => s.forEach((v, d) => (params[WORDS.strides + MAX_RANK * k + d] = v)));
  return params;
}

function program(
  op: ElementwiseOp,
  types: readonly GpuDType[],
  outType: GpuDType,
  access: readonly Access[],
  vec4: boolean,
): Program {
  return {
    key: `elementwise:${op}:${types.join(',')}:${outType}:${access.join('')}:${vec4 ? 'vec4' : 'scalar'}`,
    source: () => {
      const t = types.map(wgslType);
      const tout = wgslType(outType);
      const names = ['A', 'B', 'C'].slice(0, access.length);
      const bindings = names
        .map((n, k) => `@group(0) @binding(${k + 1}) var<storage, read> ${n}: array<${vec4 ? `vec4<${t[k]}>` : t[k]}>;`)
        .join('\n');
      const out = `@group(0) @binding(${access.length + 1}) var<storage, read_write> O: array<${vec4 ? `vec4<${tout}>` : tout}>;`;
      const index = (k: number): string => {
        if (access[k] === 'c') return `params.offsets[${k}] + i`;
        if (access[k] === 's') return `params.offsets[${k}]`;
        return `off${k}`;
      };
      const general = access.some((a) => a === 'g');
      const walk = general
        ? `var rem = i;
  ${access.map((a, k) => (a === 'g' ? `var off${k} = params.offsets[${k}];` : '')).join(' ')}
  for (var d = params.rank; d > 0u; d = d - 1u) {
    let n = shape_of(d - 1u);
    let c = rem % n;
    rem = rem / n;
    ${access.map((a, k) => (a === 'g' ? `off${k} = off${k} + c * stride_of(${k}u, d - 1u);` : '')).join(' ')}
  }`
        : '';
      const args = names.map((n, k) => `${n}[${index(k)}]`);
      let body: string;
      if (vec4) {
        const lane = (c: string): string =>
          expressionOf(
            op,
            args.map((a, k) => (access[k] === 's' ? `${a}.x` : `${a}.${c}`)),
            t,
          );
        body = `O[i] = vec4<${tout}>(${['x', 'y', 'z', 'w'].map(lane).join(', ')});`;
      } else body = `O[i] = ${expressionOf(op, args, t)};`;
      return `${PARAMS_WGSL}
${bindings}
${out}
${NUMERICS_WGSL}
${SPECIAL_FUNCTIONS_WGSL}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${linearIndexWgsl(WORKGROUP)};
  if (i >= params.size) { return; }
  ${walk}
  ${body}
}`;
    },
  };
}

/**
 * Runs an elementwise operation of one to three operands, broadcast numpy's way by strides, into a
 * new contiguous array of `outType`. Views need no copy: each operand is read through its own
 * strides. Contiguous operands of a common shape take a flat (and, when aligned, vec4) path.
 */
export function elementwise(
  ctx: KernelContext,
  op: ElementwiseOp,
  inputs: readonly GpuArray[],
  outType: GpuDType,
): GpuArray {
  const shape = inputs.slice(1).reduce<number[]>((s, x) => broadcastShapes(op, s, x.shape), [...inputs[0].shape]);
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
  const params = paramsOf(
    size / unit,
    flat.shape,
    offsets.map((o) => o / unit),
    flat.strides,
  );
  const types = inputs.map((x) => x.dtype);
  ctx.run(program(op, types, outType, access, vecOk), params, [...inputs, out], Math.ceil(size / unit / WORKGROUP));
  return out;
}

/** A contiguous copy of `x` (the strided copy behind a reshape of a non-contiguous view). */
export function copy(ctx: KernelContext, x: GpuArray): GpuArray {
  return elementwise(ctx, 'Copy', [x], x.dtype);
}
