/**
 * @graphgrad/cpu: the CPU backend. Arrays are scijs `ndarray` views over typed arrays (so
 * transposes and broadcasts cost no copy); small contiguous work runs in plain loops, float32
 * matrix products and large elementwise work in WebAssembly SIMD kernels, and everything else
 * through `ndarray-ops` and `ndarray-gemm`.
 *
 * @example
 * import { setBackend } from '@graphgrad/core';
 * import { cpuBackend } from '@graphgrad/cpu';
 * setBackend(cpuBackend());
 * @module @graphgrad/cpu
 */
export { CpuBackend, cpuBackend, type CpuBackendOptions } from './cpu-backend.ts';
