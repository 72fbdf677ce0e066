/**
 * Every program reads its shapes, strides, offsets and sizes from one small uniform block, so one
 * compiled pipeline serves every shape. The block is 64 u32 words read through `P(i)`; each kernel
 * documents the meaning of its words next to the code that writes them.
 */

/** Words in a parameter block (256 bytes: one uniform slot). */
export const PARAM_WORDS = 64;

/** WGSL: the uniform block at binding 0 and its accessor `P(i)`. */
export const PARAMS_WGSL = /* wgsl */ `
struct Params { v: array<vec4<u32>, ${PARAM_WORDS / 4}> }
@group(0) @binding(0) var<uniform> params: Params;
fn P(i: u32) -> u32 { return params.v[i >> 2u][i & 3u]; }
`;

/**
 * WGSL: the linear index of an invocation of a 1-D grid folded into two dimensions (a grid may
 * hold at most 65535 workgroups per dimension). `wg` is the workgroup size.
 */
export function linearIndexWgsl(wg: number): string {
  return `gid.x + gid.y * nwg.x * ${wg}u`;
}

/** The WGSL scalar type of a dtype the backend holds. */
export function wgslType(dtype: 'float32' | 'int32'): 'f32' | 'i32' {
  return dtype === 'float32' ? 'f32' : 'i32';
}

const scratch = new DataView(new ArrayBuffer(4));

/** The bits of `value` as a float32, for a parameter word. */
export function f32Bits(value: number): number {
  scratch.setFloat32(0, value, true);
  return scratch.getUint32(0, true);
}

/** The bits of `value` as an int32, for a parameter word. */
export function i32Bits(value: number): number {
  return value >>> 0;
}
