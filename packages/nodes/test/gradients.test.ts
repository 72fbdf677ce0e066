// Every node's gradient rule against central differences (gradCheck), over random shapes (size-1
// axes, broadcasting pairs, scalars) and random float64 values, driven by the exported arbitraries.
// The cases live in gradient-cases/, one file per family of nodes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AddNode,
  AliasNode,
  BroadcastToNode,
  gradCheck,
  SumToNode,
  tensor,
  type NodeKind,
  type Tensor,
} from '@graphgrad/core';
import { argmax, greater, mul, oneHot, sum } from '../src/index.ts';
import * as nodeModule from '../src/index.ts';
import { CASES, NON_DIFFERENTIABLE } from './gradient-cases/index.ts';

const NUM_RUNS = 40;

// The node kinds of @graphgrad/nodes, and those of core that the engine records itself.
const nodes = { ...nodeModule, AddNode, AliasNode, BroadcastToNode, SumToNode };

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
      .filter((name) => !covered.has(name) && !NON_DIFFERENTIABLE.includes(name));
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
      const spec = (nodes as unknown as Record<string, NodeKind<unknown>>)[name].spec;
      expect(
        spec.differentiable?.every((d) => d === false),
        name,
      ).toBe(true);
      expect(
        spec.backward({ inputs: [], outputs: [], attrs: undefined, needsGrad: () => false }).every((g) => g === null),
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
