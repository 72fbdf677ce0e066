import { DeviceBuffer } from './gpu-array.ts';

/** Buffers are allocated in multiples of this many bytes, so near sizes share a pool bucket. */
const GRANULE = 256;
/** Clean buffers kept per size: the gradients of a few embedding tables alive at once. */
const MAX_CLEAN_PER_SIZE = 4;

/**
 * Device buffers pooled by size: a released buffer waits in its bucket for the next request of the
 * same rounded size, so a training loop allocates its buffers once. Released buffers beyond
 * `maxPooledBytes` are destroyed, but only after the commands that may still use them are
 * submitted (destroying a buffer an unsubmitted command refers to would invalidate that command).
 */
export class BufferPool {
  readonly #device: GPUDevice;
  readonly #usage: number;
  readonly #maxPooledBytes: number;
  readonly #free = new Map<number, DeviceBuffer[]>();
  /** Released buffers that hold only zeros (see `acquireClean`). */
  readonly #clean = new Map<number, DeviceBuffer[]>();
  #pooledBytes = 0;
  #live = 0;
  #retired: DeviceBuffer[] = [];
  /** Every buffer this pool created and has not destroyed: handed out, pooled or retired. */
  readonly #all = new Set<DeviceBuffer>();

  constructor(device: GPUDevice, usage: number, maxPooledBytes: number) {
    this.#device = device;
    this.#usage = usage;
    this.#maxPooledBytes = maxPooledBytes;
  }

  /** A buffer of at least `bytes` bytes (never 0), with one reference. */
  acquire(bytes: number): DeviceBuffer {
    const size = Math.max(GRANULE, Math.ceil(bytes / GRANULE) * GRANULE);
    const bucket = this.#free.get(size);
    let entry = bucket?.pop();
    if (entry !== undefined) this.#pooledBytes -= size;
    else {
      entry = new DeviceBuffer(this.#device.createBuffer({ size, usage: this.#usage }), size);
      this.#all.add(entry);
    }
    entry.refs = 1;
    this.#live++;
    return entry;
  }

  /**
   * A buffer of at least `bytes` bytes holding only zeros, with one reference: one given back by
   * `releaseClean`, else a new buffer, which the device zeroes before its first use (Dawn clears
   * every new buffer lazily). Never a buffer of the ordinary pool, whose contents are left over.
   */
  acquireClean(bytes: number): DeviceBuffer {
    const size = Math.max(GRANULE, Math.ceil(bytes / GRANULE) * GRANULE);
    let entry = this.#clean.get(size)?.pop();
    if (entry !== undefined) this.#pooledBytes -= size;
    else {
      entry = new DeviceBuffer(this.#device.createBuffer({ size, usage: this.#usage }), size);
      this.#all.add(entry);
    }
    entry.refs = 1;
    this.#live++;
    return entry;
  }

  /** Returns a buffer whose last reference is gone and whose every byte is zero again (commands recorded so far included). */
  releaseClean(entry: DeviceBuffer): void {
    const bucket = this.#clean.get(entry.bytes) ?? [];
    if (bucket.length >= MAX_CLEAN_PER_SIZE || this.#pooledBytes + entry.bytes > this.#maxPooledBytes) {
      this.release(entry);
      return;
    }
    this.#live--;
    this.#clean.set(entry.bytes, bucket);
    bucket.push(entry);
    this.#pooledBytes += entry.bytes;
  }

  /** Returns a buffer whose last reference is gone. */
  release(entry: DeviceBuffer): void {
    this.#live--;
    if (this.#pooledBytes + entry.bytes > this.#maxPooledBytes) {
      this.#retired.push(entry);
      return;
    }
    let bucket = this.#free.get(entry.bytes);
    if (bucket === undefined) this.#free.set(entry.bytes, (bucket = []));
    bucket.push(entry);
    this.#pooledBytes += entry.bytes;
  }

  /** Destroys the buffers retired before the last submit (their commands are on the queue now). */
  destroyRetired(): void {
    for (const entry of this.#retired) {
      entry.buffer.destroy();
      this.#all.delete(entry);
    }
    this.#retired = [];
  }

  /** Buffers handed out and not yet released. */
  get live(): number {
    return this.#live;
  }

  /** Buffers waiting in the pool. */
  get pooled(): number {
    let n = 0;
    for (const bucket of this.#free.values()) n += bucket.length;
    for (const bucket of this.#clean.values()) n += bucket.length;
    return n;
  }

  /**
   * Destroys every buffer the pool created, those still handed out included (the backend is going
   * away; on a device shared with others, nothing of this pool's must outlive it).
   */
  destroyAll(): void {
    for (const entry of this.#all) entry.buffer.destroy();
    this.#all.clear();
    this.#free.clear();
    this.#clean.clear();
    this.#pooledBytes = 0;
    this.#retired = [];
  }
}
