import type { BackendArray, Shape } from '@graphgrad/core';

/** The dtypes the WebGPU backend holds (WGSL has no 64-bit floats). */
export type GpuDType = 'float32' | 'int32';

/**
 * A device buffer and the number of array handles that share it: views (transpose, broadcast,
 * reshape of contiguous data) add a handle, and the buffer goes back to the pool when the last
 * handle is released.
 */
export class DeviceBuffer {
  /** Handles sharing this buffer (0 while it sits in the pool). */
  refs = 0;
  /** The command batch that last bound this buffer, so an upload can tell whether it must wait. */
  lastBatch = -1;
  /**
   * For a buffer from the clean pool written in a few places: records the commands that zero those
   * places again (when `record` is true; the backend may be unusable) and releases what it holds.
   * The backend calls it when the last handle goes, then returns the buffer to the clean pool.
   */
  restore: ((record: boolean) => void) | null = null;
  /** A slab of constants (`ConstantSlabs`): kept until the backend is destroyed, whatever its handles do. */
  permanent = false;

  constructor(
    readonly buffer: GPUBuffer,
    readonly bytes: number,
  ) {}
}

/**
 * The WebGPU backend's handle to an array: a strided view (shape, strides and offset in elements)
 * of a shared device buffer. Kernels read views directly; only a reshape of a non-contiguous view
 * copies.
 */
export class GpuArray implements BackendArray {
  #released = false;
  /**
   * The values in row-major order, when the host knows them: int32 data uploaded by `fromData` and
   * views that keep its order (`Backend.hostValues`). Never written after the array is made.
   */
  hostValues: Int32Array | undefined = undefined;
  /**
   * Set on an array computed by a kernel that may have failed (a custom WGSL kernel, until its
   * compilation is known to have succeeded) and on every array computed from one: resolves to the
   * failure's message, which every read of the array throws, or to null.
   */
  poison: Promise<string | null> | null = null;

  constructor(
    readonly owner: object,
    readonly shape: Shape,
    readonly dtype: GpuDType,
    readonly storage: DeviceBuffer,
    readonly strides: readonly number[],
    readonly offset: number,
  ) {}

  /** Number of elements. */
  get size(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  get released(): boolean {
    return this.#released;
  }

  /** Marks the handle released; true the first time only (disposing twice is harmless). */
  markReleased(): boolean {
    if (this.#released) return false;
    this.#released = true;
    return true;
  }
}
