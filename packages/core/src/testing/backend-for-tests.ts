import { afterAll } from 'vitest';
import type { Backend } from '../backend.ts';

/** The backend a test file runs on, or why there is none. */
export interface BackendForTests<B extends Backend = Backend> {
  /** The backend, or null when it could not start on this machine. */
  readonly backend: B | null;
  /** Why `backend` is null (a title for `describe.skipIf`); null when it runs. */
  readonly reason: string | null;
}

/** Options of `backendForTests`. */
export interface BackendForTestsOptions<B extends Backend> {
  /** Releases the backend after the file's tests (a GPU device must be destroyed for the worker to exit). */
  destroy?: (backend: B) => void;
  /** The environment read for `CI` (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Creates the backend a test file runs on. When it cannot be created (no GPU adapter, say), tests
 * are skipped with the reason printed, except under `CI=true`, where a backend that CI must test
 * for real failing to start is an error, never a skip.
 *
 * @example
 * const gpu = await backendForTests(() => createWebGPUBackend(), { destroy: (b) => b.destroy() });
 * describe.skipIf(gpu.backend === null)(gpu.reason ?? 'webgpu', () => { ... });
 */
export async function backendForTests<B extends Backend>(
  create: () => B | Promise<B>,
  options: BackendForTestsOptions<B> = {},
): Promise<BackendForTests<B>> {
  let backend: B;
  try {
    backend = await create();
  } catch (error) {
    return withoutBackend(error, options.env);
  }
  const destroy = options.destroy;
  if (destroy !== undefined) afterAll(() => destroy(backend));
  return { backend, reason: null };
}

/** What a test file does when its backend failed to start: fail under CI=true, skip elsewhere. */
export function withoutBackend(
  error: unknown,
  env: Readonly<Record<string, string | undefined>> = globalThis.process?.env ?? {},
): BackendForTests<never> {
  const reason = `no backend: ${error instanceof Error ? error.message : String(error)}`;
  if (env.CI === 'true') throw new Error(`CI=true requires these tests to run, but there is ${reason}`);
  console.warn(`skipping the tests of this file that need it: ${reason}`);
  return { backend: null, reason };
}
