/**
 * The one list of backends that graphgrad's cross-backend tests run on: the CPU backend, and the
 * WebGPU backend where an adapter exists (under `CI=true` its absence fails the run). A test file
 * awaits it once at the top: vitest runs each file in a worker of its own, so each file gets its
 * own device, destroyed after the file's tests.
 * @module
 */
import type { Backend, FloatDType } from '@graphgrad/core';
import { backendForTests } from '@graphgrad/core/testing';
import { cpuBackend } from '@graphgrad/cpu';
import { createWebGPUBackend, type WebGPUBackend, type WebGPUBackendOptions } from '@graphgrad/gpu';

/** One backend of the list. */
export interface TestBackend<B extends Backend = Backend> {
  /** `'cpu'` or `'webgpu'`, for test titles. */
  readonly name: string;
  /** The backend, or null when it could not start on this machine (outside CI). */
  readonly backend: B | null;
  /** Why the backend is null (for `describe.skipIf`'s title); null when it runs. */
  readonly reason: string | null;
}

/** The WebGPU backend for a test file, or why there is none (a failure under `CI=true`). */
export async function webgpuForTests(options: WebGPUBackendOptions = {}): Promise<TestBackend<WebGPUBackend>> {
  const gpu = await backendForTests(() => createWebGPUBackend(options), { destroy: (b) => b.destroy() });
  return { name: 'webgpu', backend: gpu.backend, reason: gpu.reason };
}

/**
 * Every backend, for `describe.each(await testBackends())`.
 *
 * @example
 * const backends = await testBackends();
 * describe.each(backends)('on $name', ({ backend, reason }) => {
 *   describe.skipIf(backend === null)(reason ?? 'runs', () => { ... });
 * });
 */
export async function testBackends(): Promise<readonly TestBackend[]> {
  return [{ name: 'cpu', backend: cpuBackend(), reason: null }, await webgpuForTests()];
}

/** One backend in one float dtype it holds. */
export interface TestBackendDType extends TestBackend {
  /** `'cpu float64'`, `'cpu float32'`, `'webgpu float32'`: for test titles. */
  readonly label: string;
  /** The float dtype the tests create their tensors in. */
  readonly dtype: FloatDType;
}

/**
 * Every backend in every float dtype it holds: the CPU in float64 (the dtype gradient checks run in)
 * and float32, WebGPU in float32. From the same list as `testBackends`.
 *
 * @example
 * describe.each(await testBackendDTypes())('on $label', ({ backend, dtype, reason }) => { ... });
 */
export async function testBackendDTypes(): Promise<readonly TestBackendDType[]> {
  return (await testBackends()).flatMap((b) =>
    (b.backend?.dtypes ?? ['float32'])
      .filter((d): d is FloatDType => d === 'float64' || d === 'float32')
      .sort()
      .reverse()
      .map((dtype) => ({ ...b, label: `${b.name} ${dtype}`, dtype })),
  );
}
