// An optimizer's state by name: the step count, the groups' hyperparameters and each parameter's
// state tensors, restored atomically into a fresh optimizer so that training resumes exactly.
import { describe, expect, it } from 'vitest';
import { randn, tensor, type Tensor } from '@graphgrad/core';
import { cpuBackend } from '@graphgrad/cpu';
import { StateDictError } from '@graphgrad/nodes';
import { Adam, Momentum, SGD, type Optimizer } from '../src/index.ts';

const values = (t: Tensor): number[] => Array.from(t.dataSync());

/** Steps `from` … `from + steps - 1` of made-up gradients that depend on the parameters and the step. */
function train(optimizer: Optimizer, params: readonly Tensor[], steps: number, from = 0): void {
  for (let s = from; s < from + steps; s++) {
    for (const p of params)
      p.grad = tensor(
        values(p).map((v, i) => Math.sin(v * (i + 1) + s)),
        { shape: p.shape, dtype: p.dtype },
      );
    optimizer.step();
  }
}

const fresh = (): Tensor[] => [
  randn([2, 3], { seed: 1, dtype: 'float64', requiresGrad: true }),
  randn([3], { seed: 2, dtype: 'float64', requiresGrad: true }),
];

describe('Optimizer.stateDict and loadStateDict', () => {
  it('names the step count, each group’s hyperparameters and size, and each parameter’s state', () => {
    const params = fresh();
    const adam = new Adam([{ params: [params[0]] }, { params: [params[1]], lr: 0.01 }]);
    train(adam, params, 2);
    const dict = adam.stateDict();
    expect(Object.keys(dict).sort()).toEqual(
      [
        'stepCount',
        'paramGroups.0.size',
        'paramGroups.0.lr',
        'paramGroups.0.beta1',
        'paramGroups.0.beta2',
        'paramGroups.0.weightDecay',
        'paramGroups.1.size',
        'paramGroups.1.lr',
        'paramGroups.1.beta1',
        'paramGroups.1.beta2',
        'paramGroups.1.weightDecay',
        'state.0.m',
        'state.0.v',
        'state.1.m',
        'state.1.v',
      ].sort(),
    );
    expect([dict.stepCount, dict['paramGroups.1.lr'], dict['paramGroups.1.size']]).toEqual([2, 0.01, 1]);
  });

  it('resumes: 3 steps, a state copied into a new optimizer over copies of the parameters, 4 more, equal 7 straight', async () => {
    for (const make of [(ps: Tensor[]) => new Adam(ps, { lr: 0.1 }), (ps: Tensor[]) => new Momentum(ps, { lr: 0.1 })]) {
      const straight = fresh();
      train(make(straight), straight, 7);

      const first = fresh();
      const before = make(first);
      train(before, first, 3);
      const second = first.map((p) => tensor(values(p), { shape: p.shape, dtype: p.dtype, requiresGrad: true }));
      const after = make(second);
      after.lr = 123; // restored from the state
      await after.loadStateDict(before.stateDict());
      expect(after.lr).toBe(0.1);
      train(after, second, 4, 3);
      expect(second.map(values)).toEqual(straight.map(values));
    }
  });

  it('refuses a state that does not fit, listing every problem, and changes nothing', async () => {
    const params = fresh();
    const adam = new Adam(params);
    train(adam, params, 1);
    const dict = { ...adam.stateDict() };
    const target = new Adam(fresh());
    train(target, fresh(), 0);
    dict['state.1.m'] = randn([4]);
    dict['paramGroups.0.beta1'] = 1;
    dict.extra = 3;
    delete dict.stepCount;
    const error = await target.loadStateDict(dict).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateDictError);
    const e = error as StateDictError;
    expect(e.missingKeys).toEqual(['stepCount']);
    expect(e.unexpectedKeys).toEqual(['extra']);
    expect(e.mismatches.map((m) => m.key)).toEqual(['paramGroups.0.beta1', 'state.1.m']);
    expect([target.stepCount, target.state.size, target.beta1]).toEqual([0, 0, 0.9]);
  });

  it('refuses groups of other sizes and copies state tensors to the parameters’ backend', async () => {
    const params = fresh();
    const sgd = new SGD([{ params: [params[0]] }, { params: [params[1]] }]);
    await expect(new SGD(fresh()).loadStateDict(sgd.stateDict())).rejects.toThrow(StateDictError);

    const other = cpuBackend();
    const source = new Momentum(params);
    train(source, params, 1);
    const moved = Object.fromEntries(
      await Promise.all(
        Object.entries(source.stateDict()).map(
          async ([k, v]) => [k, typeof v === 'number' ? v : await v.to(other)] as const,
        ),
      ),
    );
    const targetParams = fresh();
    const target = new Momentum(targetParams);
    await target.loadStateDict(moved);
    const v = target.state.get(targetParams[0])!.v;
    expect(v.backend).toBe(targetParams[0].backend);
    expect(v.requiresGrad).toBe(false);
    expect(values(v)).toEqual(values(source.state.get(params[0])!.v));
  });
});
