// Errors are part of the API: every error class is provoked here, caught by type, and its message
// names the operation, the input and what was expected versus given.
import { describe, expect, it } from 'vitest';
import * as errorModule from '@graphgrad/core';
import {
  AnomalyError,
  ArgumentError,
  assertGradCheck,
  AxisError,
  BackendError,
  cpuBackend,
  defineNode,
  detectAnomaly,
  DisposedTensorError,
  DTypeError,
  GradCheckError,
  GradientRuleError,
  ModifiedInPlaceError,
  GraphFreedError,
  GraphgradError,
  NonFiniteSeedError,
  randn,
  SeedGradientError,
  setBackend,
  ShapeError,
  tensor,
  type Tensor,
} from '../src/index.ts';
import {
  add,
  argmax,
  branch,
  broadcastTo,
  cast,
  exp,
  gather,
  matmul,
  mean,
  mul,
  oneHot,
  repeat,
  reshape,
  softmax,
  softmaxWithLoss,
  sum,
  transpose,
} from '../src/index.ts';

const f32 = (shape: number[]): Tensor => randn(shape, { seed: 1 });
const f64 = (shape: number[], requiresGrad = false): Tensor =>
  randn(shape, { seed: 1, dtype: 'float64', requiresGrad });
const int32 = (values: number[]): Tensor => tensor(values, { dtype: 'int32' });

/** Runs `fn` and returns what it threw (failing the test when it throws nothing). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('ShapeError: the node and both shapes are in the message', () => {
  it('matmul: cannot multiply [30,2] by [3,10]', () => {
    const error = thrown(() => matmul(f32([30, 2]), f32([3, 10])));
    expect(error).toBeInstanceOf(ShapeError);
    expect(error).toBeInstanceOf(GraphgradError);
    expect(error.name).toBe('ShapeError');
    expect(error.message).toBe('matmul: cannot multiply [30,2] by [3,10]');
  });

  it('matmul marks transposed operands and refuses non-matrices', () => {
    expect(() => matmul(f32([2, 3]), f32([2, 3]), { transposeB: true })).not.toThrow();
    expect(() => matmul(f32([3, 2]), f32([3, 4]), { transposeA: false })).toThrow(
      'matmul: cannot multiply [3,2] by [3,4]',
    );
    expect(() => matmul(f32([2, 3]), f32([2, 4]), { transposeA: false, transposeB: true })).toThrow(
      'matmul: cannot multiply [2,3] by [2,4]ᵀ',
    );
    expect(() => matmul(f32([2, 3]), f32([2, 4]), { transposeA: true, transposeB: true })).toThrow(
      'matmul: cannot multiply [2,3]ᵀ by [2,4]ᵀ',
    );
    expect(() => matmul(f32([2, 3, 4]), f32([5, 4, 2]))).toThrow(
      'matmul: batch axes [2] of [2,3,4] and [5] of [5,4,2] do not broadcast',
    );
  });

  it('binary nodes: cannot broadcast', () => {
    expect(() => add(f32([2, 3]), f32([4]))).toThrow(ShapeError);
    expect(() => add(f32([2, 3]), f32([4]))).toThrow('add: cannot broadcast [2,3] with [4]');
    expect(() => mul(f32([5, 1, 3]), f32([2, 2]))).toThrow('mul: cannot broadcast [5,1,3] with [2,2]');
  });

  it('reshape, broadcastTo, softmaxWithLoss and gather', () => {
    expect(() => reshape(f32([2, 3]), [4, 2])).toThrow('reshape: cannot reshape [2,3] (6 elements) into [4,2]');
    expect(() => reshape(f32([2, 3]), [4, -1])).toThrow(ShapeError);
    expect(() => broadcastTo(f32([2, 3]), [3, 3])).toThrow('broadcastTo: cannot broadcast [2,3] to [3,3]');
    expect(() => softmaxWithLoss(f32([4, 3]), int32([0, 1, 2]))).toThrow(
      'softmaxWithLoss: class indices [3] do not match logits [4,3] (expected [4])',
    );
    expect(() => softmaxWithLoss(f32([4, 3]), f32([4, 2]))).toThrow(
      'softmaxWithLoss: target [4,2] does not match logits [4,3]',
    );
    expect(() => softmaxWithLoss(f32([3]), int32([0]))).toThrow(ShapeError);
    expect(() => gather(f32([3, 2]), int32([0, 3]))).toThrow('gather: index 3 is outside the 3 rows of [3,2]');
  });

  it('item() of a tensor with several elements', () => {
    expect(() => f32([2]).itemSync()).toThrow('itemSync: needs a tensor of one element, got [2]');
  });
});

describe('AxisError: an axis outside [-rank, rank), or repeated', () => {
  it.each([
    ['sum', () => sum(f32([2, 3]), 2), 'sum: axis 2 is out of range for a tensor of rank 2'],
    ['sum (negative)', () => sum(f32([2, 3]), -3), 'sum: axis -3 is out of range for a tensor of rank 2'],
    ['mean', () => mean(f32([2, 3]), [0, 5]), 'mean: axis 5 is out of range for a tensor of rank 2'],
    ['softmax', () => softmax(f32([2, 3]), 2), 'softmax: axis 2 is out of range for a tensor of rank 2'],
    ['repeat', () => repeat(f32([2, 3]), 3, 2), 'repeat: axis 3 is out of range for a tensor of rank 2'],
    ['argmax', () => argmax(f32([4]), 1), 'argmax: axis 1 is out of range for a tensor of rank 1'],
    ['sum (repeated)', () => sum(f32([2, 3]), [1, -1]), 'sum: axes [1,-1] repeat an axis'],
    ['sum (not an integer)', () => sum(f32([2, 3]), 0.5), 'sum: an axis is an integer, got 0.5'],
  ])('%s', (_name, provoke, message) => {
    const error = thrown(provoke);
    expect(error).toBeInstanceOf(AxisError);
    expect(error.message).toBe(message);
  });
});

describe('DTypeError: mixed dtypes, or an int32 where floats are needed', () => {
  it.each([
    ['add float32 + float64', () => add(f32([2]), f64([2])), 'add: dtypes differ: a is float32, b is float64'],
    [
      'matmul float64 · float32',
      () => matmul(f64([2, 2]), f32([2, 2])),
      'matmul: dtypes differ: a is float64, b is float32',
    ],
    ['sum of int32', () => sum(int32([1, 2])), "sum: input 'x' is int32; sum needs float32 or float64"],
    ['exp of int32', () => exp(int32([1, 2])), "exp: input 'x' is int32; exp needs float32 or float64"],
    ['mul with int32', () => mul(f32([2]), int32([1, 2])), "mul: input 'b' is int32; mul needs float32 or float64"],
    [
      'softmaxWithLoss float64 target for float32 logits',
      () => softmaxWithLoss(f32([2, 3]), f64([2, 3])),
      'softmaxWithLoss: target is float64, logits are float32; pass int32 indices or float32 probabilities',
    ],
    ['gather with float indices', () => gather(f32([3, 2]), f32([2])), 'gather: indices must be int32, got float32'],
    ['oneHot of floats', () => oneHot(f32([2]), 3), 'oneHot: indices must be int32, got float32'],
    [
      'int32 requiring a gradient',
      () => tensor([1], { dtype: 'int32', requiresGrad: true }),
      /int32 tensor cannot require a gradient/,
    ],
  ])('%s', (_name, provoke, message) => {
    const error = thrown(provoke);
    expect(error).toBeInstanceOf(DTypeError);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });
});

describe('BackendError: inputs on different backends', () => {
  const other = cpuBackend();
  const here = (): Tensor => f32([2, 2]);
  const there = (): Tensor => randn([2, 2], { seed: 1, backend: other });

  it('in a binary node, even when both backends are CPU backends', () => {
    const error = thrown(() => add(here(), there()));
    expect(error).toBeInstanceOf(BackendError);
    expect(error.message).toBe(
      'add: a is on the cpu backend, b on another cpu backend instance; move one with await t.to(backend)',
    );
    expect(() => matmul(there(), here())).toThrow(BackendError);
  });

  it('in any defineNode node, naming the node and its inputs', () => {
    const Pair = defineNode({
      kind: 'Pair',
      inputs: ['left', 'right'],
      forward: (k, [a, b]) => k.Add(a, b),
      backward: (_c, dy) => [dy, dy],
    });
    const error = thrown(() => Pair.apply([here(), there()], undefined));
    expect(error).toBeInstanceOf(BackendError);
    expect(error.message).toMatch(/^Pair: input 'right' is on another cpu backend instance, 'left' on the cpu backend/);
  });

  it('setBackend refuses what is not a backend', () => {
    expect(() => setBackend({} as never)).toThrow(BackendError);
    expect(() => setBackend({} as never)).toThrow(/setBackend: expected a Backend/);
  });
});

describe('GradientRuleError: a rule returning a gradient that does not fit its input', () => {
  it('names the node, the input and both shapes', () => {
    const BadShape = defineNode({
      kind: 'BadShape',
      inputs: ['x'],
      forward: (k, [x]) => k.Exp(x),
      backward: (_ctx, dy) => [sum(dy, 0)],
    });
    const x = f64([2, 3], true);
    const error = thrown(() => sum(BadShape.apply([x], undefined)).backward());
    expect(error).toBeInstanceOf(GradientRuleError);
    expect(error.message).toBe(
      "BadShape.backward: gradient of input 'x' is [3], which does not reduce to the input's [2,3]",
    );
  });

  it('names the second input when that one is wrong', () => {
    const BadSecond = defineNode({
      kind: 'BadSecond',
      inputs: ['a', 'b'],
      forward: (k, [a, b]) => k.Mul(a, b),
      backward: ({ inputs: [a] }, dy) => [mul(dy, a), transpose(dy)],
    });
    const error = thrown(() => sum(BadSecond.apply([f64([2, 3], true), f64([2, 3], true)], undefined)).backward());
    expect(error).toBeInstanceOf(GradientRuleError);
    expect(error.message).toBe(
      "BadSecond.backward: gradient of input 'b' is [3,2], which does not reduce to the input's [2,3]",
    );
  });

  it('a gradient of the wrong dtype', () => {
    const BadDType = defineNode({
      kind: 'BadDType',
      inputs: ['x'],
      forward: (k, [x]) => k.Exp(x),
      backward: (_ctx, dy) => [cast(dy, 'float32')],
    });
    const error = thrown(() => sum(BadDType.apply([f64([2], true)], undefined)).backward());
    expect(error).toBeInstanceOf(GradientRuleError);
    expect(error.message).toBe("BadDType.backward: gradient of input 'x' is float32, the input is float64");
  });

  it('accepts a gradient shaped like a broadcast of the input (the engine sums it back)', () => {
    const Wide = defineNode({
      kind: 'Wide',
      inputs: ['x'],
      forward: (k, [x]) => k.Reshape(x, x.shape),
      backward: ({ inputs: [x] }, dy) => [broadcastTo(dy, [3, ...x.shape])],
    });
    const x = f64([2], true);
    sum(Wide.apply([x], undefined)).backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([3, 3]);
  });
});

describe('ArgumentError: arguments that are not what the call accepts', () => {
  it.each([
    ['repeat times', () => repeat(f32([2]), 0, -1), 'repeat: times must be an integer in [0, 2147483647], got -1'],
    ['branch n', () => branch(f32([2]), 0), 'branch: n must be an integer in [1, 65536], got 0'],
    [
      'reshape two -1',
      () => reshape(f32([4]), [-1, -1]),
      'reshape: [-1,-1] is not a shape (non-negative integers and at most one -1)',
    ],
    ['transpose perm', () => transpose(f32([2, 3]), [0, 0]), 'transpose: [0,0] is not a permutation of the 2 axes'],
    ['oneHot index', () => oneHot(int32([0, 3]), 3), 'oneHot: class index 3 is outside [0, 3)'],
    [
      'softmaxWithLoss label',
      () => softmaxWithLoss(f32([2, 3]), int32([0, -1])),
      'softmaxWithLoss: class index -1 is outside [0, 3) for logits [2,3]',
    ],
    ['shape', () => randn([2, -1]), 'randn: a shape is a list of non-negative integers, got [2,-1]'],
  ])('%s', (_name, provoke, message) => {
    const error = thrown(provoke);
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toBe(message);
  });
});

describe('the other error classes', () => {
  it('DisposedTensorError', () => {
    const x = f32([2]);
    x.dispose();
    expect(() => exp(x)).toThrow(DisposedTensorError);
  });

  it('GraphFreedError', () => {
    const y = sum(mul(f64([2], true), 2));
    y.backward();
    expect(() => y.backward()).toThrow(GraphFreedError);
  });

  it('SeedGradientError and NonFiniteSeedError', () => {
    const y = mul(f64([2], true), 2);
    expect(() => y.backward()).toThrow(SeedGradientError);
    expect(() => y.backward(tensor([Number.NaN, 1], { dtype: 'float64' }))).toThrow(NonFiniteSeedError);
  });

  it('AnomalyError', () => {
    expect(() => detectAnomaly(() => exp(tensor([1e6], { dtype: 'float64' })))).toThrow(AnomalyError);
  });

  it('GradCheckError', async () => {
    const Wrong = defineNode({
      kind: 'Wrong',
      inputs: ['x'],
      forward: (k, [x]) => k.Exp(x),
      backward: (_c, dy) => [dy],
    });
    await expect(assertGradCheck((t) => sum(Wrong.apply([t], undefined)), [f64([3])])).rejects.toThrow(GradCheckError);
  });

  it('ModifiedInPlaceError', () => {
    const w = f64([2], true);
    const y = sum(mul(w, f64([2], true)));
    w.assign(f64([2]));
    expect(() => y.backward()).toThrow(ModifiedInPlaceError);
  });

  it('every error class of errors.ts is a GraphgradError with its own name, and is provoked above', () => {
    const provoked = [
      ModifiedInPlaceError,
      AnomalyError,
      ShapeError,
      AxisError,
      DTypeError,
      BackendError,
      GradientRuleError,
      ArgumentError,
      DisposedTensorError,
      GraphFreedError,
      SeedGradientError,
      NonFiniteSeedError,
      GradCheckError,
    ] as const;
    const declared = Object.entries({ ...errorModule, GradCheckError }).filter(
      ([, v]) => typeof v === 'function' && v.prototype instanceof GraphgradError,
    ) as [string, new (message: string) => Error][];
    expect(declared.map(([name]) => name).sort()).toEqual(provoked.map((c) => c.name).sort());
    for (const [name, ErrorClass] of declared) {
      const e = new ErrorClass('x');
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(name);
    }
  });
});
