import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gpuForTests } from '../../../gpu/test/gpu-for-tests.ts';
import * as nodes from '../../src/index.ts';
import { checkGradients, compareWithOracle } from './check.ts';
import { COUNTEREXAMPLES } from './counterexamples.ts';
import { randomGraph } from './generator.ts';
import type { GraphSpec, Step } from './graph-spec.ts';

const gpu = await gpuForTests();

/** Random graphs checked per run against central differences (float64 CPU). */
const CPU_GRAPHS = 300;
/** Random graphs checked per run on WebGPU against the float64 CPU. */
const GPU_GRAPHS = 90;
/** The WebGPU graphs have longer axes, so kernels span several workgroups. */
const GPU_SIZES = { maxDim: 24, maxSize: 1500 };

const show = (spec: GraphSpec): string =>
  `the graph, to keep in counterexamples.ts once shrunk:\n${JSON.stringify(spec)}`;

async function expectGradientsMatch(spec: GraphSpec): Promise<void> {
  const report = await checkGradients(spec);
  expect(report.passed, `${report.message}\n${show(spec)}`).toBe(true);
}

async function expectGpuAgrees(spec: GraphSpec): Promise<void> {
  const problems = await compareWithOracle(spec, gpu.backend!);
  expect(problems, show(spec)).toEqual([]);
}

/** The node kinds a step applies. */
function kindsOf(step: Step): string[] {
  const capitalized = (name: string): string => name[0].toUpperCase() + name.slice(1);
  switch (step.op) {
    case 'input':
    case 'constant':
      return [];
    case 'unary':
      return [step.fn === 'geluTanh' ? 'Gelu' : capitalized(step.fn)];
    case 'binary':
    case 'scalar':
    case 'extremum':
      return [capitalized(step.fn)];
    case 'powNumber':
      return ['Pow'];
    case 'compare':
      return [
        {
          equal: 'Equal',
          notEqual: 'NotEqual',
          less: 'Greater',
          lessEqual: 'GreaterEqual',
          greaterEqual: 'GreaterEqual',
        }[step.fn],
      ];
    case 'extreme':
      return [capitalized(step.fn)];
    case 'logsumexp':
      return ['LogSumExp'];
    case 'variance':
      return ['Sub', 'Square', 'Sum', 'Div'];
    case 'std':
      return ['Sub', 'Square', 'Sum', 'Div', 'Sqrt'];
    case 'norm':
      return step.p === 2 ? ['Norm'] : step.p === 1 ? ['Abs', 'Sum'] : ['Abs', 'Max'];
    case 'binaryCrossEntropyWithLogits':
      return ['LogSigmoid', 'Sub', 'Mul'];
    case 'mseLoss':
      return ['Sub', 'Square'];
    case 'mean':
      return ['Sum', 'Div'];
    case 'matmul':
      return ['MatMul'];
    case 'softmaxWithLoss':
      return ['SoftmaxWithLoss', 'OneHot'];
    case 'softmaxWithLossProbs':
      return ['SoftmaxWithLoss'];
    case 'argmaxMask':
      return ['ArgMax', 'OneHot', 'Transpose'];
    case 'embedding':
      return ['Gather'];
    case 'lstmCell':
      return ['LSTMCell'];
    case 'lstmCellGrad':
      return ['LSTMCellGrad'];
    case 'gruCell':
      return ['GRUCell'];
    case 'gruCellGrad':
      return ['GRUCellGrad'];
    case 'squeeze':
    case 'unsqueeze':
    case 'flatten':
      return ['Reshape'];
    case 'permute':
      return ['Transpose'];
    case 'dropout':
      return ['Mul'];
    case 'bernoulli':
      return ['Greater'];
    default:
      return [capitalized(step.op)];
  }
}

describe('random graphs over every node', () => {
  it('draws graphs that use every node kind @graphgrad/nodes exports', () => {
    const used = new Set(
      fc.sample(randomGraph(), { numRuns: 200, seed: 6 }).flatMap((spec) => spec.steps.flatMap(kindsOf)),
    );
    const kinds = Object.entries(nodes)
      .filter(([name]) => name.endsWith('Node'))
      .map(([, kind]) => (kind as { spec: { kind: string } }).spec.kind);
    expect(kinds.length).toBeGreaterThan(20);
    expect(kinds.filter((k) => !used.has(k))).toEqual([]);
  });

  it(`${CPU_GRAPHS} graphs: analytic gradients match central differences in float64`, async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(randomGraph(), async (spec) => {
        checked++;
        await expectGradientsMatch(spec);
      }),
      { numRuns: CPU_GRAPHS },
    );
    expect(checked).toBe(CPU_GRAPHS);
  });

  it.skipIf(gpu.backend === null)(
    `${GPU_GRAPHS} graphs: WebGPU's values and gradients match the float64 CPU's`,
    async () => {
      let checked = 0;
      await fc.assert(
        fc.asyncProperty(randomGraph(GPU_SIZES), async (spec) => {
          checked++;
          await expectGpuAgrees(spec);
        }),
        { numRuns: GPU_GRAPHS },
      );
      expect(checked).toBe(GPU_GRAPHS);
    },
  );
});

describe('shrunk counterexamples that once failed', () => {
  it.each(COUNTEREXAMPLES)('$name: gradients match central differences', async ({ spec }) => {
    await expectGradientsMatch(spec);
  });

  it.skipIf(gpu.backend === null).each(COUNTEREXAMPLES)('$name: WebGPU matches the float64 CPU', async ({ spec }) => {
    await expectGpuAgrees(spec);
  });
});
