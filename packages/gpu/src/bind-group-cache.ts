import type { ParamSlot } from './uniform-arena.ts';

/** Bind groups kept at most; past it the cache starts over (a training loop refills it in a step). */
const MAX_GROUPS = 4096;

/**
 * Bind groups by what they bind: a layout, a parameter slot and the storage buffers. A training
 * loop binds the same pooled buffers and parameter slots step after step, and creating a bind
 * group is the costliest call of a dispatch (Dawn validates it, and again at submit), so each
 * distinct binding is created once.
 */
// NOTE: ids are never reused, so an entry is hit only while every buffer it binds is the same
// object. The pool never hands out a buffer it destroyed, so entries that bind one are never hit
// again; they go when the cache starts over at its cap.
export class BindGroupCache {
  readonly #device: GPUDevice;
  readonly #ids = new WeakMap<object, number>();
  readonly #groups = new Map<string, GPUBindGroup>();
  #nextId = 0;
  /** Bind groups created so far (a cache miss each). */
  created = 0;

  constructor(device: GPUDevice) {
    this.#device = device;
  }

  #id(o: object): number {
    let id = this.#ids.get(o);
    if (id === undefined) {
      id = this.#nextId++;
      this.#ids.set(o, id);
    }
    return id;
  }

  /** The bind group of `layout` with the parameter block at binding 0 and `buffers` at 1…n. */
  get(layout: GPUBindGroupLayout, slot: ParamSlot, buffers: readonly GPUBuffer[]): GPUBindGroup {
    let key = `${this.#id(layout)} ${this.#id(slot.buffer)} ${slot.offset} ${slot.size}`;
    for (const b of buffers) key += ` ${this.#id(b)}`;
    let group = this.#groups.get(key);
    if (group === undefined) {
      if (this.#groups.size >= MAX_GROUPS) this.#groups.clear();
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: slot.buffer, offset: slot.offset, size: slot.size } },
      ];
      buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
      group = this.#device.createBindGroup({ layout, entries });
      this.created++;
      this.#groups.set(key, group);
    }
    return group;
  }

  /** Bind groups held now. */
  get size(): number {
    return this.#groups.size;
  }
}
