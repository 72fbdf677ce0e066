/**
 * The WebGPU backend's benchmark: fp32 matrix products, an elementwise add streaming 64M floats,
 * and a training step of an MLP (4096 → 4096 → 4096 → 10, batch 4096, SGD), each printed as a
 * figure and, when a PyTorch reference from torch_ref.py is given, as a ratio against PyTorch on
 * the same GPU.
 *
 *   node --import tsx bench/gpu/bench.ts [--small] [--torch torch.json] [--json out.json]
 *
 * On the GPU machine: bundle it here (the bundler needs an esbuild on PATH: @graphgrad/gpu has one
 * as a dev dependency), then run the PyTorch reference and the bundle there:
 *   PATH=$PWD/packages/gpu/node_modules/.bin:$PATH ../shared/gpu/device-bundle.sh bench/gpu/bench.ts
 *   python3 bench/gpu/torch_ref.py > torch.json
 *   bash .devgpu/on-device.sh node .devgpu/app/bench.mjs --torch torch.json
 *
 * `--small` runs the same measurements at sizes a software rasterizer (lavapipe) finishes in
 * seconds, to prove the script works; its figures say nothing about a GPU.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createWebGPUBackend, type WebGPUBackend } from '../../packages/gpu/src/index.ts';
import { full, randn, tensor, tidy, type Tensor } from '../../packages/core/src/index.ts';
import { add, matmul, sigmoid, softmaxWithLoss } from '../../packages/nodes/src/index.ts';
import { SGD } from '../../packages/optim/src/index.ts';

/** The sizes of one run. */
interface Sizes {
  readonly matmul: readonly number[];
  readonly addElements: number;
  readonly mlp: { readonly width: number; readonly batch: number; readonly classes: number };
}

const FULL: Sizes = {
  matmul: [1024, 2048, 4096],
  addElements: 64 * 1024 * 1024,
  mlp: { width: 4096, batch: 4096, classes: 10 },
};
const SMALL: Sizes = {
  matmul: [128, 256, 512],
  addElements: 1024 * 1024,
  mlp: { width: 256, batch: 256, classes: 10 },
};

/** What torch_ref.py prints (the same keys as this script's results). */
interface Results {
  device: string;
  matmul_tflops: Record<string, number>;
  add_tbps: number;
  add_elements: number;
  mlp_step_ms: number;
  mlp: { width: number; batch: number; classes: number };
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Seconds per repetition of `body`, after `warmup` untimed runs, waiting for the GPU each time. */
async function timeIt(backend: WebGPUBackend, repeats: number, warmup: number, body: () => void): Promise<number> {
  for (let i = 0; i < warmup; i++) body();
  await backend.sync();
  const start = performance.now();
  for (let i = 0; i < repeats; i++) body();
  await backend.sync();
  return (performance.now() - start) / 1000 / repeats;
}

/** A float32 tensor filled with `value` on the GPU (the fill is a kernel: nothing is uploaded). */
function fill(backend: WebGPUBackend, shape: readonly number[], value: number, requiresGrad = false): Tensor {
  return full(shape, value, { backend, requiresGrad });
}

async function benchMatmul(backend: WebGPUBackend, n: number): Promise<number> {
  const a = fill(backend, [n, n], 1 / n);
  const b = fill(backend, [n, n], 2);
  // Correctness first: every element of a·b is n·(1/n)·2 = 2.
  const check = matmul(a, b);
  const values = await check.data();
  if (Math.abs(values[0] - 2) > 1e-3 || Math.abs(values[values.length - 1] - 2) > 1e-3)
    throw new Error(`matmul ${n}: wrong result ${values[0]}`);
  check.dispose();
  const repeats = Math.max(3, Math.min(50, Math.round(4e11 / (2 * n ** 3))));
  const seconds = await timeIt(backend, repeats, 2, () => matmul(a, b).dispose());
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / seconds / 1e12;
}

async function benchAdd(backend: WebGPUBackend, elements: number): Promise<number> {
  const a = fill(backend, [elements], 1);
  const b = fill(backend, [elements], 2);
  const check = add(a, b);
  const values = await check.data();
  if (values[0] !== 3 || values[elements - 1] !== 3) throw new Error(`add: wrong result ${values[0]}`);
  check.dispose();
  const seconds = await timeIt(backend, 20, 3, () => add(a, b).dispose());
  a.dispose();
  b.dispose();
  // Two arrays read and one written per add.
  return (3 * 4 * elements) / seconds / 1e12;
}

async function benchMlp(backend: WebGPUBackend, { width, batch, classes }: Sizes['mlp']): Promise<number> {
  const std = Math.sqrt(1 / width);
  const layer = (inputs: number, outputs: number, seed: number): [Tensor, Tensor] => [
    randn([inputs, outputs], { std, seed, requiresGrad: true, backend }),
    fill(backend, [outputs], 0, true),
  ];
  const params = [...layer(width, width, 1), ...layer(width, width, 2), ...layer(width, classes, 3)];
  const [W1, b1, W2, b2, W3, b3] = params;
  const x = randn([batch, width], { seed: 4, backend });
  const labels = tensor(
    Int32Array.from({ length: batch }, (_, i) => i % classes),
    { backend },
  );
  const optimizer = new SGD(params, { lr: 0.01 });
  const step = (): Tensor =>
    tidy(() => {
      optimizer.zeroGrad();
      const h1 = sigmoid(add(matmul(x, W1), b1));
      const h2 = sigmoid(add(matmul(h1, W2), b2));
      const loss = softmaxWithLoss(add(matmul(h2, W3), b3), labels);
      loss.backward();
      optimizer.step();
      return loss;
    });
  const first = step();
  const loss = await first.item();
  if (!Number.isFinite(loss)) throw new Error(`mlp: loss ${loss}`);
  first.dispose();
  const seconds = await timeIt(backend, 10, 2, () => step().dispose());
  optimizer.zeroGrad();
  for (const t of [...params, x, labels]) t.dispose();
  return seconds * 1000;
}

async function main(): Promise<void> {
  const small = process.argv.includes('--small');
  const sizes = small ? SMALL : FULL;
  const torchPath = argument('--torch');
  const torch = torchPath === undefined ? null : (JSON.parse(readFileSync(torchPath, 'utf8')) as Results);
  const backend = await createWebGPUBackend();
  console.log(`graphgrad WebGPU benchmark on ${backend.adapterName}${small ? ' (--small sizes)' : ''}`);
  if (torch !== null) console.log(`PyTorch reference: ${torch.device}`);
  const ratio = (ours: number, theirs: number | undefined, label: string): string =>
    theirs === undefined ? '' : `   torch ${theirs.toPrecision(3)}, ${label} ${(ours / theirs).toFixed(2)}`;

  const results: Results = {
    device: backend.adapterName,
    matmul_tflops: {},
    add_tbps: 0,
    add_elements: sizes.addElements,
    mlp_step_ms: 0,
    mlp: sizes.mlp,
  };
  for (const n of sizes.matmul) {
    const tflops = await benchMatmul(backend, n);
    results.matmul_tflops[String(n)] = tflops;
    console.log(
      `matmul ${n}×${n}·${n}×${n} fp32: ${tflops.toPrecision(3)} TFLOP/s${ratio(tflops, torch?.matmul_tflops[String(n)], 'throughput ratio')}`,
    );
  }
  results.add_tbps = await benchAdd(backend, sizes.addElements);
  console.log(
    `add of ${sizes.addElements} floats: ${results.add_tbps.toPrecision(3)} TB/s${ratio(results.add_tbps, torch?.add_tbps, 'bandwidth ratio')}`,
  );
  results.mlp_step_ms = await benchMlp(backend, sizes.mlp);
  const { width, batch, classes } = sizes.mlp;
  console.log(
    `MLP ${width}→${width}→${width}→${classes}, batch ${batch}, SGD step: ${results.mlp_step_ms.toFixed(2)} ms` +
      ratio(results.mlp_step_ms, torch?.mlp_step_ms, 'time ratio (graphgrad / torch)'),
  );
  if (
    torch !== null &&
    (torch.add_elements !== sizes.addElements || torch.mlp.width !== width || torch.mlp.batch !== batch)
  ) {
    console.log('warning: the PyTorch reference was measured at other sizes (pass --small to both or to neither)');
  }
  const counters = backend.counters;
  console.log(
    `device work: ${counters.dispatches} dispatches in ${counters.submits} submits, ${counters.pipelines} pipelines`,
  );
  const out = argument('--json');
  if (out !== undefined) writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  backend.destroy();
}

await main();
