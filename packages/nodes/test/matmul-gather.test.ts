// Batched matmul, gather along any axis, segmentSum, indexAdd and embedding on every backend: their
// values against plain loops, the shapes numpy gives, gradients that repeat across calls (the
// buffers of a scatter-add are kept clean between uses), and the errors each call promises, raised
// before any kernel runs.
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  AxisError,
  DTypeError,
  Generator,
  type GraphgradError,
  ones,
  randn,
  ShapeError,
  sizeOf,
  tensor,
  tidy,
  zeros,
  type Backend,
  type Tensor,
} from '@graphgrad/core';
import { testBackends } from '@graphgrad/test-backends';
import { Affine, embedding, Embedding, gather, indexAdd, matmul, mul, segmentSum, sum } from '../src/index.ts';

const backends = await testBackends();

const values = (t: Tensor): number[] => Array.from(t.dataSync());

/** Values that are exact in float32 and small, so sums of them are exact too. */
function smallInts(n: number, seed: number): number[] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () => g.int(9) - 4);
}

/** `[...shape]` row-major values of f(coords). */
function table(shape: readonly number[], f: (c: number[]) => number): number[] {
  return Array.from({ length: sizeOf(shape) }, (_, i) => {
    const c: number[] = [];
    for (let d = shape.length - 1, r = i; d >= 0; d--) {
      c.unshift(r % shape[d]);
      r = Math.floor(r / shape[d]);
    }
    return f(c);
  });
}

/** numpy's matmul written out element by element: 1-D operands promoted, batch axes broadcast. */
function numpyMatmul(a: number[], sa: number[], b: number[], sb: number[]): number[] {
  const A = sa.length === 1 ? [1, ...sa] : sa;
  const B = sb.length === 1 ? [...sb, 1] : sb;
  const [m, k] = A.slice(-2);
  const n = B[B.length - 1];
  const rank = Math.max(A.length, B.length) - 2;
  const lengthAt = (s: number[], d: number): number => s[s.length - 2 - rank + d] ?? 1;
  const batch = Array.from({ length: rank }, (_, d) => Math.max(lengthAt(A, d), lengthAt(B, d)));
  // the row-major position of coordinates c (of the broadcast shape) in an operand of shape s
  const at = (s: number[], c: number[]): number =>
    s.reduce((acc, d, i) => acc * d + (d === 1 ? 0 : c[c.length - s.length + i]), 0);
  return table([...batch, m, n], (c) => {
    let total = 0;
    for (let p = 0; p < k; p++) {
      total += a[at(A, [...c.slice(0, -2), c[rank], p])] * b[at(B, [...c.slice(0, -2), p, c[rank + 1]])];
    }
    return total;
  });
}

describe.each(backends)('batched matmul, gather and scatter-add on $name', ({ backend, reason }) => {
  const on = backend as Backend;
  const f = (values: number[], shape: number[], requiresGrad = false): Tensor =>
    tensor(values, { shape, backend: on, requiresGrad });
  const ids = (values: number[], shape = [values.length]): Tensor =>
    tensor(values, { shape, dtype: 'int32', backend: on });

  describe.skipIf(reason !== null)(reason ?? 'values', () => {
    it('multiplies batches as numpy does: [B,T,H]·[H,V], [B,T,H]·[B,H,1], [B,1,T,H]·[B,N,H,T]', async () => {
      const cases: [number[], number[], number[]][] = [
        [
          [2, 3, 4],
          [4, 5],
          [2, 3, 5],
        ],
        [
          [2, 3, 4],
          [2, 4, 1],
          [2, 3, 1],
        ],
        [
          [2, 1, 3, 4],
          [2, 5, 4, 3],
          [2, 5, 3, 3],
        ],
        [
          [3, 4],
          [2, 4, 5],
          [2, 3, 5],
        ],
        [[4], [2, 4, 3], [2, 3]],
        [[2, 3, 4], [4], [2, 3]],
        [[4], [4], []],
      ];
      for (const [sa, sb, shape] of cases) {
        const a = smallInts(sizeOf(sa), 1);
        const b = smallInts(sizeOf(sb), 2);
        const y = matmul(f(a, sa), f(b, sb));
        expect(y.shape).toEqual(shape);
        expect([...(await y.data())]).toEqual(numpyMatmul(a, sa, b, sb));
      }
    });

    it('gives an Affine over [N, T, D] without a reshape, and its weight the gradient of the rows folded', async () => {
      const x = f(smallInts(2 * 3 * 4, 3), [2, 3, 4]);
      const W = f(smallInts(4 * 5, 4), [4, 5], true);
      const b = f(smallInts(5, 5), [5], true);
      const y = new Affine(W, b).forward(x);
      expect(y.shape).toEqual([2, 3, 5]);
      sum(y).backward();
      // dW = Σ over every (n, t) row of xᵀ, db = the number of rows
      const xs = await x.data();
      const dW = table([4, 5], ([i]) => [0, 1, 2, 3, 4, 5].reduce((s, r) => s + xs[r * 4 + i], 0));
      expect([...(await W.grad!.data())]).toEqual(dW);
      expect([...(await b.grad!.data())]).toEqual([6, 6, 6, 6, 6]);
    });

    it('gathers along any axis with numpy.take shapes, and adds the gradient back where picked', async () => {
      const shape = [2, 4, 3];
      const values = table(shape, ([i, j, k]) => 100 * i + 10 * j + k);
      const x = f(values, shape, true);
      const picks = ids([3, 0, 3, 3], [2, 2]);
      const y = gather(x, picks, 1);
      expect(y.shape).toEqual([2, 2, 2, 3]);
      expect([...(await y.data())]).toEqual(
        table([2, 2, 2, 3], ([i, p, q, k]) => 100 * i + 10 * [3, 0, 3, 3][p * 2 + q] + k),
      );
      sum(y).backward();
      // row 3 was picked three times, row 0 once, rows 1 and 2 never
      expect([...(await x.grad!.data())]).toEqual(table(shape, ([, j]) => [1, 0, 0, 3][j]));
    });

    it('sums segments (segmentSum) and adds slices into x (indexAdd) with repeated indices', async () => {
      const v = f([1, 1, 2, 2, 3, 3], [3, 2]);
      expect([...(await segmentSum(v, ids([2, 0, 2]), 4).data())]).toEqual([2, 2, 0, 0, 4, 4, 0, 0]);
      const x = f([10, 20, 30, 40, 50, 60], [2, 3]);
      // along axis 1: column 2 gets two values, column 0 one, values broadcast from [2, 1]
      const y = indexAdd(x, 1, ids([2, 0, 2]), f([1, 2], [2, 1]));
      expect([...(await y.data())]).toEqual([11, 20, 32, 42, 50, 64]);
    });

    it('gives each of many backward passes the gradient of its own picks (the pooled zeros stay clean)', async () => {
      const rows = 3000;
      const W = f(
        table([rows, 30], ([r, c]) => (r % 7) - c),
        [rows, 30],
        true,
      );
      const g = new Generator(7);
      for (let step = 0; step < 6; step++) {
        const picked = Array.from({ length: 12 }, () => g.int(step % 2 === 0 ? rows : 5));
        tidy(() => sum(mul(embedding(W, ids(picked, [3, 4])), 2)).backward());
        const grad = await W.grad!.data();
        const count = new Map<number, number>();
        for (const r of picked) count.set(r, (count.get(r) ?? 0) + 1);
        const nonZero: number[] = [];
        grad.forEach((v, i) => {
          if (v !== 0) nonZero.push(i);
        });
        expect(nonZero.length).toBe(count.size * 30);
        for (const [r, n] of count) expect(grad[r * 30 + 7]).toBe(2 * n);
        W.zeroGrad();
      }
      W.dispose();
    });

    it('looks up the book’s Embedding layer for ids of any shape', () => {
      const layer = new Embedding(10, 4, { seed: 1, backend: on });
      expect(layer.call(ids([1, 9, 1, 0, 2, 3], [2, 3])).shape).toEqual([2, 3, 4]);
      expect(layer.call(ids([5], [])).shape).toEqual([4]);
    });
  });
});

interface ErrorCase {
  readonly name: string;
  readonly type: new (...args: never[]) => GraphgradError;
  readonly call: (f: (shape: number[]) => Tensor, i: (values: number[], shape?: number[]) => Tensor) => unknown;
  readonly message: string;
}

const ERRORS: readonly ErrorCase[] = [
  {
    name: 'matmul: inner sizes differ',
    type: ShapeError,
    call: (f) => matmul(f([2, 3, 4]), f([2, 5, 6])),
    message: 'matmul: cannot multiply [2,3,4] by [2,5,6]',
  },
  {
    name: 'matmul: inner sizes differ under a transpose',
    type: ShapeError,
    call: (f) => matmul(f([2, 3, 4]), f([6, 5]), { transposeB: true }),
    message: 'matmul: cannot multiply [2,3,4] by [6,5]ᵀ',
  },
  {
    name: 'matmul: vectors of different lengths',
    type: ShapeError,
    call: (f) => matmul(f([3]), f([4])),
    message: 'matmul: cannot multiply [3] by [4]',
  },
  {
    name: 'matmul: batch axes that do not broadcast',
    type: ShapeError,
    call: (f) => matmul(f([2, 3, 4]), f([3, 4, 5])),
    message: 'matmul: batch axes [2] of [2,3,4] and [3] of [3,4,5] do not broadcast',
  },
  {
    name: 'matmul: a scalar',
    type: ShapeError,
    call: (f) => matmul(f([]), f([3])),
    message: 'matmul: needs tensors of at least one axis, got [] and [3]',
  },
  {
    name: 'gather: float indices',
    type: DTypeError,
    call: (f) => gather(f([3, 2]), f([2]), 1),
    message: 'gather: indices must be int32, got float32',
  },
  {
    name: 'gather: an index out of range along axis 1',
    type: ShapeError,
    call: (f, i) => gather(f([2, 3]), i([0, 3]), 1),
    message: 'gather: index 3 is outside the 3 entries along axis 1 of [2,3]',
  },
  {
    name: 'gather: a negative index',
    type: ShapeError,
    call: (f, i) => gather(f([3, 2]), i([-1, 0])),
    message: 'gather: index -1 is outside the 3 rows of [3,2]',
  },
  {
    name: 'gather: an axis out of range',
    type: AxisError,
    call: (f, i) => gather(f([3, 2]), i([0]), 2),
    message: 'gather: axis 2 is out of range for a tensor of rank 2',
  },
  {
    name: 'segmentSum: values that do not hold the indices',
    type: ShapeError,
    call: (f, i) => segmentSum(f([2, 5, 3]), i([0, 1, 1, 0]), 3, 1),
    message: 'segmentSum: values [2,5,3] must hold indices [4] from axis 1, got [5] there',
  },
  {
    name: 'segmentSum: an index out of range',
    type: ShapeError,
    call: (f, i) => segmentSum(f([3, 2]), i([0, 4, 1]), 4),
    message: 'segmentSum: index 4 is outside [0, 4)',
  },
  {
    name: 'segmentSum: a size that is not a count',
    type: ArgumentError,
    call: (f, i) => segmentSum(f([3, 2]), i([0, 1, 1]), 2.5),
    message: 'segmentSum: size must be an integer in [0, 2147483647], got 2.5',
  },
  {
    name: 'segmentSum: an axis out of range',
    type: AxisError,
    call: (f, i) => segmentSum(f([3, 2]), i([0, 1, 1]), 2, 2),
    message: 'segmentSum: axis 2 is out of range for a tensor of rank 2',
  },
  {
    name: 'indexAdd: values of the wrong shape',
    type: ShapeError,
    call: (f, i) => indexAdd(f([4, 3]), 0, i([0, 2]), f([3, 3])),
    message: 'indexAdd: values [3,3] do not fit indices [2] along axis 0 of x [4,3] (expected [2,3])',
  },
  {
    name: 'indexAdd: an index out of range',
    type: ShapeError,
    call: (f, i) => indexAdd(f([4, 3]), 1, i([3]), f([4, 1])),
    message: 'indexAdd: index 3 is outside the 3 entries along axis 1 of [4,3]',
  },
  {
    name: 'indexAdd: int32 values',
    type: DTypeError,
    call: (f, i) => indexAdd(f([4, 3]), 0, i([1]), i([1, 2, 3], [1, 3])),
    message: "indexAdd: input 'values' is int32; indexAdd needs float32 or float64",
  },
  {
    name: 'embedding: weights that are not a table',
    type: ShapeError,
    call: (f, i) => embedding(f([2, 3, 4]), i([0])),
    message: 'embedding: weights must be [vocabulary, dim], got [2,3,4]',
  },
  {
    name: 'embedding: an id outside the vocabulary',
    type: ShapeError,
    call: (f, i) => embedding(f([10, 4]), i([3, 10], [1, 2])),
    message: 'embedding: id 10 is outside the vocabulary of 10 rows',
  },
  {
    name: 'embedding: float ids',
    type: DTypeError,
    call: (f) => embedding(f([10, 4]), f([2])),
    message: 'embedding: ids must be int32, got float32',
  },
];

describe.each(backends)('errors of batched matmul, gather and scatter-add on $name', ({ backend, reason }) => {
  const on = backend as Backend;
  it.skipIf(reason !== null).each(ERRORS)('$type.name: $name', ({ type, call, message }) => {
    let seed = 0;
    const start = on.liveBuffers();
    const inputs: Tensor[] = [];
    // the buffers live once the last input is made: the refused call must add none
    let before = -1;
    const made = (t: Tensor): Tensor => {
      inputs.push(t);
      before = on.liveBuffers();
      return t;
    };
    const f = (shape: number[]): Tensor => made(tensor(smallInts(sizeOf(shape), ++seed), { shape, backend: on }));
    const i = (values: number[], shape = [values.length]): Tensor =>
      made(tensor(values, { shape, dtype: 'int32', backend: on }));
    let thrown: unknown;
    try {
      call(f, i);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(type);
    expect((thrown as Error).message).toBe(message);
    expect(on.liveBuffers()).toBe(before);
    // and nothing the call made holds on to the inputs' buffers
    for (const t of inputs) t.dispose();
    expect(on.liveBuffers()).toBe(start);
  });
});

describe('the TSDoc examples, as written', () => {
  it('matmul', () => {
    const x = randn([30, 2], { seed: 1 });
    const W = randn([2, 10], { seed: 2 });
    const dy = randn([30, 10], { seed: 3 });
    expect(matmul(x, W).shape).toEqual([30, 10]); // [N, I]·[I, H] -> [N, H]
    expect(matmul(dy, W, { transposeB: true }).shape).toEqual([30, 2]); // dy·Wᵀ
    const h = randn([4, 5, 8], { seed: 4 });
    expect(matmul(h, randn([8, 12], { seed: 5 })).shape).toEqual([4, 5, 12]); // [B, T, H]·[H, V] -> [B, T, V]
    const [q, k] = [randn([2, 3, 5, 4], { seed: 6 }), randn([2, 3, 5, 4], { seed: 7 })];
    expect(matmul(q, k, { transposeB: true }).shape).toEqual([2, 3, 5, 5]); // [B, N, T, D]·[B, N, T, D]ᵀ -> [B, N, T, T]
  });

  it('gather, segmentSum, indexAdd, embedding and the Embedding layer', () => {
    const x = randn([8, 3], { seed: 1 });
    expect(values(gather(x, tensor([4, 0, 7], { dtype: 'int32' })))).toEqual([
      ...values(x).slice(12, 15),
      ...values(x).slice(0, 3),
      ...values(x).slice(21, 24),
    ]); // rows 4, 0 and 7
    expect(gather(x, tensor([[2, 0]], { dtype: 'int32' }), 1).shape).toEqual([8, 1, 2]); // [N, 1, 2]
    const ids = tensor([2, 0, 2], { dtype: 'int32' });
    expect(
      values(
        segmentSum(
          tensor([
            [1, 1],
            [2, 2],
            [3, 3],
          ]),
          ids,
          4,
        ),
      ),
    ).toEqual([2, 2, 0, 0, 4, 4, 0, 0]);
    expect(values(indexAdd(zeros([3, 2]), 0, tensor([0, 2, 0], { dtype: 'int32' }), ones([3, 2])))).toEqual([
      2, 2, 0, 0, 1, 1,
    ]);
    const W = randn([10000, 100], { std: 0.01, requiresGrad: true });
    expect(embedding(W, tensor([[3, 9, 3]], { dtype: 'int32' })).shape).toEqual([1, 3, 100]);
    const embed = new Embedding(10000, 100, { seed: 1 });
    expect(embed.call(tensor([[12, 7, 7]], { dtype: 'int32' })).shape).toEqual([1, 3, 100]);
  });
});
