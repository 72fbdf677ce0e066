import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, setBackend } from 'graphgrad';
import { gpuForTests } from '../packages/gpu/test/gpu-for-tests.ts';
import { backendFromArgs } from './backend-option.ts';
import { main as customLoop } from './spiral-custom-loop.ts';

const gpu = await gpuForTests();

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'the spiral example on WebGPU (--backend webgpu)', () => {
  const cpu = getBackend();
  afterEach(() => setBackend(cpu));

  it('trains to the same losses as on the CPU', async () => {
    const onCpu = await customLoop({ maxEpoch: 3, log: () => undefined });
    setBackend(gpu.backend!);
    const onGpu = await customLoop({ maxEpoch: 3, log: () => undefined });
    expect(onGpu.model.params.every((p) => p.backend === gpu.backend)).toBe(true);
    onGpu.lossList.forEach((loss, i) => expect(loss).toBeCloseTo(onCpu.lossList[i], 4));
  });

  it('takes the backend from the command line', async () => {
    const chosen = await backendFromArgs(['node', 'spiral-trainer.ts', '--backend', 'webgpu']);
    expect(chosen.description).toMatch(/^webgpu \(/);
    expect(getBackend().name).toBe('webgpu');
    chosen.close();
    expect(getBackend()).toBe(cpu);
    expect((await backendFromArgs(['node', 'x.ts'])).description).toBe('cpu');
    await expect(backendFromArgs(['--backend', 'tpu'])).rejects.toThrow(/expected cpu or webgpu/);
  });
});
