import { DeviceBuffer, type GpuDType } from './gpu-array.ts';
import { BufferUsage } from './gpu-flags.ts';
import { f32Bits, i32Bits } from './wgsl/params.ts';

/** Slots (4-byte values) per slab buffer. */
const SLOTS_PER_SLAB = 4096;
/** Distinct constants held at most (256 KiB of slabs); past it a scalar gets an ordinary buffer. */
const MAX_CONSTANTS = 16 * SLOTS_PER_SLAB;

/** Where a constant lives: a slab buffer and the element offset of its slot. */
interface ConstantSlot {
  readonly storage: DeviceBuffer;
  readonly offset: number;
}

/**
 * The scalars of plain-number operands (`mul(x, 2)`, `div(dy, n)`): each distinct (dtype, bits)
 * gets one slot in a shared slab buffer, written once and kept until the backend is destroyed.
 * NOTE: a number operand becomes an input of the node it feeds, and nothing disposes it when the
 * node's output is disposed; with a slot per value, repeated calls outside `tidy` hold no new
 * buffer. Kernels never write their inputs, so arrays may share a slot.
 */
export class ConstantSlabs {
  readonly #device: GPUDevice;
  readonly #slots = new Map<string, ConstantSlot>();
  readonly #slabs: DeviceBuffer[] = [];
  #used = SLOTS_PER_SLAB;

  constructor(device: GPUDevice) {
    this.#device = device;
  }

  /** The slot holding `value` as `dtype`, written on first use; null once the cap of distinct constants is reached. */
  slot(value: number, dtype: GpuDType): ConstantSlot | null {
    const bits = dtype === 'float32' ? f32Bits(value) : i32Bits(Math.trunc(value) | 0);
    const key = `${dtype}:${bits}`;
    const found = this.#slots.get(key);
    if (found !== undefined) return found;
    if (this.#slots.size >= MAX_CONSTANTS) return null;
    if (this.#used === SLOTS_PER_SLAB) {
      const bytes = SLOTS_PER_SLAB * 4;
      const usage = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
      const slab = new DeviceBuffer(this.#device.createBuffer({ size: bytes, usage }), bytes);
      slab.permanent = true;
      this.#slabs.push(slab);
      this.#used = 0;
    }
    const slot = { storage: this.#slabs[this.#slabs.length - 1], offset: this.#used++ };
    // NOTE: writeBuffer runs before the commands still being recorded, none of which reads a new slot.
    this.#device.queue.writeBuffer(slot.storage.buffer, slot.offset * 4, Uint32Array.of(bits));
    this.#slots.set(key, slot);
    return slot;
  }

  /** Distinct constants held. */
  get size(): number {
    return this.#slots.size;
  }

  /** Destroys the slabs (the backend is going away). */
  destroy(): void {
    for (const slab of this.#slabs) slab.buffer.destroy();
    this.#slabs.length = 0;
    this.#slots.clear();
    this.#used = SLOTS_PER_SLAB;
  }
}
