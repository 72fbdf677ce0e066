// A node's forward cannot leak: arrays it makes and does not return are released when it ends or
// throws, on every backend; and a forward may be composed of other nodes.
import { testBackends } from '@graphgrad/test-backends';
import { describe, expect, it } from 'vitest';
import {
  add,
  ArgumentError,
  defineNode,
  exp,
  gradCheck,
  log,
  mul,
  randn,
  sigmoid,
  sum,
  tensor,
  tidy,
  type Backend,
  type Tensor,
} from '../src/index.ts';

/** y = x·σ(x), whose forward makes the temporary σ(x) and returns only the product. */
const Swish = defineNode({
  kind: 'Swish',
  inputs: ['x'],
  forward: (k, [x]) => k.Mul(x, k.Sigmoid(x)),
  // dx = dy·(σ + x·σ·(1 - σ))
  backward: ({ inputs: [x] }, dy) => [mul(dy, add(sigmoid(x), mul(mul(x, sigmoid(x)), add(mul(sigmoid(x), -1), 1))))],
});

/** A forward that makes two temporaries, then fails. */
const Failing = defineNode({
  kind: 'Failing',
  inputs: ['x'],
  forward: (k, [x], _attrs, backend) => {
    k.Exp(x);
    backend.fill([3], 1, x.dtype);
    throw new Error('this forward fails after making two arrays');
  },
  backward: (_ctx, dy) => [dy],
});

/** softplus(x) = log(1 + eˣ), composed of other nodes: one node on the tape, with its own backward. */
const Softplus = defineNode({
  kind: 'Softplus',
  inputs: ['x'],
  compose: ([x]) => log(add(exp(x), 1)),
  // dx = dy·σ(x)
  backward: ({ inputs: [x] }, dy) => [mul(dy, sigmoid(x))],
});

const backends = await testBackends();

describe.each(backends)('defineNode on $name', ({ backend, reason }) => {
  describe.skipIf(backend === null)(reason ?? 'forwards release what they do not return', () => {
    const on = backend as Backend;

    it('100 calls of a forward with a temporary leave no buffer behind, inside tidy or not', async () => {
      const x = randn([4, 5], { backend: on, seed: 1 });
      const before = on.liveBuffers();
      for (let i = 0; i < 100; i++) Swish.apply([x], undefined).dispose();
      expect(on.liveBuffers()).toBe(before);
      tidy(() => {
        for (let i = 0; i < 100; i++) Swish.apply([x], undefined);
      });
      expect(on.liveBuffers()).toBe(before);
      const y = Swish.apply([x], undefined);
      const values = await y.data();
      const xs = await x.data();
      values.forEach((v, i) => expect(v).toBeCloseTo(xs[i] / (1 + Math.exp(-xs[i])), 5));
      y.dispose();
      x.dispose();
    });

    it('a forward that throws releases what it made before throwing', () => {
      const x = randn([3], { backend: on, seed: 2 });
      const before = on.liveBuffers();
      expect(() => Failing.apply([x], undefined)).toThrow('this forward fails after making two arrays');
      expect(on.liveBuffers()).toBe(before);
      x.dispose();
    });

    it('a composed forward records one node and frees its intermediates', async () => {
      const x = tensor([-2, 0, 3], { backend: on, requiresGrad: true });
      const before = on.liveBuffers();
      const y = Softplus.apply([x], undefined);
      expect(y.origin?.node.kind).toBe('Softplus');
      expect(y.origin?.node.inputs).toEqual([x]);
      expect(on.liveBuffers()).toBe(before + 1);
      const values = await y.data();
      [-2, 0, 3].forEach((v, i) => expect(values[i]).toBeCloseTo(Math.log1p(Math.exp(v)), 5));
      sum(y).backward();
      const grad = await x.grad!.data();
      [-2, 0, 3].forEach((v, i) => expect(grad[i]).toBeCloseTo(1 / (1 + Math.exp(-v)), 5));
      y.dispose();
      x.grad!.dispose();
      x.dispose();
    });
  });
});

describe('defineNode', () => {
  it('checks its composed node against central differences', async () => {
    const report = await gradCheck(
      (t: Tensor) => sum(Softplus.apply([t], undefined)),
      [randn([2, 3], { dtype: 'float64', seed: 3 })],
    );
    expect(report.passed, report.message).toBe(true);
  });

  it('needs exactly one of forward and compose', () => {
    const spec = { kind: 'Neither', inputs: ['x'], backward: () => [null] };
    expect(() => defineNode(spec as unknown as Parameters<typeof defineNode>[0])).toThrow(ArgumentError);
    expect(() => defineNode(spec as unknown as Parameters<typeof defineNode>[0])).toThrow(
      'defineNode: Neither needs exactly one of forward (kernels) and compose (other nodes)',
    );
  });
});
