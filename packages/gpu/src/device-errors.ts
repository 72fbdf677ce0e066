import { BackendError } from '@graphgrad/core';

const FILTERS: readonly GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

/**
 * The error scopes of one device, shared by every backend on it. Error scopes are a stack per
 * device: two backends pushing and popping their own would pop each other's and hand an error to
 * the backend that happened to submit next. So there is one set of open scopes per device; each
 * submit, by any backend, closes it and opens the next, and every error found is reported to every
 * backend on the device (which of them caused it cannot be told apart).
 */
class DeviceScopes {
  readonly #device: GPUDevice;
  /** The checks of the batches submitted so far, from index `#base` on. */
  #checks: Promise<readonly string[]>[] = [];
  #base = 0;
  /** For each backend, the index of the first check it has not claimed. */
  readonly #cursors = new Map<DeviceErrors, number>();
  lost: string | null = null;

  constructor(device: GPUDevice) {
    this.#device = device;
    this.#open();
    void device.lost.then((info) => {
      this.lost = `${info.reason ?? 'unknown'}${info.message ? `: ${info.message}` : ''}`;
    });
    device.addEventListener('uncapturederror', (event) => {
      for (const errors of this.#cursors.keys()) errors.uncaptured(event.error.message);
    });
  }

  #open(): void {
    for (const filter of FILTERS) this.#device.pushErrorScope(filter);
  }

  #close(): Promise<readonly string[]> {
    const popped = [...FILTERS].reverse().map((filter) =>
      this.#device.popErrorScope().then(
        (error) => (error === null ? null : `${filter} error: ${error.message}`),
        (reason: unknown) => `${filter} error scope failed: ${String(reason)}`,
      ),
    );
    return Promise.all(popped).then((messages) => messages.filter((m): m is string => m !== null));
  }

  join(errors: DeviceErrors): void {
    this.#cursors.set(errors, this.#base + this.#checks.length);
  }

  /** A backend leaves; the last one to leave closes the scopes, so the device is as it was given. */
  leave(errors: DeviceErrors): void {
    this.#cursors.delete(errors);
    if (this.#cursors.size === 0) {
      void this.#close();
      scopesByDevice.delete(this.#device);
    } else this.#trim();
  }

  /** Closes the scopes of the batch just submitted and opens the next batch's. */
  rotate(): void {
    this.#checks.push(this.#close());
    this.#open();
  }

  /** The checks `errors` has not claimed yet, claimed now. */
  claim(errors: DeviceErrors): Promise<readonly string[]>[] {
    const from = this.#cursors.get(errors);
    if (from === undefined) return [];
    const claimed = this.#checks.slice(from - this.#base);
    this.#cursors.set(errors, this.#base + this.#checks.length);
    this.#trim();
    return claimed;
  }

  /** Forgets the checks every backend has claimed. */
  #trim(): void {
    const oldest = Math.min(...this.#cursors.values());
    if (oldest > this.#base) {
      this.#checks = this.#checks.slice(oldest - this.#base);
      this.#base = oldest;
    }
  }
}

const scopesByDevice = new WeakMap<GPUDevice, DeviceScopes>();

/**
 * Collects what goes wrong on the device so that it surfaces as a `BackendError` on the next read
 * instead of a hang or a wrong number. Error scopes are always open: each submit closes the
 * current ones (their promises are kept) and opens new ones, so every error is attributed to a
 * batch; a read awaits the promises of every batch submitted so far. On a device shared by several
 * backends the scopes are shared too, and an error reaches the next read of each of them. Device
 * loss is remembered and fails every later call.
 */
export class DeviceErrors {
  readonly #scopes: DeviceScopes;
  #uncaptured: string[] = [];
  #destroyed = false;

  constructor(device: GPUDevice) {
    let scopes = scopesByDevice.get(device);
    if (scopes === undefined) scopesByDevice.set(device, (scopes = new DeviceScopes(device)));
    this.#scopes = scopes;
    scopes.join(this);
  }

  /** Closes the scopes of the batch just submitted and opens the next batch's. */
  rotate(): void {
    this.#scopes.rotate();
  }

  /** @internal An error no scope caught, reported by the device. */
  uncaptured(message: string): void {
    this.#uncaptured.push(message);
  }

  /**
   * Every error reported since the last call. The scopes of the batches submitted so far are
   * claimed at the call, synchronously, and awaited after: a later call never takes them.
   */
  async take(): Promise<string[]> {
    const checks = this.#scopes.claim(this);
    const messages = (await Promise.all(checks)).flat();
    messages.push(...this.#uncaptured);
    this.#uncaptured = [];
    return messages;
  }

  /** Why the device can no longer be used, or null while it can. */
  get unusable(): string | null {
    if (this.#destroyed) return 'the backend was destroyed (destroy())';
    if (this.#scopes.lost !== null) return `the device was lost (${this.#scopes.lost})`;
    return null;
  }

  /** Throws a `BackendError` naming `op` once the device is lost or destroyed. */
  assertUsable(op: string): void {
    const reason = this.unusable;
    if (reason !== null) throw new BackendError(`webgpu ${op}: ${reason}`);
  }

  markDestroyed(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#scopes.leave(this);
  }
}
