// Creating tensors: nested arrays, typed arrays, the shape option, dtypes and their rules.
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  cpuBackend,
  DTypeError,
  full,
  fullLike,
  getBackend,
  ones,
  onesLike,
  randn,
  ShapeError,
  tensor,
  zeros,
  zerosLike,
} from '../src/index.ts';
import { mul } from '../src/index.ts';

describe('tensor from nested arrays', () => {
  it('infers the shape and defaults to float32', async () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(x.shape).toEqual([2, 3]);
    expect(x.dtype).toBe('float32');
    expect(x.rank).toBe(2);
    expect(x.size).toBe(6);
    expect(x.requiresGrad).toBe(false);
    expect(x.grad).toBeNull();
    expect(x.origin).toBeNull();
    const data = await x.data();
    expect(data).toBeInstanceOf(Float32Array);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await x.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('makes a scalar from a number and an empty vector from []', async () => {
    const s = tensor(2.5, { dtype: 'float64' });
    expect(s.shape).toEqual([]);
    expect(await s.item()).toBe(2.5);
    expect(s.itemSync()).toBe(2.5);
    expect(await s.toArray()).toBe(2.5);
    const e = tensor([]);
    expect(e.shape).toEqual([0]);
    expect(e.size).toBe(0);
  });

  it('handles rank 3 row-major', async () => {
    const x = tensor(
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
        [
          [9, 10],
          [11, 12],
        ],
      ],
      { dtype: 'float64' },
    );
    expect(x.shape).toEqual([3, 2, 2]);
    expect(Array.from(await x.data())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('rejects ragged arrays with a ShapeError', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/tensor: ragged nested array.*\[2,2\]/);
    expect(() =>
      tensor([
        [1, 2],
        [3, 4, 5],
      ]),
    ).toThrow(ShapeError);
    expect(() => tensor([[1, 2], 3] as never)).toThrow(ShapeError);
    expect(() =>
      tensor([
        [[1], [2]],
        [[3], [4, 5]],
      ]),
    ).toThrow(ShapeError);
    expect(() => tensor([1, [2]] as never)).toThrow(ShapeError);
  });

  it('reshapes flat data with the shape option, and rejects a size mismatch', async () => {
    const x = tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] });
    expect(x.shape).toEqual([3, 2]);
    expect(await x.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(ShapeError);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow('tensor: 3 values cannot take shape [2,2]');
    expect(() => tensor([1, 2], { shape: [2, -1] })).toThrow(ArgumentError);
  });
});

describe('tensor from typed arrays', () => {
  it("takes the typed array's own dtype and copies the data", async () => {
    const source = new Float64Array([1.5, 2.5, 3.5, 4.5]);
    const x = tensor(source, { shape: [2, 2] });
    expect(x.dtype).toBe('float64');
    expect(x.shape).toEqual([2, 2]);
    source[0] = 100;
    expect((await x.data())[0]).toBe(1.5);
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(tensor(new Float32Array([1, 2])).dtype).toBe('float32');
    expect(tensor(new Float32Array(3)).shape).toEqual([3]);
  });

  it('converts to a requested dtype', async () => {
    const x = tensor(new Float64Array([1.75, -1.75, 2.5]), { dtype: 'int32' });
    expect(x.dtype).toBe('int32');
    expect(Array.from(await x.data())).toEqual([1, -1, 2]);
    const y = tensor(new Int32Array([1, 2]), { dtype: 'float64' });
    expect(await y.data()).toBeInstanceOf(Float64Array);
  });

  it('rejects a shape of the wrong size', () => {
    expect(() => tensor(new Float64Array(6), { shape: [4, 2] })).toThrow('tensor: 6 values cannot take shape [4,2]');
  });

  it('returns a copy from data(), not a window on the tensor', async () => {
    const x = tensor([1, 2, 3], { dtype: 'float64' });
    const read = await x.data();
    read[0] = 42;
    expect((await x.data())[0]).toBe(1);
  });
});

describe('dtypes', () => {
  it('holds float32, float64 and int32 in their typed arrays', async () => {
    expect(await tensor([1.1], { dtype: 'float32' }).data()).toBeInstanceOf(Float32Array);
    expect(await tensor([1.1], { dtype: 'float64' }).data()).toBeInstanceOf(Float64Array);
    expect(await tensor([1], { dtype: 'int32' }).data()).toBeInstanceOf(Int32Array);
    // float32 rounds, float64 keeps the double.
    expect((await tensor([0.1], { dtype: 'float32' }).data())[0]).toBe(Math.fround(0.1));
    expect((await tensor([0.1], { dtype: 'float64' }).data())[0]).toBe(0.1);
  });

  it('truncates toward zero when nested numbers become int32', async () => {
    expect(Array.from(await tensor([2.9, -2.9, 0.5], { dtype: 'int32' }).data())).toEqual([2, -2, 0]);
  });

  it('never lets an int32 tensor require a gradient', () => {
    expect(() => tensor([0, 1], { dtype: 'int32', requiresGrad: true })).toThrow(DTypeError);
    expect(() => tensor([0, 1], { dtype: 'int32', requiresGrad: true })).toThrow(
      /int32 tensor cannot require a gradient/,
    );
    const labels = tensor([0, 1], { dtype: 'int32' });
    expect(() => {
      labels.requiresGrad = true;
    }).toThrow(DTypeError);
    expect(() => zeros([2], { dtype: 'int32', requiresGrad: true })).toThrow(DTypeError);
  });

  it('lets a float leaf switch requiresGrad on and off', () => {
    const x = tensor([1, 2]);
    x.requiresGrad = true;
    expect(x.requiresGrad).toBe(true);
    x.requiresGrad = false;
    expect(x.requiresGrad).toBe(false);
  });

  it('rejects an unknown dtype with an ArgumentError', () => {
    expect(() => tensor([1], { dtype: 'float16' as never })).toThrow(ArgumentError);
    expect(() => tensor([1], { dtype: 'float16' as never })).toThrow(/unknown dtype "float16"/);
    expect(() => zeros([1], { dtype: 'uint8' as never })).toThrow(ArgumentError);
  });
});

describe('zeros, ones, full and the *Like functions', () => {
  it('fill the shape with the value in the dtype asked for', async () => {
    expect(Array.from(await zeros([2, 2]).data())).toEqual([0, 0, 0, 0]);
    const o = ones([3], { dtype: 'float64' });
    expect(o.dtype).toBe('float64');
    expect(Array.from(await o.data())).toEqual([1, 1, 1]);
    const f = full([2, 1], 0.5, { dtype: 'float64', requiresGrad: true });
    expect(f.shape).toEqual([2, 1]);
    expect(f.requiresGrad).toBe(true);
    expect(Array.from(await f.data())).toEqual([0.5, 0.5]);
    expect(Array.from(await full([2], 7, { dtype: 'int32' }).data())).toEqual([7, 7]);
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([0, 3]).size).toBe(0);
  });

  it('copy shape, dtype and backend from a model tensor', async () => {
    const like = tensor([[1, 2, 3]], { dtype: 'float64' });
    for (const [t, v] of [
      [zerosLike(like), 0],
      [onesLike(like), 1],
      [fullLike(like, 3), 3],
    ] as const) {
      expect(t.shape).toEqual([1, 3]);
      expect(t.dtype).toBe('float64');
      expect(t.backend).toBe(like.backend);
      expect(Array.from(await t.data())).toEqual([v, v, v]);
    }
  });

  it('reject shapes that are not lists of non-negative integers', () => {
    expect(() => zeros([-1])).toThrow(ArgumentError);
    expect(() => zeros([1.5])).toThrow(/zeros|full: a shape is a list of non-negative integers/);
    expect(() => ones([2, Number.NaN])).toThrow(ArgumentError);
  });

  it('item() refuses a tensor of more than one element', async () => {
    await expect(ones([2]).item()).rejects.toThrow(ShapeError);
    expect(() => ones([2]).itemSync()).toThrow('itemSync: needs a tensor of one element, got [2]');
    expect(await ones([1, 1]).item()).toBe(1);
  });

  it('to() copies a tensor to another backend as a leaf', async () => {
    const other = cpuBackend();
    const x = tensor([[1, 2]], { dtype: 'float64', requiresGrad: true });
    const moved = await x.to(other);
    expect(moved.backend).toBe(other);
    expect(moved).not.toBe(x);
    expect([moved.shape, moved.dtype, moved.requiresGrad, moved.origin]).toEqual([[1, 2], 'float64', true, null]);
    expect(Array.from(await moved.data())).toEqual([1, 2]);
    // The same answer when the backend is the tensor's own.
    const same = await x.to(x.backend);
    expect(same).not.toBe(x);
    expect([same.backend, same.requiresGrad, same.origin]).toEqual([x.backend, true, null]);
    // A computed tensor arrives as a plain leaf either way.
    const y = mul(x, 2);
    expect((await y.to(other)).requiresGrad).toBe(false);
    expect((await y.to(y.backend)).requiresGrad).toBe(false);
  });

  it('prints a short description', () => {
    const t = zeros([2, 3], { dtype: 'float64', requiresGrad: true });
    expect(t.toString()).toMatch(/^Tensor\(#\d+, \[2,3\], float64, leaf, requiresGrad\)$/);
  });
});

describe('checked numbers', () => {
  it('refuses int32 values beyond 32 bits, NaN and ±Inf instead of wrapping them', () => {
    expect(() => tensor([1, 3e9], { dtype: 'int32' })).toThrow(
      'tensor: an int32 tensor holds integers in [-2147483648, 2147483647], got 3000000000 at position 1',
    );
    expect(() => tensor(new Float64Array([Number.NaN]), { dtype: 'int32' })).toThrow(ArgumentError);
    expect(() => tensor([Infinity], { dtype: 'int32' })).toThrow(/got Infinity at position 0/);
    expect(() => full([2], -Infinity, { dtype: 'int32' })).toThrow(ArgumentError);
    expect(() => full([2], 2 ** 31, { dtype: 'int32' })).toThrow(
      'full: an int32 tensor holds integers in [-2147483648, 2147483647], got 2147483648',
    );
  });

  it('keeps -0 in float dtypes', async () => {
    for (const dtype of ['float32', 'float64'] as const) {
      expect(Object.is((await full([3], -0, { dtype }).data())[2], -0)).toBe(true);
      expect(Object.is((await tensor([-0], { dtype }).data())[0], -0)).toBe(true);
    }
  });

  it('refuses a shape too large for any tensor with a ShapeError, before allocating', () => {
    expect(() => zeros([2 ** 31, 2 ** 31])).toThrow(ShapeError);
    expect(() => zeros([2 ** 31, 2 ** 31])).toThrow(/has 4611686018427388000 elements, more than a tensor holds/);
  });

  it('checks every option before allocating, and quotes bad values briefly', () => {
    const live = getBackend().liveBuffers();
    expect(() => randn([2], { dtype: 0 as never })).toThrow('randn: unknown dtype 0 (use float32, float64 or int32)');
    expect(() => zeros([2], { requiresGrad: -1 as never })).toThrow(
      'zeros: requiresGrad must be true or false, got -1',
    );
    expect(() => full([2], null as never)).toThrow('full: the value is a number, got null');
    expect(() => tensor([1], { dtype: 'x'.repeat(1e6) as never })).toThrow(
      /unknown dtype "x{60}…" \(a string of 1000000 characters\)/,
    );
    expect(() => tensor(Symbol('s') as never)).toThrow(
      'tensor: values are a number, nested arrays of numbers or a typed array, got Symbol(s)',
    );
    expect(() => randn([2], { seed: {} as never })).toThrow('Generator: a seed is an integer, got {}');
    expect(() => zeros([2], { colour: 'red' } as never)).toThrow(/zeros: unknown option "colour"/);
    expect(getBackend().liveBuffers()).toBe(live);
  });
});
