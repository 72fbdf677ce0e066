// A PyTorch state_dict (written in PyTorch's names and layouts by a numpy-only script kept beside
// it) loads into the same architecture built from graphgrad's layers through fromPyTorch, and the
// model then computes what PyTorch's equations give.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ShapeError, tensor, type Tensor } from '@graphgrad/core';
import {
  Embedding,
  fromPyTorch,
  GRU,
  LayerNorm,
  Linear,
  LSTM,
  Module,
  RNN,
  Sequential,
  Sigmoid,
  StateDictError,
} from '@graphgrad/nodes';
import { load } from '../src/index.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const scratch = mkdtempSync(join(tmpdir(), 'graphgrad-pytorch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The fixture's architecture, its fields named like the PyTorch module's attributes. */
class Model extends Module<[Tensor], Tensor> {
  readonly embed = new Embedding(7, 4, { seed: 1 });
  readonly lstm = new LSTM(4, 5, { numLayers: 2, seed: 2 });
  readonly gru = new GRU(5, 3, { seed: 3 });
  readonly rnn = new RNN(3, 4, { seed: 4 });
  readonly norm = new LayerNorm(4);
  readonly head = new Sequential([new Linear(4, 6, { seed: 5 }), new Sigmoid(), new Linear(6, 3, { seed: 6 })]);

  forward(ids: Tensor): Tensor {
    const h = this.rnn.call(this.gru.call(this.lstm.call(this.embed.call(ids))));
    return this.head.call(this.norm.call(h));
  }
}

describe('fromPyTorch', () => {
  it("maps a PyTorch state_dict's names and layouts, and the model then computes PyTorch's output", async () => {
    const torch = await load(join(FIXTURES, 'pytorch-layout.safetensors'));
    const { ids, output } = await load(join(FIXTURES, 'pytorch-layout-check.safetensors'));
    const model = new Model();
    const dict = fromPyTorch(model, torch);
    expect(Object.keys(dict).sort()).toEqual(Object.keys(model.stateDict()).sort());
    expect(await model.loadStateDict(dict)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(dict['head.0.W'].shape).toEqual([4, 6]);
    expect(dict['lstm.cells.1.Wx'].shape).toEqual([5, 20]);

    model.eval();
    const got = Array.from(await model.call(ids).data());
    const want = Array.from(await output.data());
    expect(got).toHaveLength(2 * 5 * 3);
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(2e-5));
  });

  it("reorders an LSTM's gates from i, f, g, o to f, g, i, o and sums its two biases", async () => {
    const torch = await load(join(FIXTURES, 'pytorch-layout.safetensors'));
    const dict = fromPyTorch(new Model(), torch);
    const H = 5;
    const ih = Array.from(await torch['lstm.weight_ih_l0'].data()); // [4H, 4], rows i, f, g, o
    const Wx = Array.from(await dict['lstm.cells.0.Wx'].data()); // [4, 4H], columns f, g, i, o
    const row = (gate: number, unit: number): number[] => ih.slice((gate * H + unit) * 4, (gate * H + unit + 1) * 4);
    const column = (block: number, unit: number): number[] => [0, 1, 2, 3].map((d) => Wx[d * 4 * H + block * H + unit]);
    expect(column(0, 2)).toEqual(row(1, 2)); // f
    expect(column(1, 0)).toEqual(row(2, 0)); // g
    expect(column(2, 4)).toEqual(row(0, 4)); // i
    expect(column(3, 1)).toEqual(row(3, 1)); // o
    const bias = (await Promise.all(['lstm.bias_ih_l0', 'lstm.bias_hh_l0'].map((k) => torch[k].data()))).map((a) =>
      Array.from(a),
    );
    const b = Array.from(await dict['lstm.cells.0.b'].data());
    expect(b[0]).toBeCloseTo(bias[0][H] + bias[1][H], 6); // f's first unit
  });

  it('leaves names it does not map for a strict load to report, and names a tensor of the wrong shape', async () => {
    const torch = await load(join(FIXTURES, 'pytorch-layout.safetensors'));
    const model = new Model();
    const renamed = { ...torch, 'lstm.weight_ih_l0_reverse': tensor([1]) };
    await expect(model.loadStateDict(fromPyTorch(model, renamed))).rejects.toThrow(StateDictError);
    expect(() => fromPyTorch(model, { ...torch, 'head.2.weight': tensor([[1, 2]]) })).toThrow(
      new ShapeError("fromPyTorch: 'head.2.weight' is [1,2], expected [3,6]"),
    );
  });
});

const python = ['python3', '/usr/bin/python3'].find((exe) => spawnSync(exe, ['-c', 'import numpy']).status === 0);

describe.runIf(python !== undefined)('the fixture and its script', () => {
  it('are in step: the script writes the files kept in the repository, byte for byte', () => {
    const run = spawnSync(python!, [join(FIXTURES, 'pytorch_layout.py'), scratch], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    for (const name of ['pytorch-layout.safetensors', 'pytorch-layout-check.safetensors'])
      expect(readFileSync(join(scratch, name)).equals(readFileSync(join(FIXTURES, name)))).toBe(true);
  });
});
