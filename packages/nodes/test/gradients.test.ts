// Every node's gradient rule against central differences (gradCheck), over random shapes (size-1
// axes, broadcasting pairs, scalars) and random float64 values, driven by the exported arbitraries.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraries } from '@graphgrad/core/testing';
import {
  AddNode,
  AliasNode,
  broadcastsTo,
  broadcastTo,
  BroadcastToNode,
  gradCheck,
  sizeOf,
  sumTo,
  SumToNode,
  tensor,
  type Shape,
  type Tensor,
} from '@graphgrad/core';

// The node kinds of @graphgrad/nodes, and those of core that the engine records itself.
const nodes = { ...nodeModule, AddNode, AliasNode, BroadcastToNode, SumToNode };
import {
  abs,
  add,
  argmax,
  branch,
  cast,
  div,
  exp,
  gather,
  greater,
  log,
  matmul,
  mean,
  mul,
  neg,
  oneHot,
  repeat,
  reshape,
  sigmoid,
  softmax,
  softmaxWithLoss,
  sqrt,
  sub,
  sum,
  tanh,
  transpose,
} from '../src/index.ts';
import * as nodeModule from '../src/index.ts';

const NUM_RUNS = 40;

/** One random application of a node: the function gradCheck differentiates and its inputs. */
interface Instance {
  readonly fn: (...inputs: Tensor[]) => Tensor;
  readonly inputs: readonly Tensor[];
  readonly label: string;
}

/** A gradient case: which node export it exercises and how to draw applications of it. */
interface GradientCase {
  readonly name: string;
  /** The `XxxNode` export of @graphgrad/nodes this case goes through (null for a mix of nodes). */
  readonly node: string | null;
  readonly instance: fc.Arbitrary<Instance>;
}

const show = (s: Shape): string => `[${s.join(',')}]`;

function instance(label: string, fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[]): Instance {
  // fast-check prints counterexamples with this, instead of dumping tensor internals.
  return { fn, inputs, label, [fc.toStringMethod]: () => label } as Instance;
}

const SMOOTH = { min: -2, max: 2 };
// log, sqrt and the divisor of div stay on positive values away from 0, where they are smooth.
const POSITIVE = { min: 0.25, max: 3 };

/** A float64 tensor of `shape` whose values are at least 0.1 away from 0 (abs has a kink there). */
function awayFromZero(shape: Shape): fc.Arbitrary<Tensor> {
  const n = sizeOf(shape);
  return fc
    .tuple(arbitraries.values(n, { min: 0.1, max: 2 }), fc.array(fc.boolean(), { minLength: n, maxLength: n }))
    .map(([v, signs]) =>
      tensor(
        v.map((x, i) => (signs[i] ? -x : x)),
        { shape, dtype: 'float64' },
      ),
    );
}

function unary(name: string, node: string, fn: (x: Tensor) => Tensor, values = SMOOTH): GradientCase {
  return {
    name,
    node,
    instance: arbitraries
      .tensorOf(arbitraries.shape(), values)
      .map((x) => instance(`${name} ${show(x.shape)}`, fn, [x])),
  };
}

/** Binary nodes over pairs of shapes that broadcast (same shapes, size-1 axes, dropped axes, scalars). */
function binary(name: string, node: string, fn: (a: Tensor, b: Tensor) => Tensor, bValues = SMOOTH): GradientCase {
  return {
    name,
    node,
    instance: arbitraries
      .broadcastPair()
      .chain(([sa, sb]) => fc.tuple(arbitraries.tensorOf(sa, SMOOTH), arbitraries.tensorOf(sb, bValues)))
      .map(([a, b]) => instance(`${name} ${show(a.shape)} ${show(b.shape)}`, fn, [a, b])),
  };
}

function matmulCase(transposeA: boolean, transposeB: boolean): GradientCase {
  const name = `matmul transposeA=${transposeA} transposeB=${transposeB}`;
  return {
    name,
    node: 'MatMulNode',
    instance: arbitraries
      .matmulShapes()
      .chain(([[m, k], [, n]]) =>
        fc.tuple(
          arbitraries.tensorOf(transposeA ? [k, m] : [m, k], SMOOTH),
          arbitraries.tensorOf(transposeB ? [n, k] : [k, n], SMOOTH),
        ),
      )
      .map(([a, b]) =>
        instance(`${name} ${show(a.shape)} ${show(b.shape)}`, (x, y) => matmul(x, y, { transposeA, transposeB }), [
          a,
          b,
        ]),
      ),
  };
}

/** A random set of axes of a rank-`rank` tensor, some written negative, or undefined (every axis). */
function axesOf(rank: number): fc.Arbitrary<number[] | number | undefined> {
  const axes = Array.from({ length: rank }, (_, i) => i);
  return fc.oneof(
    fc.constant(undefined),
    fc
      .subarray(axes)
      .chain((list) =>
        fc
          .array(fc.boolean(), { minLength: list.length, maxLength: list.length })
          .map((negative) => list.map((a, i) => (negative[i] ? a - rank : a))),
      ),
    ...(rank > 0 ? [fc.integer({ min: -rank, max: rank - 1 })] : []),
  );
}

function reduction(
  name: string,
  node: string,
  fn: (x: Tensor, axes: number[] | number | undefined, keepDims: boolean) => Tensor,
): GradientCase {
  return {
    name,
    node,
    instance: arbitraries
      .shape()
      .chain((s) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), axesOf(s.length), fc.boolean()))
      .map(([x, axes, keepDims]) =>
        instance(
          `${name} ${show(x.shape)} axes=${JSON.stringify(axes)} keepDims=${keepDims}`,
          (t) => fn(t, axes, keepDims),
          [x],
        ),
      ),
  };
}

/** A shape of rank ≥ 1 and an axis of it (possibly negative). */
const shapeAndAxis = arbitraries
  .shape({ minRank: 1 })
  .chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 })));

/** Shapes of the same size as `s`: flat, reversed, padded with 1s, or with one length inferred (-1). */
function reshapeTargets(s: Shape): fc.Arbitrary<number[]> {
  const n = sizeOf(s);
  return fc.oneof<fc.Arbitrary<number[]>[]>(
    fc.constant([n]),
    fc.constant([-1]),
    fc.constant([...s].reverse()),
    fc.constant([1, ...s, 1]),
    s.length === 0
      ? fc.constant([1, 1])
      : fc.integer({ min: 0, max: s.length - 1 }).map((i) => s.map((d, j) => (i === j ? -1 : d))),
  );
}

const int32 = (values: number[], shape: Shape): Tensor => tensor(values, { shape, dtype: 'int32' });

/** Logits [..., C] (rank 2 or 3) with int32 class indices or one-hot float64 rows. */
function softmaxWithLossCase(targets: 'indices' | 'one-hot'): GradientCase {
  const name = `softmaxWithLoss (${targets})`;
  return {
    name,
    node: 'SoftmaxWithLossNode',
    instance: fc
      .tuple(arbitraries.shape({ minRank: 1, maxRank: 2 }), fc.integer({ min: 1, max: 5 }))
      .chain(([rows, classes]) =>
        fc.tuple(
          arbitraries.tensorOf([...rows, classes], { min: -3, max: 3 }),
          fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: sizeOf(rows), maxLength: sizeOf(rows) }),
        ),
      )
      .map(([logits, labels]) => {
        const rows = logits.shape.slice(0, -1);
        const classes = logits.shape[logits.rank - 1];
        const indices = int32(labels, rows);
        const target = targets === 'indices' ? indices : oneHot(indices, classes, 'float64');
        return instance(
          `${name} logits ${show(logits.shape)} labels ${JSON.stringify(labels)}`,
          (a) => softmaxWithLoss(a, target),
          [logits],
        );
      }),
  };
}

/** One stage of a composite: a node applied so that its output is often a strided view. */
type Stage = { readonly label: string; readonly apply: (x: Tensor) => Tensor };

function stage(s: Shape): fc.Arbitrary<Stage> {
  const rank = s.length;
  const axis = rank > 0 ? fc.integer({ min: -rank, max: rank - 1 }) : fc.constant(undefined);
  return fc.oneof(
    fc
      .shuffledSubarray(
        s.map((_, i) => i),
        { minLength: rank, maxLength: rank },
      )
      .map((perm) => ({ label: `transpose${JSON.stringify(perm)}`, apply: (x: Tensor) => transpose(x, perm) })),
    fc
      .integer({ min: 1, max: 3 })
      .map((n) => ({ label: `broadcastTo[${n},...]`, apply: (x: Tensor) => broadcastTo(x, [n, ...x.shape]) })),
    fc.constant({ label: 'tanh', apply: tanh }),
    fc.constant({ label: 'x·x', apply: (x: Tensor) => mul(x, x) }),
    fc.constant({ label: 'reshape[-1]', apply: (x: Tensor) => reshape(x, [-1]) }),
    axis.map((a) => ({ label: `sum(${a}, keepDims)`, apply: (x: Tensor) => sum(x, a, true) })),
    ...(rank > 0
      ? [
          axis.map((a) => ({ label: `softmax(${a})`, apply: (x: Tensor) => softmax(x, a) })),
          axis.map((a) => ({ label: `repeat(${a}, 2)`, apply: (x: Tensor) => repeat(x, a!, 2) })),
        ]
      : []),
  );
}

/** Chains of two or three stages, each drawn for the shape the previous one produced. */
const composite: fc.Arbitrary<Instance> = arbitraries.shape({ maxDim: 3 }).chain((s) =>
  arbitraries.tensorOf(s, SMOOTH).chain((x) => {
    const grow = (stages: Stage[], probe: Tensor, left: number): fc.Arbitrary<Stage[]> =>
      left === 0
        ? fc.constant(stages)
        : stage(probe.shape).chain((next) => grow([...stages, next], next.apply(probe), left - 1));
    return fc
      .integer({ min: 2, max: 3 })
      .chain((n) => grow([], x, n))
      .map((stages) =>
        instance(
          `composite ${show(x.shape)}: ${stages.map((st) => st.label).join(' -> ')}`,
          (t) => stages.reduce((h, st) => st.apply(h), t),
          [x],
        ),
      );
  }),
);

const CASES: readonly GradientCase[] = [
  binary('add', 'AddNode', add),
  unary('add (number operand)', 'AddNode', (x) => add(x, 3)),
  binary('sub', 'SubNode', sub),
  unary('sub (number operand)', 'SubNode', (x) => sub(1, x)),
  binary('mul', 'MulNode', mul),
  unary('mul (self)', 'MulNode', (x) => mul(x, x)),
  binary('div', 'DivNode', div, POSITIVE),
  unary('div (number numerator)', 'DivNode', (x) => div(1, x), POSITIVE),
  unary('neg', 'NegNode', neg),
  unary('alias (a second handle on the same values)', 'AliasNode', (x) => AliasNode.apply([x])),
  unary('exp', 'ExpNode', exp),
  unary('log', 'LogNode', log, POSITIVE),
  unary('sqrt', 'SqrtNode', sqrt, POSITIVE),
  unary('sigmoid', 'SigmoidNode', sigmoid, { min: -4, max: 4 }),
  unary('tanh', 'TanhNode', tanh),
  {
    name: 'abs',
    node: 'AbsNode',
    instance: arbitraries
      .shape()
      .chain(awayFromZero)
      .map((x) => instance(`abs ${show(x.shape)}`, abs, [x])),
  },
  matmulCase(false, false),
  matmulCase(true, false),
  matmulCase(false, true),
  matmulCase(true, true),
  reduction('sum', 'SumNode', sum),
  reduction('mean', 'SumNode', mean),
  {
    name: 'repeat',
    node: 'RepeatNode',
    instance: shapeAndAxis
      .chain(([s, axis]) =>
        fc.tuple(arbitraries.tensorOf(s, SMOOTH), fc.constant(axis), fc.integer({ min: 0, max: 3 })),
      )
      .map(([x, axis, times]) =>
        instance(`repeat ${show(x.shape)} axis=${axis} times=${times}`, (t) => repeat(t, axis, times), [x]),
      ),
  },
  {
    name: 'broadcastTo',
    node: 'BroadcastToNode',
    instance: arbitraries
      .broadcastPair()
      .map(([a, b]) => (broadcastsTo(a, b) ? [a, b] : [b, a]))
      .chain(([from, to]) =>
        arbitraries
          .tensorOf(from, SMOOTH)
          .map((x) => instance(`broadcastTo ${show(from)} -> ${show(to)}`, (t) => broadcastTo(t, to), [x])),
      ),
  },
  {
    name: 'sumTo',
    node: 'SumToNode',
    instance: arbitraries
      .broadcastPair()
      .map(([a, b]) => (broadcastsTo(a, b) ? [a, b] : [b, a]))
      .chain(([to, from]) =>
        arbitraries
          .tensorOf(from, SMOOTH)
          .map((x) => instance(`sumTo ${show(from)} -> ${show(to)}`, (t) => sumTo(t, to), [x])),
      ),
  },
  {
    name: 'branch',
    node: 'BranchNode',
    // Each copy feeds a different function, and copies past `used` are left unused (zero gradient).
    instance: fc
      .tuple(arbitraries.shape(), fc.integer({ min: 1, max: 4 }))
      .chain(([s, n]) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), fc.constant(n), fc.integer({ min: 1, max: n })))
      .map(([x, n, used]) =>
        instance(
          `branch ${show(x.shape)} n=${n} used=${used}`,
          (t) => {
            const copies = branch(t, n).slice(0, used);
            return copies.reduce((total, c, i) => add(total, mul(c, i + 2)), mul(copies[0], copies[0]));
          },
          [x],
        ),
      ),
  },
  {
    name: 'reshape',
    node: 'ReshapeNode',
    instance: arbitraries
      .shape()
      .chain((s) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), reshapeTargets(s)))
      .map(([x, to]) => instance(`reshape ${show(x.shape)} -> ${show(to)}`, (t) => reshape(t, to), [x])),
  },
  {
    name: 'transpose',
    node: 'TransposeNode',
    instance: arbitraries
      .shape({ maxRank: 4 })
      .chain((s) =>
        fc.tuple(
          arbitraries.tensorOf(s, SMOOTH),
          fc.option(
            fc.shuffledSubarray(
              s.map((_, i) => i),
              { minLength: s.length, maxLength: s.length },
            ),
            { nil: undefined },
          ),
        ),
      )
      .map(([x, perm]) =>
        instance(`transpose ${show(x.shape)} perm=${JSON.stringify(perm)}`, (t) => transpose(t, perm), [x]),
      ),
  },
  {
    name: 'softmax',
    node: 'SoftmaxNode',
    instance: shapeAndAxis
      .chain(([s, axis]) => fc.tuple(arbitraries.tensorOf(s, SMOOTH), fc.constant(axis)))
      .map(([x, axis]) => instance(`softmax ${show(x.shape)} axis=${axis}`, (t) => softmax(t, axis), [x])),
  },
  softmaxWithLossCase('indices'),
  softmaxWithLossCase('one-hot'),
  {
    name: 'gather',
    node: 'GatherNode',
    // Indices repeat rows on purpose: their gradients must add up.
    instance: fc
      .tuple(arbitraries.shape({ minRank: 1 }), arbitraries.shape({ maxRank: 2 }))
      .chain(([s, indexShape]) =>
        fc.tuple(
          arbitraries.tensorOf(s, SMOOTH),
          fc.constant(indexShape),
          fc.array(fc.integer({ min: 0, max: s[0] - 1 }), {
            minLength: sizeOf(indexShape),
            maxLength: sizeOf(indexShape),
          }),
        ),
      )
      .map(([x, indexShape, picks]) => {
        const indices = int32(picks, indexShape);
        return instance(
          `gather ${show(x.shape)} indices ${JSON.stringify(picks)} ${show(indexShape)}`,
          (t) => gather(t, indices),
          [x],
        );
      }),
  },
  unary('cast float64 -> float64', 'CastNode', (x) => cast(x, 'float64')),
  // Gradients through strided views (transposes, broadcasts) handed from node to node.
  { name: 'composite chains', node: null, instance: composite },
];

/** Node kinds that carry no gradient by design. */
const NON_DIFFERENTIABLE = ['GreaterNode', 'ArgMaxNode', 'OneHotNode'] as const;

describe('gradient of every node matches central differences (float64)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      await fc.assert(
        fc.asyncProperty(c.instance, async ({ fn, inputs }) => {
          const result = await gradCheck(fn, inputs);
          expect(result.passed, result.message).toBe(true);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  }
});

/** The node kinds recorded in the graph behind `out` (walked before any backward frees it). */
function kindsInGraph(out: Tensor): Set<string> {
  const kinds = new Set<string>();
  const stack = [out];
  const seen = new Set<Tensor>();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t) || t.origin === null) continue;
    seen.add(t);
    kinds.add(t.origin.node.kind);
    stack.push(...(t.origin.node.inputs ?? []));
  }
  return kinds;
}

const nodeExports = Object.entries(nodes).filter(([name]) => /^[A-Z]\w*Node$/.test(name)) as [
  string,
  { spec: { kind: string } },
][];

describe('coverage of the gradient table', () => {
  it('finds the node kinds exported by @graphgrad/nodes and core', () => {
    expect(nodeExports.length).toBeGreaterThanOrEqual(25);
    for (const [, kind] of nodeExports) expect(typeof kind.spec.kind).toBe('string');
  });

  it('has a gradient case for every differentiable XxxNode export', () => {
    const covered = new Set(CASES.map((c) => c.node));
    const missing = nodeExports
      .map(([name]) => name)
      .filter((name) => !covered.has(name) && !(NON_DIFFERENTIABLE as readonly string[]).includes(name));
    expect(missing).toEqual([]);
  });

  it('names only real node exports in the table', () => {
    const exported = new Set(nodeExports.map(([name]) => name));
    expect(CASES.flatMap((c) => (c.node === null ? [] : [c.node])).filter((n) => !exported.has(n))).toEqual([]);
    expect(NON_DIFFERENTIABLE.filter((n) => !exported.has(n))).toEqual([]);
  });

  it('each case really records the node it claims to check', () => {
    for (const c of CASES) {
      if (c.node === null) continue;
      const kind = (nodes as unknown as Record<string, { spec: { kind: string } }>)[c.node].spec.kind;
      // Some draws can skip the node (sumTo to the same shape); a handful of draws must hit it.
      const hit = fc.sample(c.instance, { numRuns: 10, seed: 1 }).some(({ fn, inputs }) => {
        const leaves = inputs.map((x) =>
          tensor(x.dataSync(), { shape: x.shape, dtype: 'float64', requiresGrad: true }),
        );
        return kindsInGraph(fn(...leaves)).has(kind);
      });
      expect(hit, `${c.name} never recorded a ${kind} node`).toBe(true);
    }
  });
});

describe('the non-differentiable nodes produce no gradient', () => {
  const x = tensor(
    [
      [-1.5, 0.5, 2],
      [3, -0.25, 1],
    ],
    { dtype: 'float64', requiresGrad: true },
  );

  it('declares every input non-differentiable and its rule returns null', () => {
    for (const name of NON_DIFFERENTIABLE) {
      const spec = nodes[name].spec;
      expect(
        spec.differentiable?.every((d) => d === false),
        name,
      ).toBe(true);
      expect(
        spec
          .backward({ inputs: [], outputs: [], attrs: undefined as never, needsGrad: () => false })
          .every((g) => g === null),
        name,
      ).toBe(true);
    }
  });

  it('GreaterNode: the mask is a constant, no node is recorded and the gradient passes around it', async () => {
    const mask = greater(x, 0);
    expect(mask.requiresGrad).toBe(false);
    expect(mask.origin).toBeNull();
    const y = sum(mul(x, mask));
    y.backward();
    // d/dx Σ x·[x > 0] = [x > 0]: only the Mul's rule contributes.
    expect(Array.from(await x.grad!.data())).toEqual([0, 1, 1, 1, 0, 1]);
    x.zeroGrad();
  });

  it('ArgMaxNode: int32 indices with no graph behind them', () => {
    const i = argmax(x);
    expect(i.dtype).toBe('int32');
    expect(i.requiresGrad).toBe(false);
    expect(i.origin).toBeNull();
  });

  it('OneHotNode: float rows with no graph behind them', () => {
    const rows = oneHot(argmax(x), 3, 'float64');
    expect(rows.requiresGrad).toBe(false);
    expect(rows.origin).toBeNull();
    expect(kindsInGraph(mul(x, rows))).toEqual(new Set(['Mul']));
  });
});
