import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@graphgrad/cpu';
import { type Backend } from '@graphgrad/core';
import { gpuForTests } from './gpu-for-tests.ts';
import { twoLayerNet } from './two-layer-net.ts';

const gpu = await gpuForTests();

async function losses(backend: Backend, steps: number): Promise<number[]> {
  const net = twoLayerNet(backend);
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = net.step();
    out.push(await loss.item());
    loss.dispose();
  }
  net.dispose();
  return out;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.skipIf(gpu.backend === null)(gpu.reason ?? "the book's two-layer net on WebGPU", () => {
  const backend = gpu.backend as NonNullable<typeof gpu.backend>;

  it('trains on the spiral data to the same losses as the CPU float32 run', async () => {
    const steps = 300;
    const [onCpu, onGpu] = [await losses(cpuBackend(), steps), await losses(backend, steps)];
    // It learns: the last 30 steps' mean loss is well below the first 30 steps'.
    expect(mean(onGpu.slice(-30))).toBeLessThan(0.9 * mean(onGpu.slice(0, 30)));
    // The same trajectory: the same data and weights, differing only in float32 rounding.
    const worst = Math.max(...onGpu.map((l, i) => Math.abs(l - onCpu[i])));
    expect(worst).toBeLessThan(1e-3);
  });

  it('holds a constant number of live buffers over 1,000 training steps inside tidy', async () => {
    const net = twoLayerNet(backend);
    const counts: number[] = [];
    for (let i = 1; i <= 1000; i++) {
      const loss = net.step();
      if (i % 100 === 0) {
        expect(Number.isFinite(await loss.item())).toBe(true);
        counts.push(backend.liveBuffers());
      }
      loss.dispose();
    }
    expect(new Set(counts).size).toBe(1);
    net.dispose();
  });

  it('submits a training step in a handful of command buffers', async () => {
    const net = twoLayerNet(backend);
    const warm = net.step();
    await warm.item();
    warm.dispose();
    const before = backend.counters;
    const loss = net.step();
    await loss.item();
    loss.dispose();
    const after = backend.counters;
    const dispatches = after.dispatches - before.dispatches;
    const submits = after.submits - before.submits;
    expect(dispatches).toBeGreaterThan(20);
    expect(submits).toBeLessThanOrEqual(3);
    net.dispose();
  });

  it("takes most of a training loop's bind groups from its cache", async () => {
    const net = twoLayerNet(backend);
    const steps = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const loss = net.step();
        await loss.item();
        loss.dispose();
      }
    };
    // The pool hands buffers out in an order that drifts from step to step until it cycles, so
    // the first steps still meet new combinations of buffers.
    await steps(100);
    const before = backend.counters;
    await steps(100);
    const after = backend.counters;
    expect(after.bindGroups - before.bindGroups).toBeLessThan((after.dispatches - before.dispatches) / 10);
    net.dispose();
  });
});
