import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  load,
  loadInto,
  safetensorsMetadata,
  save,
  SafetensorsError,
} from '../src/index.ts';
import { arbitraries } from '@graphgrad/core/testing';
import { StateDictError } from '@graphgrad/nodes';
import {
  ArgumentError,
  DTypeError,
  ShapeError,
  tensor,
  type DType,
  type Tensor,
  type TypedArray,
} from '@graphgrad/core';
import fc from 'fast-check';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const NUMPY_SCRIPT = join(FIXTURES, 'safetensors_numpy.py');
const scratch = mkdtempSync(join(tmpdir(), 'graphgrad-safetensors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Element-wise identity, NaN and -0 included. */
function sameValues(actual: TypedArray | readonly number[], expected: readonly number[]): boolean {
  return actual.length === expected.length && Array.from(actual).every((v, i) => Object.is(v, expected[i]));
}

/** The header of `bytes`, parsed here by hand so the layout checks do not trust the decoder. */
function headerOf(bytes: Uint8Array): {
  length: number;
  text: string;
  json: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
} {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + length));
  const json = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  return { length, text, json };
}

/** A valid file with one F32 tensor whose header is replaced by `header` (for the malformed cases). */
function withHeader(header: unknown, dataBytes = 8): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + dataBytes);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  return bytes;
}

describe('decodeSafetensors reads a file written by an independent implementation (numpy)', () => {
  const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'fixture.safetensors')));
  const t = decodeSafetensors(bytes);

  it('gives every tensor its values, shape and dtype, whatever the byte alignment of its data', () => {
    expect(Object.keys(t)).toEqual(['half', 'weight', 'labels', 'bias', 'scalar', 'empty', 'brain', 'index']);
    expect([t.weight.dtype, t.weight.shape]).toEqual(['float32', [2, 3]]);
    expect(sameValues(t.weight.dataSync(), [0.1, -1.25, 3, 1e-3, -0, 16777216].map(Math.fround))).toBe(true);
    expect([t.labels.dtype, t.labels.shape]).toEqual(['int32', [4]]);
    expect(sameValues(t.labels.dataSync(), [0, 2, -1, 2147483647])).toBe(true);
    expect([t.bias.dtype, t.bias.shape]).toEqual(['float64', [3]]);
    expect(sameValues(t.bias.dataSync(), [0.1, -2.5, 1e-300])).toBe(true);
    expect([t.scalar.shape, t.scalar.itemSync()]).toEqual([[], 3.5]);
    expect([t.empty.dtype, t.empty.shape, t.empty.size]).toEqual(['float32', [0, 2], 0]);
  });

  it('widens F16 and BF16 to float32 exactly and narrows I64 to int32', () => {
    expect([t.half.dtype, Array.from(t.half.dataSync())]).toEqual(['float32', [1, -0.5, 65504]]);
    expect([t.brain.dtype, t.brain.shape, Array.from(t.brain.dataSync())]).toEqual([
      'float32',
      [1, 3],
      [1, -2.5, 3.140625],
    ]);
    expect([t.index.dtype, Array.from(t.index.dataSync())]).toEqual(['int32', [5, -7]]);
  });

  it('reads the metadata', () => {
    expect(safetensorsMetadata(bytes)).toEqual({ producer: 'numpy', note: 'written without graphgrad' });
  });
});

describe('encodeSafetensors', () => {
  it('round-trips every dtype bit for bit, NaN, ±Inf, -0, scalars and empty tensors included', async () => {
    const tensors = {
      w: tensor(
        [
          [NaN, Infinity],
          [-Infinity, -0],
        ],
        { dtype: 'float32' },
      ),
      x: tensor([Math.PI, -1e-310, Number.MAX_VALUE], { dtype: 'float64' }),
      labels: tensor([-2147483648, 0, 2147483647], { dtype: 'int32' }),
      s: tensor(2.5),
      none: tensor(new Float32Array(0), { shape: [3, 0] }),
    };
    const bytes = await encodeSafetensors(tensors, { metadata: { epoch: '300', lr: '1.0' } });
    const back = decodeSafetensors(bytes);
    for (const [name, original] of Object.entries(tensors)) {
      expect([back[name].dtype, back[name].shape]).toEqual([original.dtype, original.shape]);
      expect(sameValues(back[name].dataSync(), Array.from(original.dataSync()))).toBe(true);
    }
    expect(safetensorsMetadata(bytes)).toEqual({ epoch: '300', lr: '1.0' });
  });

  it('pads the header with spaces to 8 bytes and lays tensors out widest dtype first, each aligned to its element size', async () => {
    const bytes = await encodeSafetensors({
      b: tensor([1, 2, 3]),
      a: tensor([4], { dtype: 'int32' }),
      c: tensor([5, 6], { dtype: 'float64' }),
    });
    const { length, text, json } = headerOf(bytes);
    expect(length % 8).toBe(0);
    expect(text.startsWith('{')).toBe(true);
    expect(text.trimEnd().length).toBe(JSON.stringify(json).length);
    expect(text.slice(JSON.stringify(json).length)).toMatch(/^ *$/);
    expect(json).toEqual({
      c: { dtype: 'F64', shape: [2], data_offsets: [0, 16] },
      a: { dtype: 'I32', shape: [1], data_offsets: [16, 20] },
      b: { dtype: 'F32', shape: [3], data_offsets: [20, 32] },
    });
    expect(bytes.length).toBe(8 + length + 32);
    // Little-endian on disk: 5.0 as float64 is 0x4014000000000000.
    expect(Array.from(bytes.subarray(8 + length, 8 + length + 8))).toEqual([0, 0, 0, 0, 0, 0, 0x14, 0x40]);
  });

  it('round-trips random named tensors of every dtype and shape (property)', async () => {
    const dtypes: DType[] = ['float32', 'float64', 'int32'];
    const entry = fc
      .tuple(fc.constantFrom(...dtypes), arbitraries.shape({ minDim: 0, maxDim: 3 }))
      .chain(([dtype, shape]) => {
        const size = shape.reduce((n, d) => n * d, 1);
        const value =
          dtype === 'int32'
            ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
            : dtype === 'float32'
              ? fc.float()
              : fc.double();
        return fc.array(value, { minLength: size, maxLength: size }).map((values) => ({ dtype, shape, values }));
      });
    const names = fc.string({ minLength: 1, maxLength: 8 }).filter((n) => n !== '__metadata__');
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(names, entry, { maxKeys: 5 }),
        fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
        async (spec, metadata) => {
          const tensors: Record<string, Tensor> = {};
          for (const [name, { dtype, shape, values }] of Object.entries(spec))
            tensors[name] = tensor(values, { dtype, shape });
          const bytes = await encodeSafetensors(tensors, { metadata });
          const back = decodeSafetensors(bytes);
          expect(Object.keys(back).sort()).toEqual(Object.keys(spec).sort());
          for (const [name, { dtype, shape, values }] of Object.entries(spec)) {
            expect([back[name].dtype, back[name].shape]).toEqual([dtype, shape]);
            expect(sameValues(back[name].dataSync(), values)).toBe(true);
          }
          expect(safetensorsMetadata(bytes)).toEqual(metadata);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it('names a list and a model by position, and refuses names it cannot write', async () => {
    const [a, b] = [tensor([1]), tensor([2, 3])];
    expect(Object.keys(decodeSafetensors(await encodeSafetensors([a, b]))).sort()).toEqual(['0', '1']);
    expect(Object.keys(decodeSafetensors(await encodeSafetensors({ params: [a] })))).toEqual(['0']);
    await expect(encodeSafetensors({ __metadata__: a })).rejects.toThrow(ArgumentError);
    const odd = JSON.parse('{"__proto__": 1, "constructor": 2}') as Record<string, number>;
    const oddTensors = Object.fromEntries(Object.entries(odd).map(([k, v]) => [k, tensor([v])]));
    const back = decodeSafetensors(await encodeSafetensors(oddTensors));
    expect(Object.keys(back).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    await expect(encodeSafetensors({ '': a })).rejects.toThrow(ArgumentError);
    await expect(encodeSafetensors({ x: 3 as unknown as Tensor })).rejects.toThrow(
      /encodeSafetensors: 'x' is not a Tensor/,
    );
  });
});

describe('decodeSafetensors refuses malformed files with a message that says what is wrong', () => {
  const entry = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
  it.each([
    ['a truncated length prefix', new Uint8Array(5), /too short/],
    ['a header longer than the file', withHeader({ x: entry }).subarray(0, 20), /header length \d+ exceeds/],
    [
      'a header that is not JSON',
      (() => {
        const b = withHeader({ x: entry });
        b[9] = 0x7b;
        b[10] = 0x7b;
        return b;
      })(),
      /not valid JSON/,
    ],
    [
      'a hole in the data',
      withHeader({ x: { ...entry, data_offsets: [4, 12] } }, 12),
      /'x' starts at byte 4 of the data, expected 0/,
    ],
    ['data left over', withHeader({ x: entry }, 12), /cover 8 bytes of data, the file holds 12/],
    [
      'offsets that do not match the shape',
      withHeader({ x: { ...entry, shape: [3] } }),
      /needs 12 bytes, its data_offsets span 8/,
    ],
    [
      'overlapping tensors',
      withHeader({ x: entry, y: { ...entry, data_offsets: [4, 12] } }, 12),
      /'y' starts at byte 4 of the data, expected 8/,
    ],
    [
      'metadata that is not strings',
      withHeader({ __metadata__: { epoch: 3 }, x: entry }),
      /__metadata__ 'epoch' must be a string/,
    ],
  ])('%s', (_what, bytes, message) => {
    expect(() => decodeSafetensors(bytes)).toThrow(SafetensorsError);
    expect(() => decodeSafetensors(bytes)).toThrow(message);
  });

  it('names a dtype it cannot read, a bad shape, and an I64 value beyond int32', () => {
    expect(() => decodeSafetensors(withHeader({ x: { dtype: 'U8', shape: [8], data_offsets: [0, 8] } }))).toThrow(
      DTypeError,
    );
    expect(() => decodeSafetensors(withHeader({ x: { dtype: 'U8', shape: [8], data_offsets: [0, 8] } }))).toThrow(
      /'x' has dtype "U8"; graphgrad reads F64, F32, I32/,
    );
    expect(() => decodeSafetensors(withHeader({ x: { ...entry, shape: [-2] } }))).toThrow(ShapeError);
    const big = withHeader({ x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } });
    new DataView(big.buffer).setBigInt64(big.length - 8, 2n ** 40n, true);
    expect(() => decodeSafetensors(big)).toThrow(
      /'x' \(I64\) holds 1099511627776 at element 0, which does not fit in int32/,
    );
  });
});

describe('save, load and loadInto (Node files)', () => {
  it('saves named tensors and loads them back, as parameters on request', async () => {
    const path = join(scratch, 'named.safetensors');
    await save(
      {
        W: tensor([
          [1, 2],
          [3, 4],
        ]),
        t: tensor([0, 1], { dtype: 'int32' }),
      },
      path,
      { metadata: { note: 'hi' } },
    );
    const { W, t } = await load(path, { requiresGrad: true });
    expect([await W.toArray(), W.requiresGrad, await t.toArray(), t.requiresGrad]).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
      true,
      [0, 1],
      false,
    ]);
    expect(safetensorsMetadata(new Uint8Array(readFileSync(path)))).toEqual({ note: 'hi' });
  });

  it("restores a model's parameters in place and refuses a file whose shapes differ", async () => {
    const W = tensor([[1, 2]], { requiresGrad: true });
    const b = tensor([3], { requiresGrad: true });
    const model = { params: [W, b] };
    const path = join(scratch, 'model.safetensors');
    await save(model, path);
    W.assign(tensor([[0, 0]]));
    b.assign(tensor([0]));
    await loadInto(model, path);
    expect([model.params[0] === W, await W.toArray(), await b.toArray(), W.requiresGrad]).toEqual([
      true,
      [[1, 2]],
      [3],
      true,
    ]);
    await expect(loadInto({ params: [tensor([1, 2]), b] }, path)).rejects.toThrow(
      /'0' is \[1,2\] in the dict, \[2\] in the target/,
    );
    await expect(loadInto({ params: [tensor([[1, 2]], { dtype: 'float64' }), b] }, path)).rejects.toThrow(
      /'0' is float32 in the dict, float64 in the target/,
    );
    await expect(loadInto({ bias: b }, path)).rejects.toThrow(
      new StateDictError(`loadInto(${path})`, ['bias'], ['0', '1'], []),
    );
  });
});

/**
 * A python3 with numpy (the one on PATH, or the system's, where scripts/setup.sh installs
 * python3-numpy); without one the interop tests say so and are skipped, except in CI, where they
 * must run.
 */
const python = ['python3', '/usr/bin/python3'].find((exe) => spawnSync(exe, ['-c', 'import numpy']).status === 0);
if (python === undefined) {
  const why = 'no python3 with numpy was found (tried python3 and /usr/bin/python3)';
  if (process.env.CI)
    throw new Error(`safetensors interop: ${why}; CI must run these tests (scripts/setup.sh installs python3-numpy)`);
  console.warn(`safetensors interop with numpy skipped: ${why}`);
}

describe.runIf(python !== undefined)('interop with numpy (python3)', () => {
  const runScript = (...args: string[]): string => {
    const run = spawnSync(python!, [NUMPY_SCRIPT, ...args], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`safetensors_numpy.py ${args.join(' ')} failed: ${run.stderr}`);
    return run.stdout;
  };

  it('numpy reads a file graphgrad wrote: the same names, dtypes, shapes, values and metadata', async () => {
    const path = join(scratch, 'for-numpy.safetensors');
    const W1 = tensor([
      [0.1, -0.2, 0.3],
      [1e-8, -0, 65504.5],
    ]);
    const b1 = tensor([0.5, -1.5, 1e300], { dtype: 'float64' });
    const t = tensor([0, 2, 1, -5], { dtype: 'int32' });
    const loss = tensor(1.0986123);
    const special = tensor([NaN, Infinity, -Infinity]);
    await save({ W1, b1, t, loss, special }, path, { metadata: { model: 'TwoLayerNet', epoch: '300' } });
    const read = JSON.parse(runScript('read', path)) as {
      header_length: number;
      metadata: Record<string, string>;
      tensors: Record<string, { dtype: string; shape: number[]; values: (number | string)[] }>;
    };
    expect(read.header_length % 8).toBe(0);
    expect(read.metadata).toEqual({ model: 'TwoLayerNet', epoch: '300' });
    const expected: Record<string, [string, Tensor]> = {
      W1: ['F32', W1],
      b1: ['F64', b1],
      t: ['I32', t],
      loss: ['F32', loss],
    };
    for (const [name, [code, original]] of Object.entries(expected)) {
      const seen = read.tensors[name];
      expect([seen.dtype, seen.shape]).toEqual([code, [...original.shape]]);
      expect(sameValues(seen.values as number[], Array.from(original.dataSync()))).toBe(true);
    }
    expect(read.tensors.special.values).toEqual(['nan', 'inf', '-inf']);
  });

  it('the committed fixture is exactly what its script writes', () => {
    const path = join(scratch, 'fixture-again.safetensors');
    runScript('write', path);
    expect(Buffer.compare(readFileSync(path), readFileSync(join(FIXTURES, 'fixture.safetensors')))).toBe(0);
  });
});
