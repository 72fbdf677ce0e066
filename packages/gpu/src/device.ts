import { BackendError } from '@graphgrad/core';
import { withNativeStderrSilenced, type NodeFileDescriptors } from './quiet-native-stderr.ts';

/** How to find the GPU. */
export interface DeviceRequest {
  /**
   * Let the driver's own start-up messages through to standard error (default: false, or true when
   * the environment variable `GRAPHGRAD_GPU_DEBUG` is set). Dawn prints adapter warnings from
   * native code; they are silenced by default so that a start is quiet.
   */
  driverLog?: boolean;
  /** Passed to `requestAdapter` (default: 'high-performance'). */
  powerPreference?: GPUPowerPreference;
  /** Use this device instead of requesting one (the backend then shares it and still owns its own buffers). */
  device?: GPUDevice;
}

/** The device a backend runs on and a description of its adapter for messages. */
interface AcquiredDevice {
  readonly device: GPUDevice;
  readonly adapterName: string;
}

// NOTE: Dawn's Node bindings crash the process when the object `create()` returned is collected
// while a device made from it is alive, so the one instance lives as long as the process.
let dawnGpu: GPU | null = null;
/** node:fs, loaded with Dawn (and only then), for silencing its start-up messages. */
let nodeFs: NodeFileDescriptors | null = null;

/** Limits worth raising to the adapter's maximum: large tensors need large storage bindings. */
const RAISED_LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize'] as const;

/**
 * The WebGPU entry point: the browser's (or the host's) `navigator.gpu` when there is one,
 * otherwise Dawn through the `webgpu` package, which is imported only then so that a browser
 * bundle never touches it.
 */
async function gpuEntryPoint(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu !== undefined) return nav.gpu;
  if (dawnGpu === null) {
    // A computed specifier keeps bundlers for the browser from following this import.
    const specifier = 'webgpu';
    const dawn = (await import(/* @vite-ignore */ specifier)) as typeof import('webgpu');
    const fsSpecifier = 'node:fs';
    nodeFs = (await import(/* @vite-ignore */ fsSpecifier)) as NodeFileDescriptors;
    dawnGpu = dawn.create([]);
  }
  return dawnGpu;
}

function describe(adapter: GPUAdapter): string {
  const info = adapter.info;
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter(
    (p) => p !== undefined && p !== '',
  );
  return parts.length > 0 ? parts.join(' ') : 'unknown adapter';
}

/** Requests an adapter and a device with raised buffer limits, or explains why there is none. */
export async function acquireDevice(request: DeviceRequest): Promise<AcquiredDevice> {
  if (request.device !== undefined) return { device: request.device, adapterName: 'a device supplied by the caller' };
  let gpu: GPU;
  try {
    gpu = await gpuEntryPoint();
  } catch (error) {
    throw new BackendError(`createWebGPUBackend: cannot load WebGPU (the 'webgpu' package in Node): ${String(error)}`);
  }
  const options = { powerPreference: request.powerPreference ?? 'high-performance' } as const;
  const quiet = !(request.driverLog ?? debugRequested()) && gpu === dawnGpu && nodeFs !== null;
  // Dawn enumerates adapters, and prints what it thinks of them, inside the call itself.
  const pending = quiet
    ? withNativeStderrSilenced(nodeFs!, () => gpu.requestAdapter(options))
    : gpu.requestAdapter(options);
  const adapter = await pending;
  if (adapter === null) {
    throw new BackendError(
      'createWebGPUBackend: no WebGPU adapter was found. In Node this needs a Vulkan driver (on a machine ' +
        "without a GPU, Mesa's lavapipe, as scripts/setup.sh installs) and XDG_RUNTIME_DIR set",
    );
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const device = await adapter.requestDevice({ requiredLimits });
  return { device, adapterName: describe(adapter) };
}

/** Whether the environment asks for the driver's messages (`GRAPHGRAD_GPU_DEBUG` set and not 0). */
function debugRequested(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.GRAPHGRAD_GPU_DEBUG;
  return value !== undefined && value !== '' && value !== '0';
}
