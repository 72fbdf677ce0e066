// Training resumes exactly from a checkpoint: 10 steps, the model, the optimizer and the schedule
// saved to safetensors files and loaded into fresh objects, 10 more steps, against 20 straight.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Adam,
  gather,
  Linear,
  loadInto,
  loadSpiral,
  Module,
  save,
  sigmoid,
  softmaxWithLoss,
  StepLR,
  tensor,
  tidy,
  type Tensor,
} from '../src/index.ts';

const scratch = mkdtempSync(join(tmpdir(), 'graphgrad-resume-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

class Net extends Module<[Tensor], Tensor> {
  readonly fc1 = new Linear(2, 10, { seed: 1 });
  readonly fc2 = new Linear(10, 3, { seed: 2 });
  forward(x: Tensor): Tensor {
    return this.fc2.call(sigmoid(this.fc1.call(x)));
  }
}

const { x, t } = loadSpiral({ seed: 5 });

interface Run {
  readonly model: Net;
  readonly optimizer: Adam;
  readonly schedule: StepLR;
}

function fresh(): Run {
  const model = new Net();
  // two groups: the weights decayed, the biases not
  const optimizer = new Adam(
    [
      { params: [model.fc1.W, model.fc2.W], weightDecay: 1e-3 },
      { params: [model.fc1.b!, model.fc2.b!], lr: 0.02 },
    ],
    { lr: 0.05 },
  );
  return { model, optimizer, schedule: new StepLR(optimizer, { stepSize: 3, gamma: 0.5 }) };
}

/** Steps `from` … `from + steps - 1`: minibatch k is rows 30·(k mod 10) …; the schedule steps every 2. */
async function train({ model, optimizer, schedule }: Run, from: number, steps: number): Promise<number[]> {
  const losses: number[] = [];
  for (let k = from; k < from + steps; k++) {
    const loss = tidy(() => {
      const rows = tensor(
        Array.from({ length: 30 }, (_, i) => 30 * (k % 10) + i),
        { dtype: 'int32' },
      );
      optimizer.zeroGrad();
      const l = softmaxWithLoss(model.call(gather(x, rows)), gather(t, rows));
      l.backward();
      optimizer.step();
      return l;
    });
    losses.push(await loss.item());
    loss.dispose();
    if (k % 2 === 1) schedule.step();
  }
  return losses;
}

const parameterValues = (m: Module<never, unknown>): Promise<number[][]> =>
  Promise.all(m.parameters().map(async (p) => Array.from(await p.data())));

describe('resuming from a checkpoint', () => {
  it('gives exactly the losses and weights of an uninterrupted run', async () => {
    const straight = fresh();
    const straightLosses = await train(straight, 0, 20);

    const first = fresh();
    const before = await train(first, 0, 10);
    await save(first.model, join(scratch, 'model.safetensors'));
    await save(first.optimizer, join(scratch, 'optimizer.safetensors'));
    await save(first.schedule, join(scratch, 'schedule.safetensors'));

    const resumed = fresh();
    await loadInto(resumed.model, join(scratch, 'model.safetensors'));
    await loadInto(resumed.optimizer, join(scratch, 'optimizer.safetensors'));
    await loadInto(resumed.schedule, join(scratch, 'schedule.safetensors'));
    expect(resumed.optimizer.stepCount).toBe(10);
    expect(resumed.optimizer.paramGroups.map((g) => g.lr)).toEqual(first.optimizer.paramGroups.map((g) => g.lr));
    const after = await train(resumed, 10, 10);

    expect([...before, ...after]).toEqual(straightLosses);
    expect(await parameterValues(resumed.model)).toEqual(await parameterValues(straight.model));
  });

  it('refuses an optimizer checkpoint for other parameters, leaving the optimizer as it was', async () => {
    const run = fresh();
    await train(run, 0, 2);
    await save(run.optimizer, join(scratch, 'two-groups.safetensors'));
    const model = new Net();
    const other = new Adam(model.parameters());
    await expect(loadInto(other, join(scratch, 'two-groups.safetensors'))).rejects.toThrow(
      /unexpected keys: paramGroups\.1\.size, .*'paramGroups\.0\.size' is 2 in the dict, 4 in the optimizer$/,
    );
    expect([other.stepCount, other.state.size]).toEqual([0, 0]);
  });
});
