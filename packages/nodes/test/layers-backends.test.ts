// The layers run the same on WebGPU as on the CPU: forward values and parameter gradients of each
// layer, built from one seed, moved with `to(backend)`, compared to float32 accuracy.
import { describe, expect, it } from 'vitest';
import { randint, randn, type Backend, type Tensor } from '@graphgrad/core';
import { cpuBackend } from '@graphgrad/cpu';
import { webgpuForTests } from '@graphgrad/test-backends';
import {
  Dropout,
  Embedding,
  GRU,
  LayerNorm,
  Linear,
  LSTM,
  mul,
  RNN,
  Sequential,
  Sigmoid,
  sum,
  type Module,
} from '../src/index.ts';

const gpu = await webgpuForTests();

interface Case {
  readonly name: string;
  readonly make: () => Module<[Tensor], Tensor>;
  readonly input: (backend: Backend) => Tensor;
}

const CASES: readonly Case[] = [
  {
    name: 'Linear on [N, T, D]',
    make: () => new Linear(5, 4, { seed: 1 }),
    input: (backend) => randn([3, 7, 5], { seed: 2, backend }),
  },
  {
    name: 'Embedding',
    make: () => new Embedding(11, 4, { seed: 3 }),
    input: (backend) => randint(0, 11, [3, 5], { seed: 4, backend }),
  },
  { name: 'LayerNorm', make: () => new LayerNorm(6), input: (backend) => randn([4, 6], { seed: 5, backend }) },
  {
    name: 'Sequential with Dropout',
    make: () =>
      new Sequential([
        new Linear(5, 8, { seed: 6 }),
        new Sigmoid(),
        new Dropout(0.3, { seed: 7 }),
        new Linear(8, 3, { seed: 8 }),
      ]),
    input: (backend) => randn([9, 5], { seed: 9, backend }),
  },
  {
    name: 'RNN, 2 layers',
    make: () => new RNN(3, 5, { numLayers: 2, seed: 10 }),
    input: (backend) => randn([2, 4, 3], { seed: 11, backend }),
  },
  {
    name: 'LSTM, 2 layers',
    make: () => new LSTM(3, 5, { numLayers: 2, seed: 12 }),
    input: (backend) => randn([2, 4, 3], { seed: 13, backend }),
  },
  {
    name: 'GRU, 2 layers',
    make: () => new GRU(3, 5, { numLayers: 2, seed: 14 }),
    input: (backend) => randn([2, 4, 3], { seed: 15, backend }),
  },
];

/** The output and the parameters' gradients of Σ w·layer(x), read back. */
async function run(layer: Module<[Tensor], Tensor>, backend: Backend, c: Case): Promise<number[][]> {
  const out = layer.call(c.input(backend));
  sum(mul(out, randn(out.shape, { seed: 99, backend }))).backward();
  return Promise.all([out, ...layer.parameters().map((p) => p.grad!)].map(async (t) => Array.from(await t.data())));
}

describe.skipIf(gpu.backend === null)(`layers on webgpu match the cpu ${gpu.reason ?? ''}`, () => {
  it.each(CASES)('$name', async (c) => {
    const cpu = cpuBackend();
    const onCpu = await c.make().to(cpu);
    const onGpu = await c.make().to(gpu.backend!);
    expect(onGpu.parameters().every((p) => p.backend === gpu.backend)).toBe(true);
    const [want, got] = [await run(onCpu, cpu, c), await run(onGpu, gpu.backend!, c)];
    want.forEach((values, k) => {
      expect(got[k]).toHaveLength(values.length);
      values.forEach((v, i) => expect(Math.abs(got[k][i] - v)).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(v)));
    });
  });
});
