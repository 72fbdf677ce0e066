// Slicing and joining: numpy's indexing semantics (against an independent reference over random
// indices), the TSDoc examples, views that cost no copy on both backends, gradients of overlapping
// uses, and every refused argument with its error class and message.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraries } from '@graphgrad/core/testing';
import {
  ArgumentError,
  AxisError,
  DTypeError,
  ShapeError,
  sizeOf,
  tensor,
  tidy,
  type Backend,
  type Shape,
  type Tensor,
} from '@graphgrad/core';
import { testBackends } from '@graphgrad/test-backends';
import {
  add,
  concat,
  flatten,
  mul,
  permute,
  sigmoid,
  slice,
  split,
  squeeze,
  stack,
  sum,
  tanh,
  transpose,
  unbind,
  unsqueeze,
  type SliceEntry,
} from '../src/index.ts';

const values = (t: Tensor): number[] => Array.from(t.dataSync());
/** 0, 1, 2, … in `shape` (float64). */
const iota = (shape: Shape, backend?: Backend): Tensor =>
  tensor(
    Float64Array.from({ length: sizeOf(shape) }, (_, i) => i),
    { shape, dtype: 'float64', backend },
  );

// ---- an independent reference of numpy's basic indexing ------------------------------------------

/**
 * The positions `start:stop:step` selects on an axis of `n`, found by filtering 0…n-1 (or n-1…0)
 * against Python's rules rather than by computing a first position and a count.
 */
function positions(
  n: number,
  [start, stop, step]: readonly [number | null, number | null, (number | null)?],
): number[] {
  const s = step ?? 1;
  const all = Array.from({ length: n }, (_, i) => i);
  if (s > 0) {
    const lo = start === null ? 0 : start < 0 ? Math.max(start + n, 0) : Math.min(start, n);
    const hi = stop === null ? n : stop < 0 ? Math.max(stop + n, 0) : Math.min(stop, n);
    return all.filter((i) => i >= lo && i < hi && (i - lo) % s === 0);
  }
  const hi = start === null ? n - 1 : start < 0 ? start + n : Math.min(start, n - 1);
  const lo = stop === null ? -1 : stop < 0 ? Math.max(stop + n, -1) : stop;
  return all.reverse().filter((i) => i <= hi && i > lo && (hi - i) % -s === 0);
}

/** `x[index]` on row-major `data` of `shape`: the result's shape and values. */
function reference(data: readonly number[], shape: Shape, index: readonly SliceEntry[]): [number[], number[]] {
  const indexed = index.filter((e) => e !== '...' && e !== 'newaxis').length;
  const at = index.indexOf('...');
  const whole = new Array<SliceEntry>(shape.length - indexed).fill(null);
  const full = at < 0 ? [...index, ...whole] : [...index.slice(0, at), ...whole, ...index.slice(at + 1)];
  // Per input axis, the positions read; and the output shape.
  const picks: number[][] = [];
  const outShape: number[] = [];
  let axis = 0;
  for (const e of full) {
    if (e === 'newaxis') {
      outShape.push(1);
      continue;
    }
    const n = shape[axis++];
    if (e === null) {
      picks.push(Array.from({ length: n }, (_, i) => i));
      outShape.push(n);
    } else if (typeof e === 'number') picks.push([e < 0 ? e + n : e]);
    else {
      const p = positions(n, e as readonly [number | null, number | null, number?]);
      picks.push(p);
      outShape.push(p.length);
    }
  }
  // Every combination of positions, in row-major order.
  let flat: number[][] = [[]];
  for (const p of picks) flat = flat.flatMap((prefix) => p.map((i) => [...prefix, i]));
  const strides = shape.map((_, d) => sizeOf(shape.slice(d + 1)));
  return [outShape, flat.map((c) => data[c.reduce((acc, ci, d) => acc + ci * strides[d], 0)])];
}

const bound = (n: number): fc.Arbitrary<number | null> =>
  fc.oneof(fc.constant(null), fc.integer({ min: -n - 3, max: n + 3 }));
const entryOf = (n: number): fc.Arbitrary<SliceEntry> =>
  fc.oneof(
    fc.constant(null),
    fc
      .tuple(
        bound(n),
        bound(n),
        fc.integer({ min: -4, max: 4 }).filter((s) => s !== 0),
      )
      .map(([a, b, s]): SliceEntry => [a, b, s]),
    fc.tuple(bound(n), bound(n)).map(([a, b]): SliceEntry => [a, b]),
    ...(n > 0 ? [fc.integer({ min: -n, max: n - 1 })] : []),
  );

describe('slice follows numpy', () => {
  it('matches the reference over random shapes (empty axes included) and indices', () => {
    fc.assert(
      fc.property(
        arbitraries
          .shape({ minRank: 1, maxRank: 4, minDim: 0, maxDim: 5 })
          .chain((s) =>
            fc.tuple(
              fc.constant(s),
              fc.tuple(...s.map(entryOf)),
              fc.integer({ min: 0, max: s.length }),
              fc.constantFrom<readonly SliceEntry[]>([], ['...'], ['newaxis'], ['newaxis', '...']),
            ),
          ),
        ([s, entries, used, extra]) => {
          // After an ellipsis the entries index the last axes, so they are drawn for those.
          const index = [
            ...extra,
            ...(extra.includes('...') ? entries.slice(s.length - used) : entries.slice(0, used)),
          ];
          const x = iota(s);
          const y = slice(x, index);
          const [shape, want] = reference(values(x), s, index);
          expect(y.shape).toEqual(shape);
          expect(values(y)).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  const x = iota([3, 4]);
  it.each([
    ['x[:, 1:3]', [null, [1, 3]], [3, 2], [1, 2, 5, 6, 9, 10]],
    ['x[:, -1]', [null, -1], [3], [3, 7, 11]],
    ['x[1]', [1], [4], [4, 5, 6, 7]],
    ['x[..., 1]', ['...', 1], [3], [1, 5, 9]],
    [
      'x[::-1, ::2]',
      [
        [null, null, -1],
        [null, null, 2],
      ],
      [3, 2],
      [8, 10, 4, 6, 0, 2],
    ],
    ['x[:, ::-3]', [null, [null, null, -3]], [3, 2], [3, 0, 7, 4, 11, 8]],
    ['x[2:0:-1, 0]', [[2, 0, -1], 0], [2], [8, 4]],
    ['x[5:] (bounds clamp)', [[5, null]], [0, 4], []],
    ['x[-10:2]', [[-10, 2]], [2, 4], [0, 1, 2, 3, 4, 5, 6, 7]],
    ['x[None, 1]', ['newaxis', 1], [1, 4], [4, 5, 6, 7]],
    ['x[1, None, 2:]', [1, 'newaxis', [2, null]], [1, 2], [6, 7]],
    ['x[()]', [], [3, 4], Array.from({ length: 12 }, (_, i) => i)],
  ] as const)('%s', (_title, index, shape, want) => {
    const y = slice(x, index);
    expect(y.shape).toEqual(shape);
    expect(values(y)).toEqual(want);
  });

  it('reads numpy syntax as a string', () => {
    const h = iota([2, 3, 4]);
    for (const [text, list] of [
      [':, 1:3', [null, [1, 3]]],
      ['..., -1', ['...', -1]],
      [':, 1, :', [null, 1, null]],
      ['::-1, None, 1::2', [[null, null, -1], 'newaxis', [1, null, 2]]],
      ['0,', [0]],
      ['', []],
    ] as const) {
      expect(values(slice(h, text)), text).toEqual(values(slice(h, list as readonly SliceEntry[])));
      expect(slice(h, text).shape, text).toEqual(slice(h, list as readonly SliceEntry[]).shape);
    }
  });

  it('slices int32 tensors', () => {
    const ids = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'int32' },
    );
    const col = slice(ids, [null, -1]);
    expect([col.dtype, values(col)]).toEqual(['int32', [3, 6]]);
  });
});

describe('the TSDoc examples', () => {
  it('slice', () => {
    const x = iota([2, 5]);
    expect(values(slice(x, ':, 1:3'))).toEqual(values(slice(x, [null, [1, 3]])));
    expect(slice(x, [null, -1]).shape).toEqual([2]);
    expect(slice(x, ['...', [1, 3]]).shape).toEqual([2, 2]);
    const h = iota([4, 5, 3]);
    const t = 2;
    expect(values(slice(h, [null, t, null]))).toEqual([6, 7, 8, 21, 22, 23, 36, 37, 38, 51, 52, 53]);
    expect(values(slice(x, [[null, null, -1]]))).toEqual([5, 6, 7, 8, 9, 0, 1, 2, 3, 4]);
    expect(slice(x, [null, 'newaxis']).shape).toEqual([2, 1, 5]);
  });

  it('concat and stack', () => {
    const a = iota([2, 3]);
    const b = iota([2, 2]);
    expect(values(concat([a, b], 1))).toEqual([0, 1, 2, 0, 1, 3, 4, 5, 2, 3]);
    const [h0, h1] = [iota([2, 4]), iota([3, 4])];
    expect(concat([h0, h1]).shape).toEqual([5, 4]);
    const hs = [iota([2, 3]), add(iota([2, 3]), 10), add(iota([2, 3]), 20)];
    const seq = stack(hs, 1); // three [N, H] -> [N, 3, H]
    expect(seq.shape).toEqual([2, 3, 3]);
    expect(values(slice(seq, [null, 2]))).toEqual(values(hs[2]));
    expect(stack([iota([4]), iota([4])]).shape).toEqual([2, 4]);
  });

  it('split and unbind', () => {
    const gates = iota([2, 8]);
    const [f, g, i, o] = split(gates, 4, 1);
    expect([f, g, i, o].map((p) => p.shape)).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
    expect(values(i)).toEqual([4, 5, 12, 13]);
    const [head, tail] = split(iota([5, 2]), [1, 4]);
    expect([head.shape, tail.shape]).toEqual([
      [1, 2],
      [4, 2],
    ]);
    const xs = iota([2, 3, 2]);
    const steps = unbind(xs, 1);
    expect(steps.map(values)).toEqual([
      [0, 1, 6, 7],
      [2, 3, 8, 9],
      [4, 5, 10, 11],
    ]);
    expect(unbind(iota([0, 3]))).toEqual([]);
  });

  it('squeeze, unsqueeze, flatten', () => {
    expect(squeeze(iota([2, 1, 3, 1])).shape).toEqual([2, 3]);
    expect(squeeze(iota([2, 1, 3]), 1).shape).toEqual([2, 3]);
    expect(squeeze(iota([2, 3, 1]), [-1]).shape).toEqual([2, 3]);
    expect(unsqueeze(iota([3]), 0).shape).toEqual([1, 3]);
    expect(unsqueeze(iota([2, 3]), -1).shape).toEqual([2, 3, 1]);
    expect(flatten(iota([2, 3, 4, 5])).shape).toEqual([120]);
    expect(flatten(iota([2, 3, 4, 5]), 1).shape).toEqual([2, 60]);
    expect(flatten(iota([2, 3, 4]), 0, 1).shape).toEqual([6, 4]);
    expect(flatten(tensor(7, { dtype: 'float64' })).shape).toEqual([1]);
  });

  it('transpose of two axes and permute', () => {
    const x = iota([2, 3, 4]);
    expect(transpose(x, 1, 2).shape).toEqual([2, 4, 3]);
    expect(values(transpose(x, 0, -1))).toEqual(values(permute(x, [2, 1, 0])));
    expect(values(transpose(x, 0, -1))).toEqual(values(transpose(x)));
    expect(permute(x, [0, 2, 1]).shape).toEqual([2, 4, 3]);
    expect(permute(x, [2, 0, 1]).shape).toEqual([4, 2, 3]);
    expect(values(permute(x, [-1, 0, 1]))).toEqual(values(transpose(x, [2, 0, 1])));
  });
});

const backends = await testBackends();

describe.each(backends)('on $name', ({ backend, reason }) => {
  describe.skipIf(backend === null)(reason ?? 'views and gradients', () => {
    const b = backend!;
    const on = (shape: Shape): Tensor =>
      tensor(
        Float32Array.from({ length: sizeOf(shape) }, (_, i) => i),
        { shape, backend: b },
      );

    it('slices with positive steps, splits, unbinds and picks h[:, t, :] without a copy', async () => {
      const gates = on([4, 12]);
      const hs = on([4, 5, 3]);
      const before = b.liveBuffers();
      const views = tidy(() => {
        const parts = split(gates, 4, 1);
        const h = slice(hs, [null, 2, null]);
        const steps = unbind(hs, 1);
        const column = squeeze(slice(gates, [null, [3, 4]]), 1);
        expect(b.liveBuffers()).toBe(before);
        return [parts[2], h, steps[4], column];
      });
      expect(b.liveBuffers()).toBe(before);
      expect(Array.from(await views[0].data())).toEqual([6, 7, 8, 18, 19, 20, 30, 31, 32, 42, 43, 44]);
      expect(Array.from(await views[1].data())).toEqual([6, 7, 8, 21, 22, 23, 36, 37, 38, 51, 52, 53]);
      expect(Array.from(await views[2].data())).toEqual([12, 13, 14, 27, 28, 29, 42, 43, 44, 57, 58, 59]);
      expect(Array.from(await views[3].data())).toEqual([3, 15, 27, 39]);
      for (const v of [...views, gates, hs]) v.dispose();
    });

    it('copies once for a negative step, and concat and stack make one array', () => {
      const x = on([3, 4]);
      const before = b.liveBuffers();
      const outs = tidy(() => [slice(x, '::-1'), concat([x, x], 1), stack([x, x, x], 1)]);
      expect(b.liveBuffers()).toBe(before + 3);
      for (const t of [...outs, x]) t.dispose();
    });

    it('adds the gradients of overlapping slices, and of unused split pieces gives zeros', async () => {
      const x = tensor([[1, 2, 3, 4, 5]], { backend: b, requiresGrad: true });
      tidy(() => {
        const left = slice(x, [null, [0, 3]]);
        const right = slice(x, [null, [2, null]]);
        add(sum(mul(left, 2)), sum(mul(right, 3))).backward();
      });
      expect(Array.from(await x.grad!.data())).toEqual([2, 2, 5, 3, 3]);
      x.zeroGrad();
      tidy(() => sum(mul(split(x, [2, 1, 2], 1)[1], 4)).backward());
      expect(Array.from(await x.grad!.data())).toEqual([0, 0, 4, 0, 0]);
      x.dispose();
    });

    it('runs an LSTM step: a [N, 4H] gate matrix split four ways through sigmoid and tanh', async () => {
      const gates = tensor(
        Float32Array.from({ length: 2 * 8 }, (_, i) => Math.sin(i)),
        { shape: [2, 8], backend: b, requiresGrad: true },
      );
      const h = tidy(() => {
        const [f, g, i, o] = split(gates, 4, 1);
        const c = add(mul(sigmoid(f), 0.5), mul(sigmoid(i), tanh(g)));
        const next = mul(sigmoid(o), tanh(c));
        sum(next).backward();
        return next;
      });
      // The same step from the values, in plain arithmetic.
      const v = Array.from({ length: 16 }, (_, i) => Math.sin(i));
      const s = (z: number): number => 1 / (1 + Math.exp(-z));
      const want = [0, 1].flatMap((n) =>
        [0, 1].map((j) => {
          const at = (k: number): number => v[n * 8 + k * 2 + j];
          return s(at(3)) * Math.tanh(s(at(0)) * 0.5 + s(at(2)) * Math.tanh(at(1)));
        }),
      );
      const got = Array.from(await h.data());
      got.forEach((g, k) => expect(g).toBeCloseTo(want[k], 5));
      expect(gates.grad!.shape).toEqual([2, 8]);
      for (const t of [h, gates]) t.dispose();
    });
  });
});

describe('refused arguments name the op, the argument and what was expected', () => {
  const x = iota([3, 4]);
  const letter: unknown = 'a';
  it.each(
    [
      [
        () => slice(x, [null, letter as SliceEntry]),
        ArgumentError,
        `slice: entry 1 is "a"; an entry is null (the whole axis), an integer (one position), [start, stop] or [start, stop, step] (integers or null), '...' or 'newaxis'`,
      ],
      [() => slice(x, [[1] as unknown as SliceEntry]), ArgumentError, 'slice: entry 0 is [1]; an entry is null'],
      [() => slice(x, [[0.5, 2]]), ArgumentError, 'slice: entry 0 is [0.5,2]; an entry is null'],
      [() => slice(x, [1.5]), ArgumentError, 'slice: entry 0 is 1.5; an entry is null'],
      [
        () => slice(x, [{ start: 1 } as unknown as SliceEntry]),
        ArgumentError,
        'slice: entry 0 is {"start":1}; an entry is null',
      ],
      [() => slice(x, [x as unknown as SliceEntry]), ArgumentError, 'slice: entry 0 is Tensor(#'],
      [() => slice(x, [[0, 3, 0]]), ArgumentError, 'slice: entry 0 [0,3,0] has a step of 0'],
      [
        () => slice(x, [null, null, null]),
        AxisError,
        'slice: 3 axes indexed, but the tensor [3,4] has 2 (too many indices)',
      ],
      [() => slice(x, [3]), ShapeError, 'slice: index 3 is out of bounds for axis 0 of length 3 (shape [3,4])'],
      [() => slice(x, [null, -5]), ShapeError, 'slice: index -5 is out of bounds for axis 1 of length 4 (shape [3,4])'],
      [() => slice(x, ['...', 0, '...']), ArgumentError, "slice: an index holds at most one '...', got 2"],
      [
        () => slice(x, ':, 1:a'),
        ArgumentError,
        'slice: cannot read "1:a" (entry 1 of ":, 1:a"); an entry is an integer, start:stop[:step], \'...\' or None',
      ],
      [() => slice(x, '1:2:3:4'), ArgumentError, 'slice: cannot read "1:2:3:4"'],
      [
        () => slice(x, 2 as unknown as SliceEntry[]),
        ArgumentError,
        "slice: the index must be a list of entries or a string such as ':, 1:3', got 2",
      ],
      [() => slice([1, 2] as unknown as Tensor, [0]), ArgumentError, 'slice: x must be a Tensor, got [1,2]'],
      [() => concat([]), ArgumentError, 'concat: xs must hold at least one tensor, got an empty list'],
      [() => concat(x as unknown as Tensor[]), ArgumentError, 'concat: xs must be a list of tensors, got Tensor(#'],
      [() => concat([x, 3 as unknown as Tensor]), ArgumentError, 'concat: xs[1] must be a Tensor, got 3'],
      [
        () => concat([x, iota([3, 5])], 0),
        ShapeError,
        'concat: xs[1] is [3,5] but xs[0] is [3,4]; they must agree on every axis but axis 0',
      ],
      [
        () => concat([x, iota([3])], 1),
        ShapeError,
        'concat: xs[1] is [3] but xs[0] is [3,4]; they must agree on every axis but axis 1',
      ],
      [
        () => concat([x, tensor([[1, 2, 3, 4]])]),
        DTypeError,
        'concat: xs[1] is float32 but xs[0] is float64; the tensors must share a dtype',
      ],
      [() => concat([x], 2), AxisError, 'concat: axis 2 is out of range for a tensor of rank 2'],
      [
        () => concat([tensor(1, { dtype: 'float64' })]),
        ShapeError,
        'concat: xs[0] is a scalar []; concat joins along an axis (stack joins scalars)',
      ],
      [
        () => stack([x, iota([4, 3])]),
        ShapeError,
        'stack: xs[1] is [4,3] but xs[0] is [3,4]; stack needs equal shapes',
      ],
      [() => stack([]), ArgumentError, 'stack: xs must hold at least one tensor, got an empty list'],
      [
        () => stack([x, x], 3),
        AxisError,
        'stack: axis 3 is out of range for stacking tensors of rank 2 (the result has rank 3)',
      ],
      [
        () => split(x, 3, 1),
        ShapeError,
        'split: axis 1 of length 4 (shape [3,4]) does not divide into 3 equal pieces; pass the sizes instead',
      ],
      [() => split(x, [1, 2], 1), ShapeError, 'split: sizes [1,2] sum to 3, but axis 1 of [3,4] has length 4'],
      [() => split(x, [2, -1, 3], 1), ArgumentError, 'split: size 1 is -1; sizes are non-negative integers'],
      [() => split(x, 0), ArgumentError, 'split: the number of pieces must be a positive integer, got 0'],
      [
        () => split(x, []),
        ArgumentError,
        'split: sizesOrCount must be a number of equal pieces or a non-empty list of sizes, got []',
      ],
      [() => split(x, 2, -3), AxisError, 'split: axis -3 is out of range for a tensor of rank 2'],
      [() => unbind(x, 2), AxisError, 'unbind: axis 2 is out of range for a tensor of rank 2'],
      [
        () => squeeze(iota([2, 1, 3]), 0),
        ShapeError,
        'squeeze: axis 0 of [2,1,3] has length 2; only axes of length 1 can be removed',
      ],
      [() => squeeze(iota([2, 1, 3]), 3), AxisError, 'squeeze: axis 3 is out of range for a tensor of rank 3'],
      [() => squeeze(iota([2, 1, 3]), [1, -2]), AxisError, 'squeeze: axes [1,-2] repeat an axis'],
      [
        () => unsqueeze(x, 3),
        AxisError,
        'unsqueeze: axis 3 is out of range for a new axis of a tensor of rank 2 (from -3 to 2)',
      ],
      [
        () => flatten(iota([2, 3, 4]), 2, 1),
        ArgumentError,
        'flatten: startAxis 2 comes after endAxis 1 (axes 2 and 1 of rank 3)',
      ],
      [() => flatten(x, 0, 2), AxisError, 'flatten: axis 2 is out of range for a tensor of rank 2'],
      [() => transpose(x, 0, 2), AxisError, 'transpose: axis 2 is out of range for a tensor of rank 2'],
      [
        () => transpose(x, 0 as unknown as number[]),
        ArgumentError,
        'transpose: takes two axes (transpose(x, 0, 1)) or one permutation (transpose(x, [1, 0])), got 0 and undefined',
      ],
      [() => transpose(x, [0, 0]), ArgumentError, 'transpose: [0,0] is not a permutation of the 2 axes'],
      [() => permute(x, [1, -2, 0]), ArgumentError, 'permute: [1,-2,0] is not a permutation of the 2 axes'],
      [() => permute(x, [0, 2]), AxisError, 'permute: axis 2 is out of range for a tensor of rank 2'],
    ].map(([call, type, message]) => ({ call, type, message })),
  )('$message', ({ call, type, message }) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
