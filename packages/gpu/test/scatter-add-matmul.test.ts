import { describe, expect, it } from 'vitest';
import type { BackendArray } from '@graphgrad/core';
import { cpuBackend } from '@graphgrad/cpu';
import type { WebGPUBackend } from '../src/index.ts';
import { gpuForTests } from './gpu-for-tests.ts';

// ScatterAdd's clean buffers on WebGPU (a released output's written slices are zeroed again on the
// device, after every command that read it and before the buffer's next use, and only when its last
// view goes), and batched products split into several dispatches when the batch exceeds the grid.

const gpu = await gpuForTests();
const shallow = await gpuForTests({ maxWorkgroupsPerDimension: 2 });
const cpu = cpuBackend();

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'ScatterAdd on WebGPU', () => {
  const backend = gpu.backend as WebGPUBackend;
  const rows = 4000;
  const values = Float32Array.from({ length: 6 * 16 }, (_, i) => (i % 13) - 6);
  const run = (b: WebGPUBackend | typeof cpu, picks: number[]): BackendArray => {
    const v = b.fromData(values.subarray(0, picks.length * 16), [picks.length, 16], 'float32');
    const i = b.fromData(Int32Array.from(picks), [picks.length], 'int32');
    const out = b.kernels.ScatterAdd(v, i, 0, rows);
    b.dispose(v);
    b.dispose(i);
    return out;
  };

  it('gives each output of a reused buffer its own values alone', async () => {
    const pooled: number[] = [];
    for (const picks of [
      [5, 3999, 5, 12],
      [7, 7, 7, 0],
      [3999, 2, 2, 1],
    ]) {
      const got = run(backend, picks);
      const want = run(cpu, picks);
      expect([...(await backend.read(got))]).toEqual([...(await cpu.read(want))]);
      backend.dispose(got);
      cpu.dispose(want);
      pooled.push(backend.counters.pooledBuffers);
    }
    // the first output's buffer went back to the pool and served the later ones: no new buffers
    expect(pooled[2]).toBe(pooled[0]);
    expect(backend.liveBuffers()).toBe(0);
  });

  it('zeroes the slices written only once the last view of the output is released', async () => {
    const out = run(backend, [10, 20]);
    const view = backend.kernels.Reshape(out, [rows * 16]);
    backend.dispose(out);
    const kept = await backend.read(view);
    expect(kept[10 * 16]).toBe(values[0]);
    backend.dispose(view);
    const next = run(backend, [30]);
    const read = await backend.read(next);
    expect(read[10 * 16]).toBe(0);
    expect(read[20 * 16]).toBe(0);
    expect(read[30 * 16]).toBe(values[0]);
    backend.dispose(next);
  });
});

describe.skipIf(shallow.backend === null)(shallow.reason ?? 'batched MatMul in several dispatches', () => {
  it('multiplies a batch deeper than the grid (two workgroups a dimension) in several dispatches', async () => {
    const backend = shallow.backend as WebGPUBackend;
    const a = Float32Array.from({ length: 5 * 3 * 4 }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: 5 * 4 * 2 }, (_, i) => Math.cos(i));
    const on = (x: WebGPUBackend | typeof cpu) =>
      x.kernels.MatMul(x.fromData(a, [5, 3, 4], 'float32'), x.fromData(b, [5, 4, 2], 'float32'), false, false);
    const dispatches = backend.counters.dispatches;
    const got = await backend.read(on(backend));
    expect(backend.counters.dispatches - dispatches).toBe(3);
    const want = await cpu.read(on(cpu));
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
  });
});
