import { afterAll } from 'vitest';
import { createWebGPUBackend, type WebGPUBackend, type WebGPUBackendOptions } from '../src/index.ts';

/** The WebGPU backend a test file runs on, or why there is none. */
export type GpuForTests = { readonly backend: WebGPUBackend; readonly reason: null } | { readonly backend: null; readonly reason: string };

/**
 * Creates the WebGPU backend for one test file (vitest runs each file in its own worker, so each
 * file has its own device) and destroys it after the file's tests so the worker can exit. Without
 * an adapter the suite fails under CI=true (CI must run it for real) and may be skipped elsewhere,
 * with the reason printed.
 */
export async function gpuForTests(options: WebGPUBackendOptions = {}): Promise<GpuForTests> {
  try {
    const backend = await createWebGPUBackend(options);
    afterAll(() => backend.destroy());
    return { backend, reason: null };
  } catch (error) {
    const reason = `no WebGPU backend: ${error instanceof Error ? error.message : String(error)}`;
    if (process.env.CI === 'true') throw new Error(`CI=true requires the WebGPU suite to run, but there is ${reason}`);
    console.warn(`skipping the WebGPU tests of this file: ${reason}`);
    return { backend: null, reason };
  }
}
