import { BackendError } from '@graphgrad/core';

const FILTERS: readonly GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

/**
 * Collects what goes wrong on the device so that it surfaces as a `BackendError` on the next read
 * instead of a hang or a wrong number. Error scopes are always open: each submit closes the
 * current ones (their promises are kept) and opens new ones, so every error is attributed to a
 * batch; a read awaits the promises of every batch submitted so far. Device loss is remembered
 * and fails every later call.
 */
export class DeviceErrors {
  readonly #device: GPUDevice;
  #checks: Promise<readonly string[]>[] = [];
  #uncaptured: string[] = [];
  #lost: string | null = null;
  #destroyed = false;

  constructor(device: GPUDevice) {
    this.#device = device;
    this.#open();
    void device.lost.then((info) => {
      if (!this.#destroyed) this.#lost = `${info.reason ?? 'unknown'}${info.message ? `: ${info.message}` : ''}`;
    });
    device.addEventListener('uncapturederror', (event) => {
      this.#uncaptured.push((event as GPUUncapturedErrorEvent).error.message);
    });
  }

  #open(): void {
    for (const filter of FILTERS) this.#device.pushErrorScope(filter);
  }

  /** Closes the scopes of the batch just submitted and opens the next batch's. */
  rotate(): void {
    const popped = [...FILTERS].reverse().map((filter) =>
      this.#device.popErrorScope().then(
        (error) => (error === null ? null : `${filter} error: ${error.message}`),
        (reason: unknown) => `${filter} error scope failed: ${String(reason)}`,
      ),
    );
    this.#checks.push(Promise.all(popped).then((messages) => messages.filter((m): m is string => m !== null)));
    this.#open();
  }

  /**
   * Every error reported since the last call. The scopes of the batches submitted so far are
   * claimed at the call, synchronously, and awaited after: a later call never takes them.
   */
  async take(): Promise<string[]> {
    const checks = this.#checks;
    this.#checks = [];
    const messages = (await Promise.all(checks)).flat();
    messages.push(...this.#uncaptured);
    this.#uncaptured = [];
    return messages;
  }

  /** Why the device can no longer be used, or null while it can. */
  get unusable(): string | null {
    if (this.#destroyed) return 'the backend was destroyed (destroy())';
    if (this.#lost !== null) return `the device was lost (${this.#lost})`;
    return null;
  }

  /** Throws a `BackendError` naming `op` once the device is lost or destroyed. */
  assertUsable(op: string): void {
    const reason = this.unusable;
    if (reason !== null) throw new BackendError(`webgpu ${op}: ${reason}`);
  }

  markDestroyed(): void {
    this.#destroyed = true;
  }
}
