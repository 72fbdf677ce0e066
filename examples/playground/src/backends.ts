/**
 * Which backend the page trains on: WebGPU where the browser's `navigator.gpu` gives an adapter,
 * the CPU backend otherwise (and whenever the user picks it).
 */
import { cpuBackend } from '@graphgrad/cpu';
import { type Backend } from '@graphgrad/core';
import { createWebGPUBackend, type WebGPUBackend } from '@graphgrad/gpu';

/** The backends the page offers. */
export type BackendName = 'webgpu' | 'cpu';

/** What the page found: the WebGPU backend, or why there is none. */
type WebGPUProbe =
  { readonly backend: WebGPUBackend; readonly reason: null } | { readonly backend: null; readonly reason: string };

/**
 * Asks the browser for a WebGPU adapter and, when it gives one, creates graphgrad's WebGPU
 * backend on it. Never throws: a browser without WebGPU (or a headless one without an adapter)
 * answers with the reason, shown on the page.
 *
 * @example
 * const probe = await probeWebGPU();
 * console.log(probe.backend?.adapterName ?? probe.reason);
 */
export async function probeWebGPU(): Promise<WebGPUProbe> {
  // NOTE: checked here, not left to createWebGPUBackend: without navigator.gpu it would reach
  // for Dawn's Node package, which a browser cannot load.
  if (!('gpu' in navigator)) return { backend: null, reason: 'this browser has no navigator.gpu' };
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (adapter === null) return { backend: null, reason: 'navigator.gpu gave no adapter' };
    return { backend: await createWebGPUBackend(), reason: null };
  } catch (error) {
    return { backend: null, reason: `WebGPU failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * The backend for `name`: the probed WebGPU backend, or the CPU backend.
 *
 * @example
 * const backend = backendFor('cpu', probe); // cpuBackend()
 */
export function backendFor(name: BackendName, probe: WebGPUProbe): Backend {
  return name === 'webgpu' && probe.backend !== null ? probe.backend : cpuBackend();
}

/**
 * How the page names the active backend: `cpu`, or `webgpu (<adapter>)`.
 *
 * @example
 * describeBackend(cpuBackend()); // 'cpu'
 */
export function describeBackend(backend: Backend): string {
  return backend.name === 'webgpu' && 'adapterName' in backend
    ? `webgpu (${String(backend.adapterName)})`
    : backend.name;
}
