// A user's own TypeScript over graphgrad's public API (graphgrad, graphgrad/testing, the opt-in
// @graphgrad/gpu and @graphgrad/viz), type-checked, never run, by scripts/consumer-test.sh against
// the packed packages' declarations, strict and with skipLibCheck off.
// The @ts-expect-error lines make sure the imports carry real types (an import that resolved to
// `any` would accept them, and the unused directive would then fail the check).
import {
  Adam,
  Affine,
  GraphgradError,
  SGD,
  Sequential,
  ShapeError,
  Sigmoid,
  SoftmaxWithLoss,
  Trainer,
  cpuBackend,
  defineNode,
  getBackend,
  loadSpiral,
  matmul,
  mul,
  noGrad,
  randn,
  save,
  setBackend,
  sigmoid,
  sum,
  tensor,
  tidy,
  zeros,
  type Backend,
  type DType,
  type Tensor,
  type TrainableModel,
} from 'graphgrad';
import { arbitraries, backendForTests, describeBackend, gradCheck, type GradCheckResult } from 'graphgrad/testing';
import { createWebGPUBackend, WebGPUBackend, type WebGPUBackendOptions } from '@graphgrad/gpu';
import { renderSvg, toDot } from '@graphgrad/viz';

// Tensors and the tape.
const W: Tensor = randn([2, 3], { requiresGrad: true, seed: 1 });
const loss: Tensor = sum(sigmoid(matmul(tensor([[1, 2]]), W)));
loss.backward();
const gradient: Tensor | null = W.grad;
const dtype: DType = W.dtype;
const values: Promise<ArrayLike<number>> = W.data();
// @ts-expect-error a tensor's shape is read-only
W.shape = [3, 2];

// The recorded graph as a picture.
const picture: Promise<string> = renderSvg(toDot(loss));

// A node of one's own, with its gradient rule in other nodes.
const SquareNode = defineNode({
  kind: 'Square',
  inputs: ['x'],
  forward: (k, [x]) => k.Mul(x, x),
  // dx = 2·x·dy
  backward: ({ inputs: [x] }, dy) => [mul(mul(x, 2), dy)],
});
const square = (x: Tensor): Tensor => SquareNode.apply([x]);
const report: Promise<GradCheckResult> = gradCheck((x) => sum(square(x)), [randn([3], { dtype: 'float64' })]);

// A model, an optimizer and the Trainer.
class Net implements TrainableModel {
  readonly layers = new Sequential([new Affine(randn([2, 4]), zeros([4])), new Sigmoid()]);
  readonly lossLayer = new SoftmaxWithLoss();
  get params(): readonly Tensor[] {
    return this.layers.params;
  }
  forward(x: Tensor, t: Tensor): Tensor {
    return this.lossLayer.forward(this.layers.forward(x), t);
  }
}
const net = new Net();
const spiral = loadSpiral({ seed: 1984 });
const trainer = new Trainer(net, new SGD(net.params, { lr: 1 }));
const fitted: Promise<void> = trainer.fit(spiral.x, spiral.t, { maxEpoch: 1, batchSize: 30 });
const adam = new Adam(net.params);
// @ts-expect-error SGD wants its options as an object
new SGD(net.params, 0.1);
const saved: Promise<void> = save({ W }, 'weights.safetensors');
const kept: Tensor = tidy(() => noGrad(() => sum(W)));

// Errors a caller can catch by type.
function describeError(error: unknown): string {
  if (error instanceof ShapeError) return `shape: ${error.message}`;
  return error instanceof GraphgradError ? error.name : String(error);
}

// Backends: the CPU one that graphgrad sets by default, and the opt-in WebGPU one.
const cpu: Backend = cpuBackend();
setBackend(cpu);
const current: Backend = getBackend();
const options: WebGPUBackendOptions = { maxPooledBytes: 1 << 30 };
const gpu: Promise<WebGPUBackend> = createWebGPUBackend(options);
async function onTheGpu(): Promise<string> {
  const backend = await createWebGPUBackend();
  const device: GPUDevice = backend.device;
  backend.destroy();
  return `${backend.adapterName} ${device.label}`;
}

// The testing entry: property-test arbitraries, a backend for tests, the conformance suite.
const shapes = arbitraries.shape({ maxRank: 2 });
const forTests = backendForTests(() => cpuBackend());
function conformance(): void {
  describeBackend({ name: 'cpu', create: cpuBackend, floats: ['float64', 'float32'] });
}

export {
  adam,
  conformance,
  current,
  describeError,
  dtype,
  fitted,
  forTests,
  gpu,
  gradient,
  kept,
  onTheGpu,
  picture,
  report,
  saved,
  shapes,
  values,
};
