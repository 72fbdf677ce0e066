import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@graphgrad/core';
import * as nodes from '@graphgrad/nodes';
import { gpuForTests } from './gpu-for-tests.ts';

const { add, clamp, div, maximum, mul, pow, reshape, sub, where, greater } = nodes;

// A plain-number operand (`mul(x, 2)`) becomes a scalar array on the device; outside `tidy`, with
// each result disposed, the calls must leave no device buffer behind.

const gpu = await gpuForTests();

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'plain-number operands', () => {
  const backend = gpu.backend!;

  it('leave no buffer behind per call outside tidy', async () => {
    const x = tensor([1, 2, 3], { backend });
    const warm = mul(x, 2);
    warm.dispose();
    const before = backend.liveBuffers();
    for (let i = 0; i < 50; i++) {
      for (const y of [mul(x, 2), add(x, i), sub(3, x), div(x, 0.5 + i)]) y.dispose();
    }
    expect(backend.liveBuffers()).toBe(before);
    // one slot per distinct value, not per call
    expect(backend.counters.constants).toBeLessThanOrEqual(2 + 2 * 50);
    const y = mul(add(x, 1), 2);
    expect(Array.from(await y.data())).toEqual([4, 6, 8]);
    y.dispose();
    x.dispose();
  });

  it('read right wherever the constant sits in its slab, in every kind of kernel', async () => {
    const x = tensor(
      [
        [-1, 0.5],
        [2, 3],
      ],
      { backend },
    );
    const i = tensor(
      [
        [1, -2],
        [3, 4],
      ],
      { dtype: 'int32', backend },
    );
    const cases: [() => Tensor, number[]][] = [
      [() => add(x, 0.25), [-0.75, 0.75, 2.25, 3.25]],
      [() => sub(10, x), [11, 9.5, 8, 7]],
      [() => maximum(x, 0), [0, 0.5, 2, 3]],
      [() => pow(x, 2), [1, 0.25, 4, 9]],
      [() => clamp(x, 0, 2), [0, 0.5, 2, 2]],
      [() => where(greater(x, 1), x, -7), [-7, -7, 2, 3]],
      [() => reshape(mul(x, -0), [4]), [0, -0, -0, -0]],
      [() => where(greater(i, 2), i, -5), [-5, -5, 3, 4]],
    ];
    for (const [make, expected] of cases) {
      const y = make();
      expect(Array.from(await y.data())).toEqual(expected);
      y.dispose();
    }
    // a constant reads back; disposing it (and its views) leaves the slot to the next user
    const live = backend.liveBuffers();
    const c = nodes.scalarLike(0.25, x);
    const view = reshape(c, [1, 1]);
    expect(Array.from(await view.data())).toEqual([0.25]);
    view.dispose();
    c.dispose();
    expect(c.isDisposed).toBe(true);
    const again = nodes.scalarLike(0.25, x);
    expect(await again.item()).toBe(0.25);
    again.dispose();
    expect(backend.liveBuffers()).toBe(live);
    x.dispose();
    i.dispose();
  });
});
