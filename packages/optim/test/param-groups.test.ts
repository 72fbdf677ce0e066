// Optimizers over modules and parameter groups: each group's own learning rate and weight decay,
// the hyperparameters declared once and checked for every group, and AdamW's decoupled decay.
import { describe, expect, it } from 'vitest';
import { ArgumentError, tensor, type Tensor } from '@graphgrad/core';
import { Linear } from '@graphgrad/nodes';
import { Adam, AdamW, Momentum, SGD } from '../src/index.ts';

const f64 = (values: number[], requiresGrad = false): Tensor => tensor(values, { dtype: 'float64', requiresGrad });
const values = (t: Tensor): number[] => Array.from(t.dataSync());

describe('parameter groups', () => {
  it('takes a module’s parameters', () => {
    const model = new Linear(3, 2, { seed: 1 });
    const adam = new Adam(model.parameters());
    expect(adam.params).toEqual([model.W, model.b]);
    expect(adam.paramGroups).toHaveLength(1);
    expect(adam.paramGroups[0]).toMatchObject({ lr: 0.001, beta1: 0.9, beta2: 0.999, weightDecay: 0 });
  });

  it('updates each group with its own learning rate; the options fill what a group leaves out', () => {
    const a = f64([1], true);
    const b = f64([1], true);
    const sgd = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    expect(sgd.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.5]);
    a.grad = f64([1]);
    b.grad = f64([1]);
    sgd.step();
    expect([values(a), values(b)]).toEqual([[0.9], [0.5]]);
  });

  it('sets every group through the optimizer-wide accessors', () => {
    const m = new Momentum([{ params: [f64([1], true)] }, { params: [f64([1], true)], lr: 0.5 }]);
    m.lr = 0.2;
    m.momentum = 0.5;
    expect(m.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([
      [0.2, 0.5],
      [0.2, 0.5],
    ]);
  });

  it('adds the L2 weight decay of a group to its gradients (PyTorch’s coupled decay)', () => {
    const decayed = f64([2], true);
    const plain = f64([2], true);
    const sgd = new SGD([{ params: [decayed], weightDecay: 0.1 }, { params: [plain] }], { lr: 0.5 });
    decayed.grad = f64([1]);
    plain.grad = f64([1]);
    sgd.step();
    // p -= lr·(g + wd·p): 2 - 0.5·(1 + 0.2) = 1.4
    expect(values(decayed)[0]).toBeCloseTo(1.4, 14);
    expect(values(plain)).toEqual([1.5]);
  });

  it('checks every group’s hyperparameters at construction and before each step, naming the group', () => {
    const p = f64([1], true);
    const q = f64([1], true);
    expect(() => new Adam([{ params: [p] }, { params: [q], beta2: 1 }])).toThrow(
      new ArgumentError('Adam: beta2 of parameter group 1 must be in [0, 1), got 1'),
    );
    const adam = new Adam([{ params: [p] }, { params: [q] }]);
    adam.paramGroups[1].lr = -1;
    p.grad = f64([1]);
    expect(() => adam.step()).toThrow(
      new ArgumentError('Adam: lr of parameter group 1 must be a finite number ≥ 0, got -1'),
    );
    expect(values(p)).toEqual([1]);
    expect(adam.stepCount).toBe(0);
  });

  it('refuses an unknown option in a group and a parameter in two groups', () => {
    const p = f64([1], true);
    expect(() => new SGD([{ params: [p], momentum: 0.9 } as { params: Tensor[] }])).toThrow(
      new ArgumentError('SGD: parameter group 0 has unknown option momentum (it takes lr, weightDecay)'),
    );
    expect(() => new SGD([{ params: [p] }, { params: [p] }])).toThrow(/SGD: parameter .* is in groups 0 and 1/);
  });
});

describe('AdamW', () => {
  it('shrinks the weights by lr·weightDecay, then applies Adam to the plain gradient', () => {
    const w = f64([2, -1], true);
    const reference = f64([2, -1], true);
    const adamW = new AdamW([w], { lr: 0.1, weightDecay: 0.5 });
    const adam = new Adam([reference], { lr: 0.1 });
    for (const p of [w, reference]) p.grad = f64([0.3, -0.2]);
    adamW.step();
    adam.step();
    // Adam's step at t = 1 is -lr_t·m/(√v + 1e-7) with the same m, v; AdamW first scales by 1 - 0.05.
    const adamStep = values(reference).map((v, i) => v - [2, -1][i]);
    expect(values(w)[0]).toBeCloseTo(2 * 0.95 + adamStep[0], 14);
    expect(values(w)[1]).toBeCloseTo(-1 * 0.95 + adamStep[1], 14);
  });

  it('defaults to weight decay 0.01 and lets a group turn it off', () => {
    const weights = f64([1], true);
    const bias = f64([1], true);
    const adamW = new AdamW([{ params: [weights] }, { params: [bias], weightDecay: 0 }]);
    expect(adamW.paramGroups.map((g) => g.weightDecay)).toEqual([0.01, 0]);
    weights.grad = f64([0]);
    bias.grad = f64([0]);
    adamW.step();
    expect(values(weights)[0]).toBeCloseTo(1 - 0.001 * 0.01, 15);
    expect(values(bias)).toEqual([1]);
  });
});
