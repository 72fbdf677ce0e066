// Checkpoints by name: a module's state dict in a safetensors file, restored strictly and
// atomically (a refused file leaves every tensor as it was).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@graphgrad/core';
import { Linear, Module, Sequential, Sigmoid, StateDictError, sigmoid } from '@graphgrad/nodes';
import { decodeStateDict, encodeSafetensors, load, loadInto, save, safetensorsMetadata } from '../src/index.ts';

const scratch = mkdtempSync(join(tmpdir(), 'graphgrad-checkpoints-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

class Encoder extends Module<[Tensor], Tensor> {
  readonly fc: Linear;
  constructor(seed: number) {
    super();
    this.fc = new Linear(3, 4, { seed });
  }
  forward(x: Tensor): Tensor {
    return sigmoid(this.fc.call(x));
  }
}

class Net extends Module<[Tensor], Tensor> {
  readonly encoder: Encoder;
  readonly head: Sequential;
  constructor(seed: number) {
    super();
    this.encoder = new Encoder(seed);
    this.head = new Sequential([
      new Linear(4, 4, { seed: seed + 1 }),
      new Sigmoid(),
      new Linear(4, 2, { seed: seed + 2 }),
    ]);
  }
  forward(x: Tensor): Tensor {
    return this.head.call(this.encoder.call(x));
  }
}

/** Every tensor of the model by name, as numbers: what "exactly as it was" compares. */
const snapshot = async (m: Module<never, unknown>): Promise<Record<string, number[]>> =>
  Object.fromEntries(
    await Promise.all(Object.entries(m.stateDict()).map(async ([k, t]) => [k, Array.from(await t.data())] as const)),
  );

describe('save and loadInto with a module', () => {
  it('writes the state dict under its dotted names and restores it into a new instance exactly', async () => {
    const path = join(scratch, 'net.safetensors');
    const trained = new Net(1);
    await save(trained, path);
    expect(Object.keys(await load(path)).sort()).toEqual(
      ['encoder.fc.W', 'encoder.fc.b', 'head.0.W', 'head.0.b', 'head.2.W', 'head.2.b'].sort(),
    );
    const fresh = new Net(50);
    const W = fresh.encoder.fc.W;
    expect(await loadInto(fresh, path)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(await snapshot(fresh)).toEqual(await snapshot(trained));
    expect(fresh.encoder.fc.W).toBe(W);
  });

  it('refuses a file with missing and unexpected names in one error, leaving the model as it was', async () => {
    const path = join(scratch, 'renamed.safetensors');
    const source = new Net(2).stateDict();
    const { ['head.2.b']: _dropped, ...rest } = source;
    await save({ ...rest, 'head.3.b': tensor([0, 0]) }, path);
    const model = new Net(3);
    const before = await snapshot(model);
    const error = await loadInto(model, path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateDictError);
    expect((error as StateDictError).missingKeys).toEqual(['head.2.b']);
    expect((error as StateDictError).unexpectedKeys).toEqual(['head.3.b']);
    expect(await snapshot(model)).toEqual(before);
  });

  it('refuses a file whose last tensor has the wrong shape, after checking every one, writing none', async () => {
    const path = join(scratch, 'bad-shape.safetensors');
    await save({ ...new Net(4).stateDict(), 'head.2.W': tensor([[1, 2, 3, 4]]) }, path);
    const model = new Net(5);
    const before = await snapshot(model);
    await expect(loadInto(model, path)).rejects.toThrow(/'head\.2\.W' is \[1,4\] in the dict, \[4,2\] in the target/);
    expect(await snapshot(model)).toEqual(before);
  });

  it('loads what matches with strict: false, reporting the rest', async () => {
    const path = join(scratch, 'partial.safetensors');
    const source = new Net(6);
    await save({ 'encoder.fc.W': source.encoder.fc.W, extra: tensor([1]) }, path);
    const model = new Net(7);
    const result = await loadInto(model, path, { strict: false });
    expect(result?.unexpectedKeys).toEqual(['extra']);
    expect(result?.missingKeys).toHaveLength(5);
    expect(Array.from(await model.encoder.fc.W.data())).toEqual(Array.from(await source.encoder.fc.W.data()));
  });

  it('keeps numbers of a state dict in the metadata, exactly', async () => {
    const W = tensor([1, 2]);
    const stateful = {
      stateDict: () => ({ W, lr: 0.1 + 0.2, step: 7, tiny: 5e-324, huge: -Infinity }),
      loadStateDict: () => undefined,
    };
    const bytes = await encodeSafetensors(stateful, { metadata: { note: 'kept' } });
    const dict = decodeStateDict(bytes);
    expect(dict.lr).toBe(0.1 + 0.2);
    expect([dict.step, dict.tiny, dict.huge]).toEqual([7, 5e-324, -Infinity]);
    expect(Array.from(await (dict.W as Tensor).data())).toEqual([1, 2]);
    expect(safetensorsMetadata(bytes).note).toBe('kept');
  });
});

describe('loadInto with plain tensors', () => {
  it('checks every tensor before writing any: a bad one further on leaves the first ones as they were', async () => {
    const path = join(scratch, 'plain.safetensors');
    await save({ a: tensor([1, 2]), b: tensor([3, 4, 5]) }, path);
    const a = tensor([0, 0]);
    const b = tensor([0, 0]);
    await expect(loadInto({ a, b }, path)).rejects.toThrow(StateDictError);
    expect([Array.from(a.dataSync()), Array.from(b.dataSync())]).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(readFileSync(path).length).toBeGreaterThan(0);
  });
});
