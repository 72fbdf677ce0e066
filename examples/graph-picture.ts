/**
 * The book's computational-graph figure, drawn from a real model: the loss graph of the two-layer
 * net (Affine → Sigmoid → Affine → SoftmaxWithLoss) on a minibatch of 30 spiral points, as
 * Graphviz DOT and as SVG.
 *
 *   node --import tsx examples/graph-picture.ts      # writes out/two-layer-net.dot and .svg
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randn, tensor, zeros, loadSpiral, Affine, gather, Sequential, Sigmoid, softmaxWithLoss } from 'graphgrad';
import { renderSvg, toDot } from '@graphgrad/viz';

/** Builds the net as the book's TwoLayerNet does, computes one minibatch loss, and writes its picture. */
export async function drawTwoLayerNet(outDir: string): Promise<{ dotPath: string; svgPath: string; dot: string }> {
  const [inputSize, hiddenSize, outputSize, batchSize] = [2, 10, 3, 30];
  const W1 = randn([inputSize, hiddenSize], { seed: 1, std: 0.01, requiresGrad: true });
  const b1 = zeros([hiddenSize], { requiresGrad: true });
  const W2 = randn([hiddenSize, outputSize], { seed: 2, std: 0.01, requiresGrad: true });
  const b2 = zeros([outputSize], { requiresGrad: true });
  const model = new Sequential([new Affine(W1, b1), new Sigmoid(), new Affine(W2, b2)]);

  const data = loadSpiral();
  const batch = tensor(
    Array.from({ length: batchSize }, (_, i) => i * 10),
    { dtype: 'int32' },
  );
  const [x, t] = [gather(data.x, batch), gather(data.t, batch)];
  const loss = softmaxWithLoss(model.forward(x), t);

  const dot = toDot(loss, { names: { x, t, W1, b1, W2, b2, loss }, title: 'TwoLayerNet: loss of one minibatch' });
  await mkdir(outDir, { recursive: true });
  const [dotPath, svgPath] = [join(outDir, 'two-layer-net.dot'), join(outDir, 'two-layer-net.svg')];
  await writeFile(dotPath, dot);
  await writeFile(svgPath, await renderSvg(dot));
  return { dotPath, svgPath, dot };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { dotPath, svgPath } = await drawTwoLayerNet('out');
  console.log(`wrote ${dotPath} and ${svgPath}`);
}
