import { afterAll } from 'vitest';
import { createWebGPUBackend, type WebGPUBackend, type WebGPUBackendOptions } from '../src/index.ts';

/** The WebGPU backend a test file runs on, or why there is none. */
export type GpuForTests = { readonly backend: WebGPUBackend; readonly reason: null } | { readonly backend: null; readonly reason: string };

/**
 * What a test file does without a WebGPU backend: under CI=true it fails (CI must run the GPU
 * suite for real); elsewhere its GPU tests are skipped, with the reason printed.
 */
export function withoutGpu(error: unknown, env: Record<string, string | undefined> = process.env): GpuForTests {
  const reason = `no WebGPU backend: ${error instanceof Error ? error.message : String(error)}`;
  if (env.CI === 'true') throw new Error(`CI=true requires the WebGPU suite to run, but there is ${reason}`);
  console.warn(`skipping the WebGPU tests of this file: ${reason}`);
  return { backend: null, reason };
}

/**
 * Creates the WebGPU backend for one test file (vitest runs each file in its own worker, so each
 * file has its own device) and destroys it after the file's tests so the worker can exit.
 */
export async function gpuForTests(options: WebGPUBackendOptions = {}): Promise<GpuForTests> {
  let backend: WebGPUBackend;
  try {
    backend = await createWebGPUBackend(options);
  } catch (error) {
    return withoutGpu(error);
  }
  afterAll(() => backend.destroy());
  return { backend, reason: null };
}
