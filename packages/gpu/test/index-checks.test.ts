import { describe, expect, it } from 'vitest';
import { ArgumentError, detectAnomaly, AnomalyError, ShapeError, tensor } from '@graphgrad/core';
import type { WebGPUBackend } from '../src/index.ts';
import { gpuForTests } from './gpu-for-tests.ts';
import * as nodes from '@graphgrad/nodes';

const { argmax, cast, gather, oneHot, reshape, softmaxWithLoss } = nodes;

// Indices on WebGPU: those uploaded from the host are checked at the call, as on the CPU (the
// backend keeps a host copy of int32 uploads); those only the device knows give NaN rows, so a bad
// index never passes for a number.

const gpu = await gpuForTests();

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'index checks on WebGPU', () => {
  const backend = gpu.backend as WebGPUBackend;
  const ints = (values: number[]) => tensor(values, { dtype: 'int32', backend });

  it('keeps the host values of int32 uploads and of views in the same order, not of kernel outputs', () => {
    const labels = ints([2, 0, 1, 2]);
    expect([...backend.hostValues(labels.array)!]).toEqual([2, 0, 1, 2]);
    expect([...backend.hostValues(reshape(labels, [2, 2]).array)!]).toEqual([2, 0, 1, 2]);
    expect(backend.hostValues(tensor([1, 2], { backend }).array)).toBeUndefined();
    expect(backend.hostValues(argmax(tensor([[0, 3, 1]], { backend }), 1).array)).toBeUndefined();
  });

  it('the host copy is the values at upload time, not the caller array later changed', async () => {
    const source = new Int32Array([0, 1]);
    const labels = tensor(source, { dtype: 'int32', backend });
    source[1] = 9;
    expect([...backend.hostValues(labels.array)!]).toEqual([0, 1]);
    expect([...(await labels.data())]).toEqual([0, 1]);
  });

  it('rejects uploaded indices out of range at the call, before any kernel runs', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      { backend },
    );
    const logits = tensor(
      [
        [0, 1, 2],
        [2, 1, 0],
      ],
      { backend },
    );
    const dispatches = backend.counters.dispatches;
    expect(() => gather(x, ints([0, 3]))).toThrow(new ShapeError('gather: index 3 is outside the 3 rows of [3,2]'));
    expect(() => gather(x, reshape(ints([1, -1]), [2, 1]))).toThrow(ShapeError);
    expect(() => oneHot(ints([0, 3]), 3)).toThrow(new ArgumentError('oneHot: class index 3 is outside [0, 3)'));
    expect(() => softmaxWithLoss(logits, ints([0, -1]))).toThrow(
      new ArgumentError('softmaxWithLoss: class index -1 is outside [0, 3) for logits [2,3]'),
    );
    expect(backend.counters.dispatches).toBe(dispatches);
  });

  it('indices the device computed give NaN rows rather than zeros or another row', async () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      { backend },
    );
    const computed = cast(tensor([2, 7, -1], { backend }), 'int32'); // known only on the device
    expect(backend.hostValues(computed.array)).toBeUndefined();
    expect([...(await gather(x, computed).data())]).toEqual([5, 6, NaN, NaN, NaN, NaN]);
    expect([...(await oneHot(computed, 3).data())]).toEqual([0, 0, 1, NaN, NaN, NaN, NaN, NaN, NaN]);
    const loss = softmaxWithLoss(
      tensor(
        [
          [0, 1, 2],
          [2, 1, 0],
          [1, 1, 1],
        ],
        { backend },
      ),
      computed,
    );
    expect(await loss.item()).toBeNaN();
  });

  it('anomaly mode names the gather that a device-computed bad index spoiled', async () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { backend, requiresGrad: true },
    );
    const computed = cast(tensor([0, 5], { backend }), 'int32');
    await expect(
      detectAnomaly(async () => {
        await gather(x, computed).data();
      }),
    ).rejects.toThrow(AnomalyError);
    await expect(
      detectAnomaly(async () => {
        await gather(x, computed).data();
      }),
    ).rejects.toThrow(/Gather/);
  });
});
