import { afterEach, describe, expect, it } from 'vitest';
import { cpuBackend } from '@graphgrad/cpu';
import { BackendError, getBackend, randn, setBackend, tensor, zeros, type BackendArray } from '@graphgrad/core';
import { createWebGPUBackend, type WebGPUBackend } from '../src/index.ts';
import { gpuForTests } from './gpu-for-tests.ts';
import * as nodes from '@graphgrad/nodes';

const gpu = await gpuForTests();

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'the WebGPU backend', () => {
  const backend = gpu.backend as WebGPUBackend;
  const k = backend.kernels;
  const f32 = (values: number[], shape: number[] = [values.length]): BackendArray =>
    backend.fromData(Float32Array.from(values), shape, 'float32');

  afterEach(() => setBackend(cpuBackend()));

  it('names itself and its adapter and holds float32 and int32', () => {
    expect(backend.name).toBe('webgpu');
    expect(backend.dtypes).toEqual(['float32', 'int32']);
    expect(backend.adapterName.length).toBeGreaterThan(0);
  });

  it('rejects float64 with a BackendError, never a silent downcast', () => {
    expect(() => tensor([1, 2], { dtype: 'float64', backend })).toThrow(BackendError);
    expect(() => zeros([2], { dtype: 'float64', backend })).toThrow(/cannot hold float64/);
    expect(() => backend.fromData(new Float64Array(2), [2], 'float64')).toThrow(BackendError);
    const x = f32([1, 2]);
    expect(() => k.Cast(x, 'float64')).toThrow(/cannot hold float64/);
    expect(() => k.OneHot(backend.fromData(new Int32Array([0]), [1], 'int32'), 2, 'float64')).toThrow(BackendError);
    backend.dispose(x);
  });

  it('becomes the default backend with setBackend', async () => {
    setBackend(backend);
    const x = randn([3, 2], { seed: 1 });
    expect(x.backend).toBe(backend);
    expect(getBackend()).toBe(backend);
    expect((await x.data()).length).toBe(6);
    x.dispose();
  });

  it('moves tensors between backends with to()', async () => {
    const cpu = cpuBackend();
    const a = tensor(
      [
        [1.5, -2],
        [3, 4],
      ],
      { backend: cpu },
    );
    const onGpu = await a.to(backend);
    expect(onGpu.backend).toBe(backend);
    expect(await onGpu.toArray()).toEqual([
      [1.5, -2],
      [3, 4],
    ]);
    const back = await onGpu.to(cpu);
    expect(back.dataSync()).toEqual(a.dataSync());
    const labels = await tensor([2, 0, 1], { dtype: 'int32', backend: cpu }).to(backend);
    expect(await labels.data()).toEqual(new Int32Array([2, 0, 1]));
    await expect(tensor([1], { dtype: 'float64', backend: cpu }).to(backend)).rejects.toThrow(BackendError);
    for (const t of [a, onGpu, back, labels]) t.dispose();
  });

  it('shares one buffer between an array and its views, and releases it with the last handle', () => {
    const base = backend.liveBuffers();
    const x = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const t = k.Transpose(x, [1, 0]);
    const b = k.BroadcastTo(x, [4, 2, 3]);
    const r = k.Reshape(x, [3, 2]);
    expect(backend.liveBuffers()).toBe(base + 1);
    const copied = k.Reshape(t, [6]);
    expect(backend.liveBuffers()).toBe(base + 2);
    for (const a of [x, t, b, r]) backend.dispose(a);
    expect(backend.liveBuffers()).toBe(base + 1);
    backend.dispose(copied);
    backend.dispose(copied);
    expect(backend.liveBuffers()).toBe(base);
  });

  it('reuses released buffers from its pool', () => {
    const x = f32(Array.from({ length: 1000 }, (_, i) => i));
    const y = k.Exp(x);
    backend.dispose(y);
    const pooled = backend.counters.pooledBuffers;
    const z = k.Neg(x);
    expect(backend.counters.pooledBuffers).toBe(pooled - 1);
    backend.dispose(z);
    backend.dispose(x);
  });

  it('serves every shape of a kernel variant from one pipeline', async () => {
    const shapes = [[3], [5, 7], [2, 3, 5], [1001]];
    const arrays = shapes.map((s) =>
      f32(
        Array.from({ length: s.reduce((a, b) => a * b) }, (_, i) => i / 100),
        s,
      ),
    );
    await backend.read(k.Tanh(arrays[0]));
    const pipelines = backend.counters.pipelines;
    const outs = arrays.map((a) => k.Tanh(a));
    await backend.read(outs[outs.length - 1]);
    expect(backend.counters.pipelines).toBe(pipelines);
    for (const a of [...arrays, ...outs]) backend.dispose(a);
  });

  it('records kernels and submits them together when a value is read', async () => {
    const x = f32([1, 2, 3]);
    const before = backend.counters;
    let y = x;
    const made: BackendArray[] = [];
    for (let i = 0; i < 20; i++) made.push((y = k.Add(y, x)));
    expect(backend.counters.submits).toBe(before.submits);
    expect(await backend.read(y)).toEqual(new Float32Array([21, 42, 63]));
    expect(backend.counters.submits - before.submits).toBe(1);
    expect(backend.counters.dispatches - before.dispatches).toBe(20);
    for (const a of [x, ...made]) backend.dispose(a);
  });

  it('reads size-0 arrays without device work', async () => {
    const before = backend.counters.submits;
    const empty = k.Exp(f32([], [0, 4]));
    expect(await backend.read(empty)).toEqual(new Float32Array(0));
    expect(backend.counters.submits).toBe(before);
  });

  it('rejects arrays that are disposed or belong to another backend', () => {
    const x = f32([1]);
    backend.dispose(x);
    expect(() => k.Exp(x)).toThrow(/already disposed/);
    const onCpu = cpuBackend().fromData(new Float32Array([1]), [1], 'float32');
    expect(() => k.Exp(onCpu)).toThrow(/not an array of this WebGPU backend/);
  });

  it('names the kernel when axes are out of range', () => {
    const x = f32([1, 2, 3, 4], [2, 2]);
    expect(() => k.Sum(x, [2], false)).toThrow(/webgpu Sum: axes \[2\]/);
    expect(() => k.ArgMax(x, -1)).toThrow(/webgpu ArgMax/);
    expect(() => k.Transpose(x, [0, 0])).toThrow(/not a permutation/);
    backend.dispose(x);
  });

  it('refuses an array larger than the device can bind', () => {
    expect(() => backend.fill([2 ** 31], 0, 'float32')).toThrow(/this device binds at most/);
  });

  it('reports a validation error on the next read as a BackendError, then recovers', async () => {
    const x = f32([1, 2]);
    const y = k.Exp(x);
    // A buffer that may be mapped for reading cannot also be a storage buffer.
    backend.device.createBuffer({ size: 16, usage: 0x0001 | 0x0080 });
    await expect(backend.read(y)).rejects.toThrow(/validation error/);
    const values = await backend.read(y);
    expect(values[0]).toBeCloseTo(Math.E, 5);
    expect(values[1]).toBeCloseTo(Math.exp(2), 5);
    backend.dispose(x);
    backend.dispose(y);
  });
});

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'grids folded into two dimensions', () => {
  it('gives the CPU results when every dispatch needs a 2-D grid', async () => {
    // Two workgroups per dimension at most: every kernel below spans more and folds its grid.
    const folded = await createWebGPUBackend({ maxWorkgroupsPerDimension: 2 });
    const cpu = cpuBackend();
    const values = Float32Array.from({ length: 40 * 130 }, (_, i) => Math.sin(i));
    const on = (b: typeof cpu | typeof folded) => {
      const x = b.fromData(values, [40, 130], 'float32');
      const k = b.kernels;
      return [
        k.Sigmoid(k.Add(x, k.Transpose(k.Reshape(x, [130, 40]), [1, 0]))),
        k.Sum(x, [1], false),
        k.Sum(x, [0], true),
        k.Max(k.Reshape(x, [5200 / 4, 4]), [1], false),
        k.ArgMax(x, 1),
        k.Softmax(x),
        k.Softmax(k.Reshape(x, [5200 / 4, 4])),
        k.SoftmaxCrossEntropy(x, k.Softmax(x)),
        k.Gather(
          x,
          b.fromData(
            Int32Array.from({ length: 600 }, (_, i) => i % 40),
            [600],
            'int32',
          ),
          0,
        ),
        k.OneHot(
          b.fromData(
            Int32Array.from({ length: 600 }, (_, i) => i % 7),
            [600],
            'int32',
          ),
          7,
          'float32',
        ),
        k.Cast(x, 'int32'),
        b.fill([3000], 2, 'float32'),
      ];
    };
    const want = await Promise.all(on(cpu).map((a) => cpu.read(a)));
    const got = await Promise.all(on(folded).map((a) => folded.read(a)));
    got.forEach((g, i) => {
      expect(g.length).toBe(want[i].length);
      g.forEach((v, j) =>
        expect(Math.abs(v - want[i][j]), `output ${i}, element ${j}`).toBeLessThanOrEqual(
          1e-5 + 1e-5 * Math.abs(want[i][j]),
        ),
      );
    });
    folded.destroy();
  });
});

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'a pool with a small cap', () => {
  it('destroys released buffers beyond the cap once their commands are submitted', async () => {
    const b = await createWebGPUBackend({ maxPooledBytes: 8192 });
    const arrays = Array.from({ length: 10 }, (_, i) => b.fill([1024], i, 'float32'));
    const total = b.kernels.Add(arrays[3], arrays[9]);
    for (const a of arrays) b.dispose(a);
    expect(b.counters.pooledBuffers).toBe(2);
    expect(await b.read(total)).toEqual(new Float32Array(1024).fill(12));
    await b.sync();
    b.dispose(total);
    b.destroy();
  });
});

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'a backend that is destroyed or loses its device', () => {
  it('fails reads and kernels with a BackendError after destroy(), without hanging', async () => {
    const b = await createWebGPUBackend();
    const x = b.fromData(new Float32Array([1, 2, 3]), [3], 'float32');
    const y = b.kernels.Exp(x);
    const pending = b.read(y);
    b.destroy();
    await expect(pending).rejects.toThrow(BackendError);
    await expect(b.read(y)).rejects.toThrow(/destroyed/);
    expect(() => b.kernels.Neg(x)).toThrow(/destroyed/);
    expect(() => b.fromData(new Float32Array(1), [1], 'float32')).toThrow(/destroyed/);
    b.dispose(x);
    b.destroy();
  });

  it('fails the next read with a BackendError when the device is lost', async () => {
    const b = await createWebGPUBackend();
    const x = b.fromData(new Float32Array([1, 2, 3]), [3], 'float32');
    b.device.destroy();
    await expect(b.read(b.kernels.Exp(x))).rejects.toThrow(BackendError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(() => b.kernels.Neg(x)).toThrow(/device was lost/);
    b.destroy();
  });
});

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'matmul backward through the transpose flags', () => {
  it('differentiates every transpose combination without a copy of a transposed operand', async () => {
    const { matmul, mul, sum } = nodes;
    const b = await createWebGPUBackend();
    // Every program the backend compiles, by key (a fresh backend compiles each variant it runs).
    const compiled: string[] = [];
    const create = b.device.createComputePipeline.bind(b.device);
    b.device.createComputePipeline = (descriptor: GPUComputePipelineDescriptor) => {
      compiled.push(descriptor.label ?? '');
      return create(descriptor);
    };
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = randn(ta ? [5, 3] : [3, 5], { seed: 1, requiresGrad: true, backend: b });
        const w = randn(tb ? [4, 5] : [5, 4], { seed: 2, requiresGrad: true, backend: b });
        const weights = randn([3, 4], { seed: 3, backend: b });
        sum(mul(matmul(a, w, { transposeA: ta, transposeB: tb }), weights)).backward();
        expect(a.grad!.shape).toEqual(a.shape);
        expect(w.grad!.shape).toEqual(w.shape);
        await a.grad!.data();
        for (const t of [a, w, weights, a.grad!, w.grad!]) t.dispose();
      }
    }
    expect(compiled.some((key) => key.startsWith('matmul:'))).toBe(true);
    // A transposed operand is read through its strides: no strided copy program was ever needed.
    expect(compiled.filter((key) => key.startsWith('elementwise:Copy'))).toEqual([]);
    b.destroy();
  });
});
