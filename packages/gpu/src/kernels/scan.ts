import type { GpuArray, GpuDType } from '../gpu-array.ts';
import type { KernelContext } from '../kernel-context.ts';
import type { Program } from '../pipeline-cache.ts';
import { linearIndexWgsl, wgslType } from '../wgsl/params.ts';

const WORKGROUP = 64;

const PARAMS_WGSL = /* wgsl */ `
struct Params {
  lines: u32,
  len: u32,
  inner: u32,
  offset: u32,
}
@group(0) @binding(0) var<uniform> params: Params;
`;

// NOTE: one invocation per line along the axis, summing it in order: neighbouring invocations take
// neighbouring lines, so their reads coalesce when the axis is not the last one. A long axis with
// few lines leaves the device mostly idle; no graphgrad model scans such an axis yet.
function program(dtype: GpuDType, reverse: boolean): Program {
  return {
    key: `cumsum:${dtype}:${reverse ? 'reverse' : 'forward'}`,
    source: () => {
      const t = wgslType(dtype);
      const position = reverse ? 'params.len - 1u - step' : 'step';
      return `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read> X: array<${t}>;
@group(0) @binding(2) var<storage, read_write> O: array<${t}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = ${linearIndexWgsl(WORKGROUP)};
  if (w >= params.lines) { return; }
  let base = (w / params.inner) * params.len * params.inner + w % params.inner;
  var total = ${t}(0);
  for (var step = 0u; step < params.len; step = step + 1u) {
    let at = base + (${position}) * params.inner;
    total = total + X[params.offset + at];
    O[at] = total;
  }
}`;
    },
  };
}

/** Running sums of `x` along `axis` (from the end when `reverse`), into a new contiguous array. */
export function cumsum(ctx: KernelContext, x: GpuArray, axis: number, reverse: boolean): GpuArray {
  const out = ctx.alloc('Cumsum', x.shape, x.dtype);
  if (out.size === 0) return out;
  const dense = ctx.contiguous(x);
  const len = x.shape[axis];
  const inner = x.shape.slice(axis + 1).reduce((n, d) => n * d, 1);
  const lines = out.size / len;
  ctx.run(program(x.dtype, reverse), [lines, len, inner, dense.offset], [dense, out], Math.ceil(lines / WORKGROUP));
  ctx.release(dense);
  return out;
}
