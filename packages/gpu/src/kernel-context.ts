import type { Shape } from '@graphgrad/core';
import type { GpuArray, GpuDType } from './gpu-array.ts';
import type { Program } from './pipeline-cache.ts';

/**
 * What a kernel needs from the backend: new arrays, views, the release of temporaries, and the
 * dispatch of a program over a one-dimensional grid of workgroups (folded into two dimensions when
 * it exceeds the device's limit per dimension).
 */
export interface KernelContext {
  /** Workgroups a dispatch may have along one grid dimension (the device's limit, or the backend's option). */
  readonly maxWorkgroups: number;
  /** A new contiguous array from the buffer pool (contents undefined). */
  alloc(op: string, shape: Shape, dtype: GpuDType): GpuArray;
  /**
   * A new contiguous array of zeros for a kernel that writes only some of its elements: from the
   * pool of buffers kept clean by `keepClean`, or a new buffer (zeroed by the device).
   */
  allocClean(op: string, shape: Shape, dtype: GpuDType): GpuArray;
  /**
   * Declares that `x` (from `allocClean`) differs from zeros only where `restore` records zeros
   * back: `restore` runs when the last handle on `x`'s buffer is released, and the buffer returns
   * to the clean pool.
   */
  keepClean(x: GpuArray, restore: (record: boolean) => void): void;
  /** A new handle on `base`'s buffer with another shape, strides and offset (no copy). */
  view(base: GpuArray, shape: Shape, strides: readonly number[], offset: number): GpuArray;
  /** Releases a handle (the buffer returns to the pool with its last handle). */
  release(x: GpuArray): void;
  /** A new handle on `x`'s values laid out contiguously: a view when they already are, else a copy. */
  contiguous(x: GpuArray): GpuArray;
  /**
   * Records a dispatch of `program` with parameter words `params`; `arrays` are bound at bindings
   * 1…n in order (inputs first, the output last). `workgroups` is a count (folded into two
   * dimensions by the backend) or an explicit 2-D or 3-D grid.
   */
  run(
    program: Program,
    params: readonly number[],
    arrays: readonly GpuArray[],
    workgroups: number | readonly [number, number] | readonly [number, number, number],
  ): void;
  /** What the WGSL compiler said of `program`'s source: null when it compiled, else its errors. */
  compileErrors(program: Program): Promise<string | null>;
}
