import type { Shape } from '@graphgrad/core';
import type { GpuArray, GpuDType } from '../gpu-array.ts';
import type { KernelContext } from '../kernel-context.ts';
import type { Program } from '../pipeline-cache.ts';
import { f32Bits, i32Bits, linearIndexWgsl, PARAMS_WGSL, wgslType } from '../wgsl/params.ts';

const WORKGROUP = 256;

// Parameter words: 0 size, 1 the value's bits.
function program(dtype: GpuDType): Program {
  return {
    key: `fill:${dtype}`,
    source: () => `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: array<${wgslType(dtype)}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${linearIndexWgsl(WORKGROUP)};
  if (i >= P(0u)) { return; }
  O[i] = bitcast<${wgslType(dtype)}>(P(1u));
}`,
  };
}

/** A new array of `shape` with every element `value`, written by a dispatch (so it stays in order with the kernels around it). */
export function fill(ctx: KernelContext, op: string, shape: Shape, value: number, dtype: GpuDType): GpuArray {
  const out = ctx.alloc(op, shape, dtype);
  const size = out.size;
  if (size === 0) return out;
  const bits = dtype === 'float32' ? f32Bits(value) : i32Bits(Math.trunc(value) | 0);
  ctx.run(program(dtype), [size, bits], [out], Math.ceil(size / WORKGROUP));
  return out;
}
