import { describe, expect, it } from 'vitest';
import { BackendError, tensor, tidy, type Backend, type Tensor } from '@graphgrad/core';
import { createWebGPUBackend, type WebGPUBackend } from '../src/index.ts';
import type { GpuArray } from '../src/gpu-array.ts';
import { gpuForTests } from './gpu-for-tests.ts';
import * as nodes from '@graphgrad/nodes';
import { twoLayerNet } from './two-layer-net.ts';

const { add, exp, mul, neg, sum, transpose } = nodes;

// Concurrency and lifetime on one device: models trained interleaved, reads in flight while work
// is queued behind them, and destroy() while work is recorded and reads are pending.

const gpu = await gpuForTests();

/** The losses of `steps` training steps, stepping each model in turn. */
async function trainInterleaved(
  backends: readonly Backend[],
  seeds: readonly number[],
  steps: number,
): Promise<number[][]> {
  const nets = seeds.map((seed, i) => twoLayerNet(backends[i], seed));
  const losses = seeds.map(() => [] as number[]);
  for (let s = 0; s < steps; s++) {
    // Every model's step is recorded before any loss is read: their work shares the queue.
    const stepLosses = nets.map((net) => net.step());
    const values = await Promise.all(stepLosses.map((l) => l.item()));
    values.forEach((v, i) => losses[i].push(v));
    for (const l of stepLosses) l.dispose();
  }
  for (const net of nets) net.dispose();
  return losses;
}

/** Expects a promise to reject with a BackendError whose message matches `message`. */
async function expectBackendError(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackendError);
  expect((error as Error).message).toMatch(message);
}

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'two models on one device', () => {
  const backend = gpu.backend as WebGPUBackend;

  it('trains two models interleaved on one backend to exactly the losses each reaches alone', async () => {
    const [aloneA] = await trainInterleaved([backend], [1984], 40);
    const [aloneB] = await trainInterleaved([backend], [7], 40);
    const before = backend.liveBuffers();
    const [a, b] = await trainInterleaved([backend, backend], [1984, 7], 40);
    expect(a).toEqual(aloneA);
    expect(b).toEqual(aloneB);
    expect(a).not.toEqual(b);
    expect(backend.liveBuffers()).toBe(before);
  });

  it('trains two models on two backends that share one device, and destroying one leaves the other working', async () => {
    const [aloneA] = await trainInterleaved([backend], [1984], 40);
    const [aloneB] = await trainInterleaved([backend], [7], 40);
    const second = await createWebGPUBackend({ device: backend.device });
    const [a, b] = await trainInterleaved([backend, second], [1984, 7], 40);
    expect(a).toEqual(aloneA);
    expect(b).toEqual(aloneB);
    const kept = second.fromData(new Float32Array([1, 2]), [2], 'float32');
    second.destroy();
    expect(() => second.kernels.Exp(kept)).toThrow(/destroyed/);
    // The device belongs to the first backend, which carries on.
    const [again] = await trainInterleaved([backend], [1984], 40);
    expect(again).toEqual(aloneA);
  });

  it('reports a device error on a shared device to the next read of every backend on it', async () => {
    const second = await createWebGPUBackend({ device: backend.device });
    const x = tensor([1, 2], { backend });
    const y = tensor([3, 4], { backend: second });
    const onFirst = neg(x);
    // An error on the device while both backends have work recorded: neither can tell whose it
    // was, so neither may return numbers as if nothing had happened.
    backend.device.createBuffer({ size: 16, usage: 0x0001 | 0x0080 });
    const onSecond = neg(y);
    await expectBackendError(onSecond.data(), /validation error/);
    await expectBackendError(onFirst.data(), /validation error/);
    // Both recover.
    expect(Array.from(await onFirst.data())).toEqual([-1, -2]);
    expect(Array.from(await onSecond.data())).toEqual([-3, -4]);
    for (const t of [x, onFirst]) t.dispose();
    second.destroy();
  });
});

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'reads in flight while work is queued', () => {
  const backend = gpu.backend as WebGPUBackend;

  it('resolves many pending data() promises to the right values while later work reuses their buffers', async () => {
    const before = backend.liveBuffers();
    const reads: Promise<ArrayLike<number>>[] = [];
    const expected: number[][] = [];
    let x = tensor([0, 1, 2, 3, 4, 5], { shape: [2, 3], backend });
    let current = [0, 1, 2, 3, 4, 5];
    for (let i = 0; i < 60; i++) {
      // Each read is issued and its tensor disposed at once: the buffer goes back to the pool and
      // the next kernels (and uploads) may be handed it while the read is still in flight.
      const next = tidy(() => add(mul(x, 2), tensor([i], { backend })));
      reads.push(next.data());
      current = current.map((v) => 2 * v + i);
      expected.push(current);
      x.dispose();
      x = next;
      if (i % 3 === 0) {
        const view = transpose(x);
        reads.push(view.data());
        expected.push([0, 3, 1, 4, 2, 5].map((j) => current[j]));
        view.dispose();
      }
      // Values shrink back to small numbers now and then so that float32 stays exact.
      if (i % 10 === 9) {
        const small = tidy(() => neg(neg(sum(x, 0, true))));
        reads.push(small.data());
        expected.push([0, 1, 2].map((c) => current[c] + current[3 + c]));
        x.dispose();
        x = tidy(() =>
          add(
            mul(small, 0),
            tensor(
              [
                [0, 1, 2],
                [3, 4, 5],
              ],
              { backend },
            ),
          ),
        );
        small.dispose();
        current = [0, 1, 2, 3, 4, 5];
        expected.push(current);
        reads.push(x.data());
      }
    }
    const values = await Promise.all(reads);
    values.forEach((v, i) => expect(Array.from(v), `read ${i}`).toEqual(expected[i]));
    x.dispose();
    expect(backend.liveBuffers()).toBe(before);
  });

  it('answers reads issued in one order when they resolve in another, each with its own tensor', async () => {
    const big = tensor(
      Float32Array.from({ length: 1 << 16 }, (_, i) => i % 97),
      { backend },
    );
    const slow = exp(mul(big, 0));
    const quick = tensor([42], { backend });
    const [slowValues, quickValues, bigValues] = await Promise.all([slow.data(), quick.data(), big.data()]);
    expect(slowValues.every((v) => v === 1)).toBe(true);
    expect(Array.from(quickValues)).toEqual([42]);
    expect(bigValues[96]).toBe(96);
    for (const t of [big, slow, quick]) t.dispose();
  });

  it('reports a device error to the read whose work it was in, not to a read in flight before it', async () => {
    const x = tensor([1, 2], { backend });
    const first = exp(x);
    const firstRead = first.data();
    // A buffer that may be mapped for reading cannot also be a storage buffer: a validation error
    // in the work recorded after the first read was issued.
    backend.device.createBuffer({ size: 16, usage: 0x0001 | 0x0080 });
    const second = neg(x);
    const secondRead = second.data();
    const [firstOutcome, secondOutcome] = await Promise.allSettled([firstRead, secondRead]);
    expect(firstOutcome.status).toBe('fulfilled');
    const firstValues = (firstOutcome as PromiseFulfilledResult<ArrayLike<number>>).value;
    expect(firstValues[0]).toBeCloseTo(Math.E, 5);
    expect(firstValues[1]).toBeCloseTo(Math.exp(2), 5);
    expect(secondOutcome.status).toBe('rejected');
    expect((secondOutcome as PromiseRejectedResult).reason).toBeInstanceOf(BackendError);
    expect(String((secondOutcome as PromiseRejectedResult).reason)).toMatch(/validation error/);
    // And the backend recovers: the next read succeeds.
    expect(Array.from(await second.data())).toEqual([-1, -2]);
    for (const t of [x, first, second]) t.dispose();
  });
});

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'destroy() with work pending and reads in flight', () => {
  /** A backend with work recorded but not submitted, reads in flight, and tensors still alive. */
  async function busyBackend(options: { shareDeviceOf?: WebGPUBackend } = {}) {
    const b = await createWebGPUBackend(
      options.shareDeviceOf === undefined ? {} : { device: options.shareDeviceOf.device },
    );
    const x = tensor(
      Float32Array.from({ length: 4096 }, (_, i) => i / 4096),
      { shape: [64, 64], backend: b },
    );
    const done = await x.data(); // one read that completes before destroy
    const reads: Promise<unknown>[] = [];
    let y: Tensor = x;
    const made: Tensor[] = [];
    for (let i = 0; i < 20; i++) {
      made.push((y = exp(mul(y, 0.5))));
      if (i % 4 === 0) reads.push(y.data());
    }
    // More work recorded after the last read, not yet submitted.
    for (let i = 0; i < 10; i++) made.push((y = add(y, x)));
    return { b, x, y, made, reads, done };
  }

  it('rejects every read in flight with a BackendError and fails later calls clearly, without hanging', async () => {
    const { b, x, y, made, reads, done } = await busyBackend();
    expect(done.length).toBe(4096);
    b.destroy();
    const outcomes = await Promise.allSettled(reads);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(BackendError);
      expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/webgpu read .*destroyed/);
    }
    await expectBackendError(y.data(), /webgpu read: the backend was destroyed/);
    expect(() => exp(x)).toThrow(BackendError);
    expect(() => add(x, y)).toThrow(/webgpu Add: the backend was destroyed \(destroy\(\)\)/);
    expect(() => tensor([1, 2], { backend: b })).toThrow(/webgpu fromData: the backend was destroyed/);
    expect(() => b.flush()).toThrow(/webgpu flush: the backend was destroyed/);
    await expectBackendError(b.sync(), /destroyed/);
    await expectBackendError(x.to(gpu.backend as WebGPUBackend), /destroyed/);
    // Cleaning up after destroy() is harmless: dispose, tidy scopes ending, destroy again.
    expect(() => tidy(() => made.forEach((t) => t.dispose()))).not.toThrow();
    expect(() => x.dispose()).not.toThrow();
    expect(() => b.destroy()).not.toThrow();
  });

  it('stops a training step on a destroyed backend with a BackendError and leaves the parameters as they were', async () => {
    const b = await createWebGPUBackend();
    const net = twoLayerNet(b);
    const first = net.step();
    await first.item();
    first.dispose();
    const params = net.params.slice();
    b.destroy();
    expect(() => net.step()).toThrow(BackendError);
    expect(net.params).toEqual(params);
    for (const p of params) expect(p.isDisposed).toBe(false);
    expect(() => net.dispose()).not.toThrow();
  });

  it('on a device shared with another backend: rejects its reads, releases its buffers, and the device stays usable', async () => {
    const owner = gpu.backend as WebGPUBackend;
    const { b, x, reads } = await busyBackend({ shareDeviceOf: owner });
    expect(b.liveBuffers()).toBeGreaterThan(0);
    const held = (x.array as GpuArray).storage.buffer;
    b.destroy();
    const outcomes = await Promise.allSettled(reads);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(BackendError);
    }
    await expectBackendError(x.data(), /destroyed/);
    // Its buffers went with it, the ones live tensors held included: the device refuses to copy one.
    const device = owner.device;
    const target = device.createBuffer({ size: 16, usage: 0x0008 /* COPY_DST */ });
    device.pushErrorScope('validation');
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(held, 0, target, 0, 16);
    device.queue.submit([encoder.finish()]);
    const error = await device.popErrorScope();
    target.destroy();
    expect(error?.message).toMatch(/destroyed/i);
    // The device is the owner's, so it still works.
    const z = tidy(() => exp(neg(tensor([3, 4], { backend: owner }))));
    const values = await z.data();
    expect(values[0]).toBeCloseTo(Math.exp(-3), 6);
    expect(values[1]).toBeCloseTo(Math.exp(-4), 6);
    z.dispose();
  });
});
