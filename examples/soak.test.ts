import { describe, expect, it } from 'vitest';
import {
  Generator,
  randn,
  tensor,
  tidy,
  zeros,
  type Backend,
  type GraphNode,
  type Tensor,
  loadSpiral,
  Affine,
  gather,
  Sequential,
  Sigmoid,
  softmaxWithLoss,
  SGD,
} from 'graphgrad';
import { testBackends } from '@graphgrad/test-backends';

// A memory soak: the book's spiral net trained for 10,000 steps the way a researcher writes the
// loop (a step inside tidy, the loss held with `using`), checking that nothing accumulates: the
// backend's live buffers and the graph each step records and frees.

const backends = await testBackends();

const STEPS = 10_000;
const BATCH = 30;
/** The loss is read every this many steps, like a training log (and so the GPU drains its queue). */
const LOG_EVERY = 100;
/**
 * Time allowed per soak, well above the suite's default minute: 10,000 steps on lavapipe (software
 * Vulkan) on a loaded machine run longer than that, and a timeout is no verdict on memory.
 */
const SOAK_TIMEOUT_MS = 600_000;

/** Every recorded node the tensor was computed through (an iterative walk of the origins). */
function graphOf(root: Tensor): Set<GraphNode> {
  const nodes = new Set<GraphNode>();
  const stack = root.origin === null ? [] : [root.origin.node];
  while (stack.length > 0) {
    const node = stack.pop() as GraphNode;
    if (nodes.has(node)) continue;
    nodes.add(node);
    for (const input of node.inputs ?? []) if (input.origin !== null) stack.push(input.origin.node);
  }
  return nodes;
}

interface Soak {
  /** Live buffers after each logged step (steps 100, 200, …, 10,000). */
  readonly liveBuffers: readonly number[];
  /** Nodes each step's loss was computed through, as counted before its backward. */
  readonly nodesPerStep: ReadonlySet<number>;
  /** Steps after whose backward some node of their graph still held its inputs. */
  readonly unfreedSteps: number;
  /** Steps after which a parameter or its gradient was a computed tensor (it would retain a graph). */
  readonly retainingSteps: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
  /** Live buffers before the net was made and after everything was disposed. */
  readonly before: number;
  readonly after: number;
}

async function soak(backend: Backend): Promise<Soak> {
  const before = backend.liveBuffers();
  const { x, t } = loadSpiral({ seed: 1984, backend });
  const generator = new Generator(1984);
  const model = new Sequential([
    new Affine(
      randn([2, 10], { std: 0.01, generator, requiresGrad: true, backend }),
      zeros([10], { requiresGrad: true, backend }),
    ),
    new Sigmoid(),
    new Affine(
      randn([10, 3], { std: 0.01, generator, requiresGrad: true, backend }),
      zeros([3], { requiresGrad: true, backend }),
    ),
  ]);
  const optimizer = new SGD(model.params, { lr: 1.0 });
  const rows = x.shape[0];
  let order = generator.permutation(rows);
  let next = 0;

  const liveBuffers: number[] = [];
  const nodesPerStep = new Set<number>();
  let unfreedSteps = 0;
  let retainingSteps = 0;
  let firstLoss = Number.NaN;
  let lastLoss = Number.NaN;

  for (let step = 1; step <= STEPS; step++) {
    if (next + BATCH > rows) {
      order = generator.permutation(rows);
      next = 0;
    }
    const rowsOfBatch = order.subarray(next, next + BATCH);
    next += BATCH;
    using loss = tidy(() => {
      const picks = tensor(rowsOfBatch, { backend });
      optimizer.zeroGrad();
      const l = softmaxWithLoss(model.forward(gather(x, picks)), gather(t, picks));
      const graph = graphOf(l);
      nodesPerStep.add(graph.size);
      l.backward();
      if ([...graph].some((node) => !node.isFreed)) unfreedSteps++;
      optimizer.step();
      return l;
    });
    if (model.params.some((p) => p.origin !== null || (p.grad !== null && p.grad.origin !== null))) retainingSteps++;
    if (step % LOG_EVERY === 0) {
      const value = await loss.item();
      if (step === LOG_EVERY) firstLoss = value;
      lastLoss = value;
      liveBuffers.push(backend.liveBuffers());
    }
  }

  optimizer.zeroGrad();
  for (const p of [x, t, ...model.params]) p.dispose();
  return {
    liveBuffers,
    nodesPerStep,
    unfreedSteps,
    retainingSteps,
    firstLoss,
    lastLoss,
    before,
    after: backend.liveBuffers(),
  };
}

function expectNothingAccumulates(label: string, result: Soak): void {
  // The figures a closing note or a regression report quotes.
  console.info(
    `soak on ${label}: live buffers ${result.liveBuffers[0]} after step ${LOG_EVERY}, ` +
      `${result.liveBuffers[result.liveBuffers.length - 1]} after step ${STEPS}; ` +
      `${[...result.nodesPerStep].join(', ')} nodes per step; loss ${result.firstLoss.toFixed(4)} → ${result.lastLoss.toFixed(4)}`,
  );
  // The counts at steps 100 and 10,000 are the same, and so is every count logged in between.
  expect(result.liveBuffers).toHaveLength(STEPS / LOG_EVERY);
  expect(result.liveBuffers[result.liveBuffers.length - 1]).toBe(result.liveBuffers[0]);
  expect(new Set(result.liveBuffers)).toEqual(new Set([result.liveBuffers[0]]));
  // Each step records a graph of the same size, and backward frees every node of it.
  expect(result.nodesPerStep.size).toBe(1);
  expect([...result.nodesPerStep][0]).toBeGreaterThan(0);
  expect(result.unfreedSteps).toBe(0);
  expect(result.retainingSteps).toBe(0);
  // The net learned, so the steps did real work.
  expect(result.lastLoss).toBeLessThan(0.5 * result.firstLoss);
  // And disposing the data, the parameters and their gradients gives every buffer back.
  expect(result.after).toBe(result.before);
}

describe.each(backends)('10,000 training steps of the spiral net on $name', ({ name, backend, reason }) => {
  describe.skipIf(backend === null)(reason ?? 'runs', () => {
    it('keeps its live buffers constant, and every step frees its graph', { timeout: SOAK_TIMEOUT_MS }, async () => {
      expectNothingAccumulates(name, await soak(backend as Backend));
    });
  });
});
