// The initialisers: each draws from its stated distribution (checked on large tensors with fixed
// seeds), reads the fans in graphgrad's [in, out] layout, and is reproducible by seed.
import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator, type Tensor } from '@graphgrad/core';
import { init, Linear } from '../src/index.ts';

const stats = (t: Tensor): { mean: number; std: number; maxAbs: number } => {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, maxAbs: Math.max(...v.map(Math.abs)) };
};

const [IN, OUT] = [200, 300];

describe('init', () => {
  it('xavierUniform: U(±gain·√(6/(in + out)))', () => {
    const a = 2 * Math.sqrt(6 / (IN + OUT));
    const s = stats(init.xavierUniform([IN, OUT], { gain: 2, seed: 1 }));
    expect(s.maxAbs).toBeLessThanOrEqual(a);
    expect(s.maxAbs).toBeGreaterThan(0.99 * a);
    expect(s.std).toBeCloseTo(a / Math.sqrt(3), 2);
  });

  it('xavierNormal, kaimingNormal (fan in or out) and scaledNormal have their standard deviations', () => {
    expect(stats(init.xavierNormal([IN, OUT], { seed: 2 })).std).toBeCloseTo(Math.sqrt(2 / (IN + OUT)), 3);
    expect(stats(init.kaimingNormal([IN, OUT], { nonlinearity: 'relu', seed: 3 })).std).toBeCloseTo(
      Math.sqrt(2 / IN),
      3,
    );
    expect(stats(init.kaimingNormal([IN, OUT], { mode: 'fanOut', seed: 4 })).std).toBeCloseTo(Math.sqrt(2 / OUT), 3);
    expect(stats(init.scaledNormal([IN, OUT], { seed: 5 })).std).toBeCloseTo(1 / Math.sqrt(IN), 3);
    const book = stats(init.normal([IN, OUT], { std: 0.01, seed: 6 }));
    expect(book.std).toBeCloseTo(0.01, 4);
    expect(Math.abs(book.mean)).toBeLessThan(0.001);
  });

  it("kaimingUniform with a = √5 is PyTorch's Linear default, U(±1/√in)", () => {
    const s = stats(init.kaimingUniform([IN, OUT], { a: Math.sqrt(5), seed: 7 }));
    expect(s.maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(IN));
    expect(s.maxAbs).toBeGreaterThan(0.99 / Math.sqrt(IN));
  });

  it('gives the recommended gains', () => {
    expect([init.gain('linear'), init.gain('sigmoid'), init.gain('tanh'), init.gain('relu')]).toEqual([
      1,
      1,
      5 / 3,
      Math.SQRT2,
    ]);
    expect(init.gain('leakyRelu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
  });

  it('is reproducible by seed, advances a generator, and creates parameters where asked', () => {
    const a = init.xavierUniform([3, 4], { seed: 9 });
    expect(Array.from(init.xavierUniform([3, 4], { seed: 9 }).dataSync())).toEqual(Array.from(a.dataSync()));
    const g = new Generator(1);
    const first = init.normal([5], { generator: g });
    expect(Array.from(init.normal([5], { generator: g }).dataSync())).not.toEqual(Array.from(first.dataSync()));
    const p = init.ones([2], { dtype: 'float64', requiresGrad: true });
    expect([p.dtype, p.requiresGrad, Array.from(p.dataSync())]).toEqual(['float64', true, [1, 1]]);
    expect(Array.from(init.constant([2], { value: 0.5 }).dataSync())).toEqual([0.5, 0.5]);
  });

  it('serves as a layer’s initialiser, with the fans of its weight', () => {
    const fc = new Linear(IN, OUT, { init: init.kaimingNormal, biasInit: init.zeros, seed: 1 });
    expect(stats(fc.W).std).toBeCloseTo(Math.sqrt(2 / IN), 3);
    expect(stats(fc.b!).maxAbs).toBe(0);
    const book = new Linear(IN, OUT, { init: (shape, o) => init.normal(shape, { ...o, std: 0.01 }), seed: 1 });
    expect(stats(book.W).std).toBeCloseTo(0.01, 4);
  });

  it('refuses fans that are not positive', () => {
    expect(() => init.xavierUniform([0, 3])).toThrow(
      new ArgumentError('init: fanIn and fanOut must be positive, got 0 and 3 for shape [0,3]'),
    );
  });
});
