import { BufferUsage } from './gpu-flags.ts';
import { PARAM_WORDS } from './wgsl/params.ts';

/** Parameter slots per uniform buffer. */
const SLOTS_PER_CHUNK = 256;

interface Chunk {
  readonly buffer: GPUBuffer;
  readonly words: Uint32Array;
}

/** Where one dispatch's parameter block lives. */
export interface ParamSlot {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly size: number;
}

/**
 * Parameter blocks of the dispatches of one command batch, packed into a few large uniform
 * buffers: each dispatch takes a slot, and the batch uploads the used part of each buffer with one
 * `writeBuffer` just before it submits.
 */
// NOTE: slots are reused by the next batch right away. That is safe because queue operations run
// in order: the next batch's writeBuffer executes after the previous submit's commands.
export class UniformArena {
  readonly #device: GPUDevice;
  readonly #slotBytes: number;
  readonly #chunks: Chunk[] = [];
  #used = 0;

  constructor(device: GPUDevice) {
    this.#device = device;
    this.#slotBytes = Math.max(PARAM_WORDS * 4, device.limits.minUniformBufferOffsetAlignment);
  }

  /** A slot holding `words` (at most PARAM_WORDS). */
  allocate(words: readonly number[]): ParamSlot {
    const chunkIndex = Math.floor(this.#used / SLOTS_PER_CHUNK);
    const slot = this.#used % SLOTS_PER_CHUNK;
    if (chunkIndex === this.#chunks.length) {
      const bytes = this.#slotBytes * SLOTS_PER_CHUNK;
      const buffer = this.#device.createBuffer({ size: bytes, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
      this.#chunks.push({ buffer, words: new Uint32Array(bytes / 4) });
    }
    const chunk = this.#chunks[chunkIndex];
    const base = (slot * this.#slotBytes) / 4;
    chunk.words.fill(0, base, base + PARAM_WORDS);
    for (let i = 0; i < words.length; i++) chunk.words[base + i] = words[i];
    this.#used++;
    return { buffer: chunk.buffer, offset: slot * this.#slotBytes, size: PARAM_WORDS * 4 };
  }

  /** Writes every slot used since the last upload to the device and starts over. */
  upload(queue: GPUQueue): void {
    let remaining = this.#used;
    for (const chunk of this.#chunks) {
      if (remaining <= 0) break;
      const slots = Math.min(remaining, SLOTS_PER_CHUNK);
      queue.writeBuffer(chunk.buffer, 0, chunk.words.buffer, 0, slots * this.#slotBytes);
      remaining -= slots;
    }
    this.#used = 0;
  }

  destroy(): void {
    for (const chunk of this.#chunks) chunk.buffer.destroy();
    this.#chunks.length = 0;
  }
}
