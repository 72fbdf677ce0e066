import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpiral, lineProgress } from 'graphgrad';
import { describe, expect, it } from 'vitest';
import { main as decisionBoundary } from './decision-boundary.ts';
import { main as customLoop } from './spiral-custom-loop.ts';
import { main as spiralTrainer } from './spiral-trainer.ts';
import { TwoLayerNet } from './two-layer-net.ts';

// Each example runs for a few epochs, so that none rots.

const scratch = () => mkdtemp(join(tmpdir(), 'graphgrad-examples-'));

describe('examples', () => {
  it('two-layer-net: the book shapes, W = 0.01·randn and b = 0, and a loss near ln 3 at the start', async () => {
    const model = new TwoLayerNet(2, 10, 3, { seed: 1 });
    expect(model.params.map((p) => p.shape)).toEqual([[2, 10], [10], [10, 3], [3]]);
    expect(model.params.every((p) => p.dtype === 'float32')).toBe(true);
    expect(model.grads).toEqual([null, null, null, null]);
    const W1 = await model.params[0].data();
    expect(Math.max(...W1.map(Math.abs))).toBeLessThan(0.05);
    expect(Array.from(await model.params[1].data())).toEqual(new Array(10).fill(0));
    const { x, t } = loadSpiral();
    expect(await model.forward(x, t).item()).toBeCloseTo(Math.log(3), 2);
    const accuracy = await model.accuracy(x, t);
    expect(accuracy).toBeGreaterThanOrEqual(0);
    expect(accuracy).toBeLessThanOrEqual(1);
  });

  it('spiral-custom-loop: prints the book line every 10 iterations', async () => {
    const lines: string[] = [];
    const { lossList } = await customLoop({ maxEpoch: 3, log: (l) => lines.push(l) });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\| epoch 1 \| iter 10 \/ 10 \| loss \d\.\d\d$/);
    expect(lines[2]).toMatch(/^\| epoch 3 \| iter 10 \/ 10 \| /);
    expect(lossList).toHaveLength(3);
  });

  it('spiral-trainer (the demo): trains, writes both images, and ends with the loss=… accuracy=… line', async () => {
    const outDir = await scratch();
    const lines: string[] = [];
    const result = await spiralTrainer({
      maxEpoch: 3,
      outDir,
      progress: lineProgress((l) => lines.push(l)),
      log: (l) => lines.push(l),
    });
    expect(
      lines.slice(0, 3).every((l) => /^\| epoch \d \| iter 1 \/ 10 \| time \d+\[s\] \| loss \d\.\d\d$/.test(l)),
    ).toBe(true);
    expect(lines[3]).toBe(`loss curve: ${result.lossPlot}`);
    expect(lines[4]).toBe(`decision boundary: ${result.boundaryPlot}`);
    expect(lines.at(-1)).toMatch(/^loss=\d+\.\d\d accuracy=[01]\.\d{3}$/);
    expect(lines).toHaveLength(6);
    for (const path of [result.lossPlot, result.boundaryPlot]) {
      expect(path.startsWith(outDir)).toBe(true);
      expect((await readFile(path, 'utf8')).startsWith('<svg')).toBe(true);
    }
  });

  it('decision-boundary: writes the figure, with the 300 samples over the predicted regions', async () => {
    const path = join(await scratch(), 'boundary.svg');
    const lines: string[] = [];
    await decisionBoundary({ maxEpoch: 2, path, progress: lineProgress(() => {}), log: (l) => lines.push(l) });
    expect(lines).toEqual([`decision boundary: ${path}`]);
    const svg = await readFile(path, 'utf8');
    expect(svg).toContain('Decision boundary of the two-layer net on the spiral data');
    // the regions (a rect mark) under the samples (a symbol mark, one <path> per point)
    expect(svg).toMatch(/class="mark-rect role-mark[^"]*"[\s\S]*class="mark-symbol role-mark/);
    expect((svg.match(/aria-roledescription="point"/g) ?? []).length).toBe(300);
  });
});
