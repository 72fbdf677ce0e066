import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@graphgrad/cpu';
import {
  ArgumentError,
  BackendError,
  defineNode,
  randn,
  tensor,
  type Backend,
  type BackendArray,
  type Tensor,
} from '@graphgrad/core';
import { defineWgslKernel, MAX_KERNEL_PARAMS, WebGPUBackend } from '../src/index.ts';
import { gpuForTests } from './gpu-for-tests.ts';
import * as nodes from '@graphgrad/nodes';

const { add, mul, sigmoid, sub, sum, transpose } = nodes;

const gpu = await gpuForTests();

/** Swish with its own WGSL forward on the GPU and a plain loop on the CPU: the pattern docs/writing-a-node.md shows. */
const swishKernel = defineWgslKernel({
  name: 'Swish',
  inputs: ['x'],
  wgsl: /* wgsl */ `
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = global_index(gid, nwg);
  if (i >= output_size()) { return; }
  out[i] = x[i] / (1.0 + exp(-x[i]));
}`,
});

function swishOnHost(backend: Backend, x: BackendArray): BackendArray {
  if (backend.readSync === undefined) throw new BackendError(`Swish: no host loop on the ${backend.name} backend`);
  return backend.fromData(
    backend.readSync(x).map((v) => v / (1 + Math.exp(-v))),
    x.shape,
    x.dtype,
  );
}

const SwishNode = defineNode({
  kind: 'Swish',
  inputs: ['x'],
  saveOutputs: true,
  forward: (_k, [x], _attrs, backend) =>
    backend instanceof WebGPUBackend
      ? backend.runKernel(swishKernel, [x], { shape: x.shape, dtype: x.dtype })
      : swishOnHost(backend, x),
  backward: ({ inputs: [x], outputs: [y] }, dy) => [mul(dy, add(sigmoid(x), mul(y, sub(1, sigmoid(x)))))],
});
const swish = (x: Tensor): Tensor => SwishNode.apply([x]);

/** out = a·scale + b·shift, with two inputs, an int32 one and float parameters. */
const affineKernel = defineWgslKernel({
  name: 'ScaleShift',
  inputs: ['a', 'b'],
  workgroupSize: 128,
  wgsl: /* wgsl */ `
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = global_index(gid, nwg);
  if (i >= output_size()) { return; }
  out[i] = a[i] * param(0u) + f32(b[i]) * param(1u);
}`,
});

describe('defineWgslKernel', () => {
  it('rejects a kernel that cannot be compiled as declared', () => {
    expect(() => defineWgslKernel({ name: 'K', inputs: ['out'], wgsl: 'fn main() {}' })).toThrow(ArgumentError);
    expect(() => defineWgslKernel({ name: 'K', inputs: ['1x'], wgsl: 'fn main() {}' })).toThrow(
      /'1x' is not a free WGSL identifier/,
    );
    expect(() => defineWgslKernel({ name: 'K', inputs: ['x'], wgsl: 'fn f() {}' })).toThrow(
      /no 'fn main\(\.\.\.\)' entry point/,
    );
    expect(() => defineWgslKernel({ name: 'K', inputs: ['x'], wgsl: 'fn main() {}', workgroupSize: 0 })).toThrow(
      /workgroupSize must be an integer in \[1, 256\]/,
    );
  });
});

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'custom WGSL kernels on the WebGPU backend', () => {
  const backend = gpu.backend as WebGPUBackend;

  it('runs a custom node forward on the GPU and agrees with its CPU loop, gradients included', async () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i - 500) / 37); // not a multiple of the workgroup
    const onCpu = tensor(values, { shape: [10, 100], requiresGrad: true, backend: cpuBackend() });
    const onGpu = tensor(values, { shape: [10, 100], requiresGrad: true, backend });
    const yCpu = swish(onCpu);
    const yGpu = swish(onGpu);
    sum(yCpu).backward();
    sum(yGpu).backward();
    const [cpuY, gpuY, cpuDx, gpuDx] = await Promise.all([
      yCpu.data(),
      yGpu.data(),
      onCpu.grad!.data(),
      onGpu.grad!.data(),
    ]);
    for (let i = 0; i < values.length; i++) {
      expect(gpuY[i]).toBeCloseTo(cpuY[i], 5);
      expect(gpuDx[i]).toBeCloseTo(cpuDx[i], 5);
    }
  });

  it('reads views as row-major data and passes float parameters', async () => {
    const a = randn([3, 5], { seed: 4, backend });
    const aT = transpose(a); // a strided view: the kernel must see it row-major
    const b = tensor(
      Array.from({ length: 15 }, (_, i) => i),
      { shape: [5, 3], dtype: 'int32', backend },
    );
    const out = backend.runKernel(affineKernel, [aT.array, b.array], { shape: [5, 3], dtype: 'float32' }, [2, -0.5]);
    const [got, aTValues] = await Promise.all([backend.read(out), aT.data()]);
    expect(Array.from(got)).toEqual(Array.from(aTValues, (v, i) => Math.fround(Math.fround(v * 2) + i * -0.5)));
    backend.dispose(out);
  });

  it('releases its temporaries and leaves only the output live', () => {
    const x = randn([4, 4], { seed: 1, backend });
    const before = backend.liveBuffers();
    const out = backend.runKernel(swishKernel, [transpose(x).array], { shape: [4, 4], dtype: 'float32' });
    expect(backend.liveBuffers()).toBe(before + 1);
    backend.dispose(out);
    expect(backend.liveBuffers()).toBe(before);
  });

  it('rejects wrong arguments at the call, before any dispatch', () => {
    const x = randn([4], { seed: 1, backend });
    expect(() => backend.runKernel(swishKernel, [], { shape: [4], dtype: 'float32' })).toThrow(
      /webgpu Swish: expects 1 inputs \(x\), got 0/,
    );
    expect(() => backend.runKernel(swishKernel, [x.array], { shape: [4], dtype: 'float64' })).toThrow(
      /cannot hold float64/,
    );
    const tooMany = Array.from({ length: MAX_KERNEL_PARAMS + 1 }, () => 1);
    expect(() => backend.runKernel(swishKernel, [x.array], { shape: [4], dtype: 'float32' }, tooMany)).toThrow(
      /at most 63 parameters/,
    );
    const onCpu = randn([4], { seed: 1 });
    expect(() => backend.runKernel(swishKernel, [onCpu.array], { shape: [4], dtype: 'float32' })).toThrow(
      /input 'x' is not an array of this WebGPU backend/,
    );
  });

  it('surfaces WGSL that does not compile as a BackendError on the next read, not a wrong number', async () => {
    const broken = defineWgslKernel({
      name: 'Broken',
      inputs: ['x'],
      wgsl: `@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) { out[gid.x] = x[gid.x] + undefined_name; }`,
    });
    const x = randn([4], { seed: 1, backend });
    let read: Promise<unknown>;
    try {
      const out = backend.runKernel(broken, [x.array], { shape: [4], dtype: 'float32' });
      read = backend.read(out);
    } catch (error) {
      read = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    await expect(read).rejects.toThrow(BackendError);
    await expect(read).rejects.toThrow(/undefined_name|Broken/);
  });

  it("gives a kernel zeros to write into: elements it leaves alone never show another tensor's data", async () => {
    const evenOnly = defineWgslKernel({
      name: 'EvenOnly',
      inputs: ['x'],
      wgsl: `@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = global_index(gid, nwg);
  if (i >= output_size() || i % 2u == 1u) { return; }
  out[i] = x[i];
}`,
    });
    // Fill the pool with buffers of 7s, released, the size the kernel's output takes.
    for (let k = 0; k < 4; k++) tensor(new Float32Array(64).fill(7), { backend }).dispose();
    const x = tensor(
      Float32Array.from({ length: 64 }, (_, i) => i),
      { backend },
    );
    const out = backend.runKernel(evenOnly, [x.array], { shape: [64], dtype: 'float32' });
    const values = await backend.read(out);
    expect(Array.from(values)).toEqual(Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? i : 0)));
    backend.dispose(out);
    x.dispose();
  });

  it('poisons the output of WGSL that does not compile: every read, and every read of what is computed from it, names the kernel and the compiler', async () => {
    const broken = defineWgslKernel({
      name: 'Broken',
      inputs: ['x'],
      wgsl: `@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) { out[gid.x] = x[gid.x] + undefined_name; }`,
    });
    const message = /^webgpu Broken: its WGSL does not compile: \d+:\d+ .*undefined_name/;
    const x = randn([4], { seed: 1, backend });
    const out = backend.runKernel(broken, [x.array], { shape: [4], dtype: 'float32' });
    await expect(backend.read(out)).rejects.toThrow(message);
    await expect(backend.read(out)).rejects.toThrow(message);
    const square = backend.kernels.Reshape(out, [2, 2]);
    const derived = backend.kernels.Exp(square);
    await expect(backend.read(derived)).rejects.toThrow(message);
    // A second run of the same broken kernel fails the same way.
    const again = backend.runKernel(broken, [x.array], { shape: [4], dtype: 'float32' });
    await expect(backend.read(again)).rejects.toThrow(message);
    // Healthy work goes on.
    expect(Array.from(await x.data()).every(Number.isFinite)).toBe(true);
    for (const a of [out, square, derived, again]) backend.dispose(a);
    x.dispose();
  });
});
