import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { drawTwoLayerNet } from './graph-picture.ts';

it('graph-picture writes the DOT and the SVG of the two-layer net', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'graphgrad-graph-picture-'));
  try {
    const { dotPath, svgPath } = await drawTwoLayerNet(dir);
    const [dot, svg] = [await readFile(dotPath, 'utf8'), await readFile(svgPath, 'utf8')];
    expect(dot).toMatch(/^digraph graphgrad \{/);
    for (const label of [
      'x\\n[30,2] float32',
      'W1\\n[2,10] float32',
      'b1\\n[10] float32',
      't\\n[30,3] float32',
      'loss\\n[] float32',
    ]) {
      expect(dot).toContain(`label="${label}"`);
    }
    for (const text of ['MatMul', 'Add', 'Sigmoid', 'SoftmaxWithLoss', 'W2', 'b2'])
      expect(svg).toContain(`>${text}</text>`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
