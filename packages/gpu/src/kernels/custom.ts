import { ArgumentError, type Shape } from '@graphgrad/core';
import type { GpuArray, GpuDType } from '../gpu-array.ts';
import type { KernelContext } from '../kernel-context.ts';
import type { Program } from '../pipeline-cache.ts';
import { copy } from './elementwise.ts';
import { isContiguous } from '../strides.ts';
import { f32Bits, linearIndexWgsl, PARAM_WORDS, PARAMS_WGSL, wgslType } from '../wgsl/params.ts';

/** How a {@link WgslKernel} is declared: its name, its inputs' names and its WGSL. */
export interface WgslKernelSpec {
  /** Shown in pipeline labels and error messages: `'Swish'`. */
  readonly name: string;
  /**
   * Names of the input arrays, in the order they are passed; each becomes a read-only storage
   * array of that name in the WGSL (`array<f32>` or `array<i32>`, row-major, contiguous). Every
   * input must be read by the source, since WebGPU drops unused bindings.
   */
  readonly inputs: readonly string[];
  /**
   * The kernel's WGSL: helper functions and a `main` entry point declared with
   * `@compute @workgroup_size(WORKGROUP_SIZE)` and the built-ins `gid` (global_invocation_id) and
   * `nwg` (num_workgroups). The backend prepends the declarations it may use: `out` (the output
   * array), `output_size()`, `param(i)` (the i-th float parameter), `global_index(gid, nwg)` (the
   * invocation's linear index; one invocation per output element is dispatched) and the constant
   * `WORKGROUP_SIZE`.
   */
  readonly wgsl: string;
  /** Invocations per workgroup (default 64). */
  readonly workgroupSize?: number;
}

/** A compiled-once WGSL kernel of your own, run with `WebGPUBackend.runKernel`. */
export interface WgslKernel extends Required<WgslKernelSpec> {
  /** Distinguishes kernels that share a name in the pipeline cache. */
  readonly id: number;
}

let nextKernelId = 0;

/**
 * Declares a WGSL compute kernel of your own, for a node whose forward must run on the GPU with
 * code graphgrad's kernels do not have. Run it with `backend.runKernel(kernel, inputs, output)`.
 *
 * @example
 * const swish = defineWgslKernel({
 *   name: 'Swish',
 *   inputs: ['x'],
 *   wgsl: `
 * @compute @workgroup_size(WORKGROUP_SIZE)
 * fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
 *   let i = global_index(gid, nwg);
 *   if (i >= output_size()) { return; }
 *   out[i] = x[i] / (1.0 + exp(-x[i]));
 * }`,
 * });
 */
export function defineWgslKernel(spec: WgslKernelSpec): WgslKernel {
  const workgroupSize = spec.workgroupSize ?? 64;
  if (!Number.isInteger(workgroupSize) || workgroupSize < 1 || workgroupSize > 256) {
    throw new ArgumentError(
      `defineWgslKernel ${spec.name}: workgroupSize must be an integer in [1, 256], got ${workgroupSize}`,
    );
  }
  const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
  for (const input of spec.inputs) {
    if (!identifier.test(input) || ['out', 'params'].includes(input)) {
      throw new ArgumentError(`defineWgslKernel ${spec.name}: input name '${input}' is not a free WGSL identifier`);
    }
  }
  if (!/\bfn\s+main\s*\(/.test(spec.wgsl))
    throw new ArgumentError(`defineWgslKernel ${spec.name}: the WGSL has no 'fn main(...)' entry point`);
  return { name: spec.name, inputs: [...spec.inputs], wgsl: spec.wgsl, workgroupSize, id: nextKernelId++ };
}

/** Float parameters a kernel may take after word 0 (the output size). */
export const MAX_KERNEL_PARAMS = PARAM_WORDS - 1;

function program(kernel: WgslKernel, inputTypes: readonly GpuDType[], outType: GpuDType): Program {
  return {
    key: `custom:${kernel.id}:${kernel.name}:${inputTypes.join(',')}->${outType}`,
    source: () => {
      const bindings = kernel.inputs.map(
        (name, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${name}: array<${wgslType(inputTypes[i])}>;`,
      );
      return `${PARAMS_WGSL}
${bindings.join('\n')}
@group(0) @binding(${kernel.inputs.length + 1}) var<storage, read_write> out: array<${wgslType(outType)}>;
const WORKGROUP_SIZE: u32 = ${kernel.workgroupSize}u;
fn output_size() -> u32 { return P(0u); }
fn param(i: u32) -> f32 { return bitcast<f32>(P(i + 1u)); }
fn global_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return ${linearIndexWgsl(kernel.workgroupSize)}; }
${kernel.wgsl}`;
    },
  };
}

/**
 * Runs `kernel` with one invocation per element of a new `shape` array of zeros: inputs that are
 * views (transposed, broadcast, offset) are first copied to contiguous row-major arrays, so the
 * WGSL indexes every input as plain row-major data. If the WGSL does not compile, every read of
 * the output (and of anything computed from it) throws a `BackendError` naming the kernel and the
 * compiler's message.
 */
export function runCustomKernel(
  ctx: KernelContext,
  kernel: WgslKernel,
  inputs: readonly GpuArray[],
  shape: Shape,
  dtype: GpuDType,
  params: readonly number[],
): GpuArray {
  if (inputs.length !== kernel.inputs.length) {
    throw new ArgumentError(
      `webgpu ${kernel.name}: expects ${kernel.inputs.length} inputs (${kernel.inputs.join(', ')}), got ${inputs.length}`,
    );
  }
  if (params.length > MAX_KERNEL_PARAMS) {
    throw new ArgumentError(
      `webgpu ${kernel.name}: at most ${MAX_KERNEL_PARAMS} parameters fit the uniform block, got ${params.length}`,
    );
  }
  for (const [i, value] of params.entries()) {
    if (typeof value !== 'number') throw new ArgumentError(`webgpu ${kernel.name}: parameter ${i} is not a number`);
  }
  const plain = inputs.map((x) =>
    x.offset === 0 && isContiguous(x.shape, x.strides) ? ctx.view(x, x.shape, x.strides, 0) : copy(ctx, x),
  );
  let out: GpuArray | null = null;
  try {
    // NOTE: zeros, not a pooled buffer as it was left: an element the kernel does not write reads
    // as 0, never as another tensor's data.
    out = ctx.allocClean(kernel.name, shape, dtype);
    const size = out.size;
    if (size > 0) {
      const words = [size, ...params.map(f32Bits)];
      const prog = program(
        kernel,
        plain.map((x) => x.dtype),
        dtype,
      );
      ctx.run(prog, words, [...plain, out], Math.ceil(size / kernel.workgroupSize));
      // Until the compiler's verdict is in, the output may be unwritten: every read waits for it,
      // and one that did not compile poisons the output (and what is computed from it).
      const name = kernel.name;
      out.poison = ctx
        .compileErrors(prog)
        .then((errors) => (errors === null ? null : `webgpu ${name}: its WGSL does not compile: ${errors}`));
    }
    return out;
  } catch (error) {
    if (out !== null) ctx.release(out);
    throw error;
  } finally {
    for (const x of plain) ctx.release(x);
  }
}
