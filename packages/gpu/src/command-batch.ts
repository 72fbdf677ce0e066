import { BindGroupCache } from './bind-group-cache.ts';
import type { DeviceBuffer } from './gpu-array.ts';
import type { CompiledProgram } from './pipeline-cache.ts';
import type { UniformArena } from './uniform-arena.ts';

/** Counts of the device work issued so far. */
interface BatchCounters {
  /** Command buffers submitted to the queue. */
  submits: number;
  /** Compute dispatches encoded. */
  dispatches: number;
}

/**
 * Kernels only record: dispatches go into one open compute pass of one command encoder, and the
 * batch is submitted when it holds `limit` commands or when a read needs its results. A training
 * step is then a handful of submits, not one per operation.
 */
export class CommandBatch {
  readonly #device: GPUDevice;
  readonly #arena: UniformArena;
  readonly #limit: number;
  readonly #afterSubmit: () => void;
  readonly #bindGroups: BindGroupCache;
  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #commands = 0;
  #id = 0;
  readonly counters: BatchCounters = { submits: 0, dispatches: 0 };

  /** Bind groups created so far (the others came from the cache). */
  get bindGroupsCreated(): number {
    return this.#bindGroups.created;
  }

  constructor(device: GPUDevice, arena: UniformArena, limit: number, afterSubmit: () => void) {
    this.#device = device;
    this.#arena = arena;
    this.#limit = limit;
    this.#afterSubmit = afterSubmit;
    this.#bindGroups = new BindGroupCache(device);
  }

  /** Serial number of the batch being recorded. */
  get id(): number {
    return this.#id;
  }

  /** True while commands are recorded but not submitted. */
  get pending(): boolean {
    return this.#commands > 0;
  }

  #encoderNow(): GPUCommandEncoder {
    if (this.#encoder === null) this.#encoder = this.#device.createCommandEncoder();
    return this.#encoder;
  }

  #endPass(): void {
    this.#pass?.end();
    this.#pass = null;
  }

  /** Records one dispatch of `program` over `buffers` (bindings 1…n) with its parameter block. */
  dispatch(
    program: CompiledProgram,
    params: readonly number[],
    buffers: readonly DeviceBuffer[],
    x: number,
    y: number,
    z = 1,
  ): void {
    const slot = this.#arena.allocate(params);
    for (const b of buffers) b.lastBatch = this.#id;
    const bindGroup = this.#bindGroups.get(
      program.layout,
      slot,
      buffers.map((b) => b.buffer),
    );
    if (this.#pass === null) this.#pass = this.#encoderNow().beginComputePass();
    this.#pass.setPipeline(program.pipeline);
    this.#pass.setBindGroup(0, bindGroup);
    this.#pass.dispatchWorkgroups(x, y, z);
    this.counters.dispatches++;
    this.#recorded();
  }

  /** Records a copy of `bytes` bytes from `src` (at `srcOffset`) to the start of `dst`. */
  copy(src: DeviceBuffer, srcOffset: number, dst: GPUBuffer, bytes: number): void {
    this.#endPass();
    this.#encoderNow().copyBufferToBuffer(src.buffer, srcOffset, dst, 0, bytes);
    src.lastBatch = this.#id;
    this.#recorded();
  }

  #recorded(): void {
    this.#commands++;
    if (this.#commands >= this.#limit) this.flush();
  }

  /** Submits what was recorded (uploading the batch's parameter blocks first). */
  flush(): void {
    if (this.#encoder === null) return;
    this.#endPass();
    this.#arena.upload(this.#device.queue);
    this.#device.queue.submit([this.#encoder.finish()]);
    this.#encoder = null;
    this.#commands = 0;
    this.#id++;
    this.counters.submits++;
    this.#afterSubmit();
  }
}
