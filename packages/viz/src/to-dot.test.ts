import { ArgumentError, GraphFreedError, noGrad, randn, tensor, zeros, type Tensor } from '@graphgrad/core';
import {
  Affine,
  branch,
  gather,
  matmul,
  mul,
  oneHot,
  Sequential,
  Sigmoid,
  sigmoid,
  softmaxWithLoss,
  sub,
  sum,
} from '@graphgrad/nodes';
import { describe, expect, it } from 'vitest';
import { renderSvg, toDot } from './index.ts';

/** The book's two-layer net on a batch of 30 points with one-hot targets. */
function twoLayerLoss(): { loss: Tensor; names: Record<string, Tensor> } {
  const x = randn([30, 2], { seed: 1 });
  const t = oneHot(
    tensor(
      Array.from({ length: 30 }, (_, i) => i % 3),
      { dtype: 'int32' },
    ),
    3,
  );
  const W1 = randn([2, 10], { seed: 2, std: 0.01, requiresGrad: true });
  const b1 = zeros([10], { requiresGrad: true });
  const W2 = randn([10, 3], { seed: 3, std: 0.01, requiresGrad: true });
  const b2 = zeros([3], { requiresGrad: true });
  const model = new Sequential([new Affine(W1, b1), new Sigmoid(), new Affine(W2, b2)]);
  const loss = softmaxWithLoss(model.forward(x), t);
  return { loss, names: { x, t, W1, b1, W2, b2, loss } };
}

/** The statements of a DOT graph whose label contains `text`. */
function linesWith(dot: string, text: string): string[] {
  return dot.split('\n').filter((line) => line.includes(text));
}

describe('toDot', () => {
  it('draws the two-layer net: operations in order, parameters and constants as boxes, shapes on the edges', () => {
    const { loss, names } = twoLayerLoss();
    const dot = toDot(loss, { names });
    const kinds = [...dot.matchAll(/^ {2}op\d+ \[.*label="([A-Za-z]+)"\];$/gm)].map((m) => m[1]);
    expect(kinds).toEqual(['MatMul', 'Add', 'Sigmoid', 'MatMul', 'Add', 'SoftmaxWithLoss']);
    for (const param of ['W1\\n[2,10] float32', 'b1\\n[10] float32', 'W2\\n[10,3] float32', 'b2\\n[3] float32']) {
      const [line] = linesWith(dot, `label="${param}"`);
      expect(line).toContain('fillcolor="#fde3c4"');
    }
    expect(linesWith(dot, 'label="x\\n[30,2] float32"')[0]).toContain('style="rounded"');
    expect(linesWith(dot, 'label="t\\n[30,3] float32"')[0]).toContain('style="rounded"');
    expect(linesWith(dot, 'label="loss\\n[] float32"')[0]).toContain('peripheries=2');
    // Hidden activations flow along labelled edges; the data and the targets receive no gradient (dashed).
    expect(linesWith(dot, 'label="[30,10] float32"')).toHaveLength(3);
    expect(linesWith(dot, 'label="[30,3] float32"')).toHaveLength(2);
    expect(linesWith(dot, 'style="dashed"')).toHaveLength(2);
  });

  it('renders to an SVG that names every operation and parameter', async () => {
    const { loss, names } = twoLayerLoss();
    const svg = await renderSvg(toDot(loss, { names, title: 'TwoLayerNet' }));
    expect(svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
    for (const text of ['TwoLayerNet', 'MatMul', 'Sigmoid', 'SoftmaxWithLoss', 'W1', 'b2', 'loss']) {
      expect(svg).toContain(`>${text}</text>`);
    }
    expect(svg.match(/class="node"/g)).toHaveLength(6 + 6 + 1);
  });

  it('shows a tensor used twice as two edges from its node, and an explicit branch the same way', () => {
    const x = randn([4], { seed: 1, requiresGrad: true });
    const h = sigmoid(x);
    const twice = toDot(mul(h, h));
    expect(twice.match(/ op0 -> op1 /g)).toHaveLength(2);
    const [a, b] = branch(sigmoid(x), 2);
    const branched = toDot(mul(a, b));
    expect(branched).toContain('label="Branch\\nn=2"');
    expect(branched.match(/ op1 -> op2 /g)).toHaveLength(2);
  });

  it('prints node attributes, number constants and dtypes unless asked not to', () => {
    const x = randn([3, 4], { seed: 1, dtype: 'float64', requiresGrad: true });
    const y = matmul(sub(1, sum(x, 0, true)), x, { transposeB: true });
    const dot = toDot(y);
    expect(dot).toContain('label="Sum\\naxes=[0], keepDims"');
    expect(dot).toContain('label="MatMul\\ntransposeB"');
    expect(dot).toContain('label="1\\n[] float64"');
    expect(dot).toContain('label="parameter\\n[3,4] float64"');
    const bare = toDot(y, { showAttrs: false, showDTypes: false, direction: 'TB' });
    expect(bare).toContain('label="Sum"');
    expect(bare).toContain('label="output\\n[1,3]"');
    expect(bare).toContain('rankdir="TB"');
    expect(bare).not.toContain('float64');
  });

  it('labels int32 tensors int32: indices, labels and a number constant beside them', () => {
    const x = randn([4, 3], { seed: 1, requiresGrad: true });
    const idx = tensor([0, 2], { dtype: 'int32' });
    const t = tensor([1, 0], { dtype: 'int32' });
    const picked = gather(x, idx);
    const dot = toDot(softmaxWithLoss(picked, t), { names: { x, idx, picked } });
    expect(linesWith(dot, 'label="idx\\n[2] int32"')).toHaveLength(1);
    expect(linesWith(dot, 'label="x\\n[4,3] float32"')).toHaveLength(1);
    expect(linesWith(dot, 'label="picked\\n[2,3] float32"')).toHaveLength(1);
    // the edge from the indices is dashed: they receive no gradient
    expect(dot).toMatch(/leaf\d+ -> op\d+ \[style="dashed"/);
    expect(linesWith(dot, 'int32')).toHaveLength(1);
    // an int32 leaf of one element shows its value and its dtype
    const scaled = mul(x, gather(x, tensor(1, { dtype: 'int32' })));
    expect(toDot(scaled)).toContain('label="1\\n[] int32"');
  });

  it('draws several outputs in one picture and a leaf on its own', () => {
    const x = randn([2], { seed: 1, requiresGrad: true });
    const dot = toDot([sigmoid(x), mul(x, 2)], { names: new Map([[x, 'x']]) });
    expect(linesWith(dot, 'peripheries=2')).toHaveLength(2);
    expect(linesWith(dot, 'label="x\\n[2] float32"')).toHaveLength(1);
    const alone = toDot(x, { names: { x } });
    expect(linesWith(alone, 'label="x\\n[2] float32"')[0]).toContain('peripheries=2');
    expect(alone).not.toContain('->');
  });

  it('stops at tensors computed without a gradient', () => {
    const x = randn([2], { seed: 1, requiresGrad: true });
    const frozen = noGrad(() => sigmoid(x));
    const dot = toDot(mul(frozen, x), { names: { x } });
    expect(dot).not.toContain('Sigmoid');
    expect(dot).toContain('label="constant\\n[2] float32"');
  });

  it('escapes quotes and backslashes in names and titles', async () => {
    const x = randn([2], { seed: 1, requiresGrad: true });
    const dot = toDot(sigmoid(x), { names: { 'say "hi" \\ bye': x }, title: 'a "quoted" title' });
    expect(dot).toContain('label="say \\"hi\\" \\\\ bye\\n[2] float32"');
    expect(await renderSvg(dot)).toContain('say &quot;hi&quot;');
  });

  it('refuses a graph that backward() already freed, and says how to keep it', () => {
    const x = randn([2], { seed: 1, requiresGrad: true });
    const y = sum(sigmoid(x));
    y.backward();
    expect(() => toDot(y)).toThrow(GraphFreedError);
    expect(() => toDot(y)).toThrow(/toDot: .*retainGraph/);
  });
});

describe('renderSvg', () => {
  it('turns DOT that Graphviz cannot read into an ArgumentError with its message', async () => {
    await expect(renderSvg('digraph { a -> }')).rejects.toThrow(ArgumentError);
    await expect(renderSvg('digraph { a -> }')).rejects.toThrow(
      /renderSvg: Graphviz could not lay out the graph: .*syntax error/,
    );
  });

  it('lays out with another engine on request', async () => {
    const svg = await renderSvg('digraph { a -> b }', { engine: 'neato' });
    expect(svg).toContain('<title>a</title>');
  });
});
