/**
 * A matrix product with its backward products, through each framework's autodiff: Y = A·B, then
 * from a fixed upstream gradient G, dA = G·Bᵀ and dB = Aᵀ·G (graphgrad: `matmul` and
 * `backward(G)`; PyTorch: `(A @ B).backward(G)`; jax-js: `vjp` under `jit`; numpy: the book's MatMul
 * layer). No loss: the check value is `probe` of Y, dA and dB after the last step. Three shapes:
 * 1024³, and an LSTM language model's (chapter 6: batch 20, hidden 100, vocabulary 10,000) gate
 * product h·Wh (20×100 · 100×400) and output layer (35 time steps × batch 20 = 700 rows, 700×100 ·
 * 100×10,000).
 */
import { Generator, tensor, type Tensor } from '@graphgrad/core';
import { matmul } from '@graphgrad/nodes';
import type { Array as JaxArray } from '@jax-js/jax';
import { values } from './jax-layers.ts';
import { f32, probe, randn, shapeOf, type Jax, type Workload, type WorkloadData } from './workload.ts';

function data(m: number, k: number, n: number): WorkloadData {
  const generator = new Generator(m * 31 + k * 17 + n);
  return {
    config: {},
    arrays: {
      A: randn(generator, [m, k], 1),
      B: randn(generator, [k, n], 1 / Math.sqrt(k)),
      G: randn(generator, [m, n], 1),
    },
  };
}

function graphgrad(d: WorkloadData) {
  const a = tensor(f32(d, 'A').slice(), { shape: shapeOf(d, 'A'), requiresGrad: true });
  const b = tensor(f32(d, 'B').slice(), { shape: shapeOf(d, 'B'), requiresGrad: true });
  const g = tensor(f32(d, 'G').slice(), { shape: shapeOf(d, 'G') });
  let y: Tensor | undefined;
  return {
    step(): undefined {
      y?.dispose();
      a.zeroGrad();
      b.zeroGrad();
      y = matmul(a, b);
      y.backward(g);
      return undefined;
    },
    finish(): number {
      if (y === undefined || a.grad === null || b.grad === null) throw new Error('matmul: no step ran');
      return probe([y.dataSync(), a.grad.dataSync(), b.grad.dataSync()]);
    },
  };
}

async function jaxjs(jax: Jax, d: WorkloadData) {
  const { numpy: np, jit, vjp, blockUntilReady } = jax;
  const array = (name: string) => np.array(f32(d, name)).reshape(shapeOf(d, name));
  const a = array('A');
  const b = array('B');
  const g = array('G');
  const product = (x: JaxArray, w: JaxArray) => np.matmul(x, w);
  const step = jit((x: JaxArray, w: JaxArray, dy: JaxArray): JaxArray[] => {
    const [y, back] = vjp(product, [x, w]);
    const [dx, dw] = back(dy);
    return [y, dx, dw];
  });
  await blockUntilReady([a, b, g]);
  let outs: JaxArray[] = [];
  return {
    async step(): Promise<undefined> {
      for (const o of outs) o.dispose();
      outs = step(a.ref, b.ref, g.ref);
      await blockUntilReady(outs);
      return undefined;
    },
    finish(): number {
      return probe(outs.map((o) => values(o.ref)));
    },
  };
}

function workload(
  name: string,
  title: string,
  m: number,
  k: number,
  n: number,
  steps: number,
  group: number,
): Workload {
  const warmup = group === 1 ? 2 : 5 * group;
  return {
    name,
    title: `${title}: ${m}×${k} · ${k}×${n}, with dA = G·Bᵀ and dB = Aᵀ·G`,
    python: 'matmul.py',
    steps,
    warmup,
    group,
    multithread: true,
    numpy: true,
    tolerance: 1e-6,
    data: () => data(m, k, n),
    graphgrad,
    jaxjs,
  };
}

export const matmul1024 = workload('matmul-1024', 'square product', 1024, 1024, 1024, 12, 1);
export const matmulLstmGates = workload('matmul-lstm-gates', "an LSTM's gate product h·Wh", 20, 100, 400, 2500, 50);
export const matmulLstmOutput = workload('matmul-lstm-output', "an LSTM LM's output layer", 700, 100, 10000, 12, 1);
