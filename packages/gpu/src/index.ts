// The WebGPU types (GPUDevice, GPUBuffer, …) are globals from @webgpu/types; `preserve` keeps the
// reference in the emitted index.d.ts, so a user's project sees them through this package.
/// <reference types="@webgpu/types" preserve="true" />
/**
 * @graphgrad/gpu: the WebGPU backend. Every kernel of graphgrad's backend interface in WGSL, on
 * Dawn in Node (the `webgpu` package) or on a browser's `navigator.gpu`.
 *
 * @example
 * import { setBackend, randn } from '@graphgrad/core';
 * import { createWebGPUBackend } from '@graphgrad/gpu';
 * const gpu = await createWebGPUBackend();
 * setBackend(gpu);
 * const x = randn([4, 3]);
 * console.log(await x.data());
 * gpu.destroy();
 * @module @graphgrad/gpu
 */
export {
  createWebGPUBackend,
  WebGPUBackend,
  type WebGPUBackendOptions,
  type WebGPUCounters,
} from './webgpu-backend.ts';
export type { DeviceRequest } from './device.ts';
export { defineWgslKernel, MAX_KERNEL_PARAMS, type WgslKernel, type WgslKernelSpec } from './kernels/custom.ts';
