// A step that throws changes nothing: every optimizer computes all the new values first and writes
// them only when all are computed. Anomaly mode refuses the NaN in the second parameter's update,
// and the first parameter, every state tensor and the step count are as they were.
import { describe, expect, it } from 'vitest';
import { AnomalyError, detectAnomaly, tensor, type Tensor } from '@graphgrad/core';
import { AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSprop, SGD, type OptimizerStateDict } from '../src/index.ts';

/** What the test uses of an optimizer, whatever its hyperparameters. */
interface Stepper {
  step(): void;
  readonly stepCount: number;
  stateDict(): OptimizerStateDict;
}

const f64 = (values: number[], requiresGrad = false): Tensor => tensor(values, { dtype: 'float64', requiresGrad });
const values = (t: Tensor): number[] => Array.from(t.dataSync());

const OPTIMIZERS: [string, (params: Tensor[]) => Stepper][] = [
  ['SGD', (p) => new SGD(p, { lr: 0.1, weightDecay: 0.01 })],
  ['Momentum', (p) => new Momentum(p, { lr: 0.1 })],
  ['Nesterov', (p) => new Nesterov(p, { lr: 0.1 })],
  ['AdaGrad', (p) => new AdaGrad(p, { lr: 0.1 })],
  ['RMSprop', (p) => new RMSprop(p, { lr: 0.1 })],
  ['Adam', (p) => new Adam(p, { lr: 0.1 })],
  ['AdamW', (p) => new AdamW(p, { lr: 0.1 })],
];

describe.each(OPTIMIZERS)('%s', (_name, make) => {
  it('changes no parameter, no state and not the step count when an update fails under detectAnomaly', () => {
    const a = f64([1, 2], true);
    const b = f64([3], true);
    const optimizer = make([a, b]);
    a.grad = f64([0.5, -0.5]);
    b.grad = f64([0.25]);
    optimizer.step();
    const before = { a: values(a), b: values(b), state: stateValues(optimizer), steps: optimizer.stepCount };

    a.grad = f64([0.5, -0.5]);
    b.grad = f64([Number.NaN]);
    expect(() => detectAnomaly(() => optimizer.step())).toThrow(AnomalyError);
    expect({ a: values(a), b: values(b), state: stateValues(optimizer), steps: optimizer.stepCount }).toEqual(before);

    // and the next good step goes on from there
    b.grad = f64([0.25]);
    optimizer.step();
    expect(optimizer.stepCount).toBe(before.steps + 1);
    expect(values(a)).not.toEqual(before.a);
  });
});

/** Every number of the optimizer's state dict (moments, step counts, hyperparameters). */
function stateValues(optimizer: Stepper): Record<string, number[] | number> {
  return Object.fromEntries(
    Object.entries(optimizer.stateDict()).map(([k, v]) => [k, typeof v === 'number' ? v : values(v)]),
  );
}
