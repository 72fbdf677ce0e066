import { backendForTests, type BackendForTests } from '@graphgrad/core/testing';
import { createWebGPUBackend, type WebGPUBackend, type WebGPUBackendOptions } from '../src/index.ts';

/** The WebGPU backend a test file runs on, or why there is none. */
export type GpuForTests = BackendForTests<WebGPUBackend>;

/**
 * Creates the WebGPU backend for one test file (vitest runs each file in its own worker, so each
 * file has its own device) and destroys it after the file's tests so the worker can exit. Without
 * an adapter the tests are skipped, except under `CI=true`, where that fails the run.
 */
export function gpuForTests(options: WebGPUBackendOptions = {}): Promise<GpuForTests> {
  return backendForTests(() => createWebGPUBackend(options), { destroy: (b) => b.destroy() });
}
