// Module: parameters and submodules found by field, dotted names, modes, moving between backends,
// the summary, and state dicts that load strictly and atomically.
import { describe, expect, it } from 'vitest';
import { ArgumentError, BackendError, randn, tensor, zeros, type Backend, type Tensor } from '@graphgrad/core';
import { cpuBackend } from '@graphgrad/cpu';
import {
  Affine,
  Dropout,
  Linear,
  Module,
  Sequential,
  Sigmoid,
  StateDictError,
  add,
  matmul,
  sigmoid,
  sum,
  type Layer,
} from '../src/index.ts';

class Encoder extends Module<[Tensor], Tensor> {
  readonly fc: Linear;
  readonly drop = new Dropout(0.5, { seed: 2 });
  constructor(seed: number) {
    super();
    this.fc = new Linear(4, 3, { seed });
  }
  forward(x: Tensor): Tensor {
    return this.drop.call(sigmoid(this.fc.call(x)));
  }
}

class Net extends Module<[Tensor], Tensor> {
  readonly encoder: Encoder;
  readonly heads: Linear[];
  readonly scale = tensor([2]); // a buffer: saved, not trained
  readonly cache: Tensor | null = null; // a computed tensor would not be part of the model
  readonly #secret = randn([2], { requiresGrad: true });
  readonly width = 3;
  forward(x: Tensor): Tensor {
    const h = this.encoder.call(x);
    return add(this.heads[0].call(h), this.heads[1].call(h));
  }
  constructor(seed = 1) {
    super();
    this.encoder = new Encoder(seed);
    this.heads = [new Linear(3, 2, { seed: seed + 1 }), new Linear(3, 2, { seed: seed + 2, bias: false })];
  }
  secretShape(): readonly number[] {
    return this.#secret.shape;
  }
}

const values = async (m: Module<never, unknown>): Promise<Record<string, number[]>> =>
  Object.fromEntries(
    await Promise.all(Object.entries(m.stateDict()).map(async ([k, t]) => [k, Array.from(await t.data())] as const)),
  );

describe('Module: what it holds', () => {
  it('names parameters by dotted path, fields in order, lists by position', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      'encoder.fc.W',
      'encoder.fc.b',
      'heads.0.W',
      'heads.0.b',
      'heads.1.W',
    ]);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(['scale']);
    // as PyTorch: a module's own tensors, then each submodule's
    expect(Object.keys(net.stateDict())).toEqual([
      'scale',
      'encoder.fc.W',
      'encoder.fc.b',
      'heads.0.W',
      'heads.0.b',
      'heads.1.W',
    ]);
    expect(net.secretShape()).toEqual([2]);
    expect(net.parameters()).toEqual(net.namedParameters().map(([, p]) => p));
    expect(net.params).toEqual(net.parameters());
    expect(net.numParameters()).toBe(4 * 3 + 3 + 3 * 2 + 2 + 3 * 2);
  });

  it('lists modules and children with their paths', () => {
    const net = new Net();
    expect(net.namedModules().map(([n, m]) => `${n}:${m.constructor.name}`)).toEqual([
      ':Net',
      'encoder:Encoder',
      'encoder.fc:Linear',
      'encoder.drop:Dropout',
      'heads.0:Linear',
      'heads.1:Linear',
    ]);
    expect(net.namedChildren().map(([n]) => n)).toEqual(['encoder', 'heads.0', 'heads.1']);
    expect(net.modules()[0]).toBe(net);
  });

  it('lists a tied tensor once in parameters() and under each name in stateDict()', () => {
    const W = randn([3, 3], { requiresGrad: true });
    const b = zeros([3], { requiresGrad: true });
    const model = new Sequential([new Affine(W, b), new Sigmoid(), new Affine(W, zeros([3], { requiresGrad: true }))]);
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.W', '0.b', '2.b']);
    expect(Object.keys(model.stateDict())).toEqual(['0.W', '0.b', '2.W', '2.b']);
    expect(model.stateDict()['2.W']).toBe(W);
  });

  it('holds a plain book-style layer under its position, its params numbered', () => {
    const W = randn([2, 2], { requiresGrad: true });
    const plain: Layer = { params: [W], grads: [null], forward: (x) => matmul(x, W) };
    const model = new Sequential([new Linear(2, 2, { seed: 1 }), plain]);
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.W', '0.b', '1.0']);
    expect(model.call(randn([5, 2])).shape).toEqual([5, 2]);
  });

  it('train() and eval() reach every submodule, and dropout follows them', () => {
    const net = new Net();
    const x = randn([8, 4], { seed: 5 });
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    const h = sigmoid(net.encoder.fc.call(x));
    expect(Array.from(net.encoder.drop.call(h).dataSync())).toEqual(Array.from(h.dataSync()));
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
    const dropped = Array.from(net.encoder.drop.call(h).dataSync());
    expect(dropped.some((v) => v === 0)).toBe(true);
  });

  it('zeroGrad clears every gradient', () => {
    const net = new Net();
    sum(net.call(randn([2, 4]))).backward();
    expect(net.grads.every((g) => g !== null)).toBe(true);
    net.zeroGrad();
    expect(net.grads.every((g) => g === null)).toBe(true);
  });
});

describe('Module: toString', () => {
  it('prints each submodule with its type, latest output shape and parameter count, then the total', () => {
    const net = new Net();
    const before = net.toString();
    expect(before).toContain('encoder.fc (Linear)');
    expect(before).toMatch(/heads\.1 \(Linear\) +\? +6/);
    net.call(randn([5, 4]));
    const after = net.toString();
    expect(after.split('\n')[0]).toBe('Net → [5,2]');
    expect(after).toMatch(/^ {2}encoder\.fc \(Linear\) +\[5,3\] +15$/m);
    expect(after).toMatch(/^ {2}encoder\.drop \(Dropout\) +\[5,3\] +0$/m);
    expect(after).toMatch(/^encoder \(Encoder\) +\[5,3\] +15$/m);
    expect(after).toMatch(/^heads\.1 \(Linear\) +\[5,2\] +6$/m);
    expect(after).toMatch(/^heads\.0 \(Linear\) +\[5,2\] +8$/m);
    expect(after.split('\n').at(-1)).toBe('total parameters: 29');
  });
});

describe('Module: state dicts', () => {
  it('copies every tensor by name into another instance, in place', async () => {
    const a = new Net(1);
    const b = new Net(7);
    const W = b.encoder.fc.W;
    expect(await values(b)).not.toEqual(await values(a));
    expect(await b.loadStateDict(a.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(await values(b)).toEqual(await values(a));
    expect(b.encoder.fc.W).toBe(W);
  });

  it('refuses missing and unexpected keys in one error that lists them all, and changes nothing', async () => {
    const net = new Net();
    const before = await values(net);
    const dict = { ...new Net(7).stateDict() };
    delete dict['heads.0.b'];
    delete dict['scale'];
    dict['heads.2.W'] = randn([3, 2]);
    const error = await net.loadStateDict(dict).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateDictError);
    expect((error as StateDictError).missingKeys).toEqual(['scale', 'heads.0.b']);
    expect((error as StateDictError).unexpectedKeys).toEqual(['heads.2.W']);
    expect((error as Error).message).toBe(
      'Net.loadStateDict: the state dict does not fit, nothing was loaded; missing keys: scale, heads.0.b; unexpected keys: heads.2.W',
    );
    expect(await values(net)).toEqual(before);
  });

  it('refuses a shape or dtype that differs even when it comes after good tensors, changing nothing', async () => {
    const net = new Net();
    const before = await values(net);
    const dict = { ...new Net(7).stateDict() };
    dict['heads.1.W'] = randn([2, 3]);
    dict['scale'] = tensor([2], { dtype: 'float64' });
    const error = await net.loadStateDict(dict, { strict: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateDictError);
    expect((error as StateDictError).mismatches).toEqual([
      { key: 'scale', problem: 'is float64 in the dict, float32 in the target' },
      { key: 'heads.1.W', problem: 'is [2,3] in the dict, [3,2] in the target' },
    ]);
    expect(await values(net)).toEqual(before);
  });

  it('loads what matches when not strict, and reports the rest', async () => {
    const net = new Net(1);
    const other = new Net(7);
    const dict = { 'encoder.fc.W': other.encoder.fc.W, extra: randn([1]) };
    const result = await net.loadStateDict(dict, { strict: false });
    expect(result.unexpectedKeys).toEqual(['extra']);
    expect(result.missingKeys).toEqual(['scale', 'encoder.fc.b', 'heads.0.W', 'heads.0.b', 'heads.1.W']);
    expect(Array.from(await net.encoder.fc.W.data())).toEqual(Array.from(await other.encoder.fc.W.data()));
  });

  it('copies tensors from another backend instance', async () => {
    const other = cpuBackend();
    const net = new Net();
    const dict = Object.fromEntries(
      await Promise.all(Object.entries(new Net().stateDict()).map(async ([k, t]) => [k, await t.to(other)] as const)),
    );
    await net.loadStateDict(dict);
    expect(net.encoder.fc.W.backend).not.toBe(other);
    expect(Array.from(await net.encoder.fc.W.data())).toEqual(Array.from(await dict['encoder.fc.W'].data()));
  });
});

describe('Module: to(backend)', () => {
  it('moves every tensor and gradient, keeping names and ties, and disposes the old ones', async () => {
    const W = randn([3, 3], { requiresGrad: true });
    const model = new Sequential([
      new Affine(W, zeros([3], { requiresGrad: true })),
      new Affine(W, zeros([3], { requiresGrad: true })),
    ]);
    sum(model.call(randn([2, 3]))).backward();
    const before = await values(model);
    const grad = Array.from(await W.grad!.data());
    const other = cpuBackend();
    expect(await model.to(other)).toBe(model);
    const [first, second] = model.layers as Affine[];
    expect(first.W).toBe(second.W);
    expect(first.W.backend).toBe(other);
    expect(first.W.requiresGrad).toBe(true);
    expect(Array.from(await first.W.grad!.data())).toEqual(grad);
    expect(W.isDisposed).toBe(true);
    expect(await values(model)).toEqual(before);
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.W', '0.b', '1.b']);
  });

  it('refuses a dtype the backend cannot hold, or a plain layer, before moving anything', async () => {
    const narrow = Object.create(cpuBackend(), { dtypes: { value: ['float32', 'int32'] } }) as Backend;
    const model = new Linear(2, 2, { dtype: 'float64', seed: 1 });
    await expect(model.to(narrow)).rejects.toThrow(
      new BackendError("Linear.to: 'W' is float64, which the cpu backend cannot hold"),
    );
    expect(model.W.isDisposed).toBe(false);
    const W = randn([2, 2], { requiresGrad: true });
    const mixed = new Sequential([new Linear(2, 2), { params: [W], grads: [null], forward: (x: Tensor) => x }]);
    const firstW = (mixed.layers[0] as Linear).W;
    await expect(mixed.to(cpuBackend())).rejects.toThrow(ArgumentError);
    expect(firstW.isDisposed).toBe(false);
    expect((mixed.layers[0] as Linear).W).toBe(firstW);
  });
});
