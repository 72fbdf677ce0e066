/**
 * The book's decision-boundary figure (Figure 1-32, the end of `ch01/train.py`): the class the
 * trained net predicts at every point of a grid, with the spiral's three arms on top.
 *
 * Run: node --import tsx examples/decision-boundary.ts   (trains, then writes out/spiral-decision-boundary.svg)
 */
import { pathToFileURL } from 'node:url';
import {
  noGrad,
  tensor,
  tidy,
  type Tensor,
  loadSpiral,
  type Spiral,
  argmax,
  renderSvg,
  saveFile,
  SGD,
  Trainer,
  type ProgressReporter,
  type VegaLiteSpec,
} from 'graphgrad';
import { TwoLayerNet } from './two-layer-net.ts';

/** Anything that scores points: the TwoLayerNet's `predict`. */
export interface Classifier {
  predict(x: Tensor): Tensor;
}

/**
 * The figure as a Vega-Lite chart. The book evaluates the net on a fine grid and fills the
 * contours; here each grid row's runs of one predicted class become one rectangle, which keeps
 * the SVG small at a fine resolution.
 */
export async function decisionBoundarySpec(model: Classifier, spiral: Spiral, resolution = 300): Promise<VegaLiteSpec> {
  const { points, labels } = spiral;
  const xs = points.filter((_, i) => i % 2 === 0);
  const ys = points.filter((_, i) => i % 2 === 1);
  const [xMin, xMax] = [Math.min(...xs) - 0.1, Math.max(...xs) + 0.1];
  const [yMin, yMax] = [Math.min(...ys) - 0.1, Math.max(...ys) + 0.1];
  const [hx, hy] = [(xMax - xMin) / resolution, (yMax - yMin) / resolution];

  // Predict the class at the centre of every cell (the book's np.meshgrid + argmax)
  const grid = new Float32Array(resolution * resolution * 2);
  for (let row = 0; row < resolution; row++) {
    for (let col = 0; col < resolution; col++) {
      grid[2 * (row * resolution + col)] = xMin + (col + 0.5) * hx;
      grid[2 * (row * resolution + col) + 1] = yMin + (row + 0.5) * hy;
    }
  }
  const predicted = noGrad(() =>
    tidy(() => argmax(model.predict(tensor(grid, { shape: [resolution * resolution, 2] })))),
  );
  const classes = await predicted.data();
  predicted.dispose();

  const regions: { x: number; x2: number; y: number; y2: number; class: number }[] = [];
  for (let row = 0; row < resolution; row++) {
    let start = 0;
    for (let col = 1; col <= resolution; col++) {
      const here = classes[row * resolution + start];
      if (col < resolution && classes[row * resolution + col] === here) continue;
      regions.push({
        x: xMin + start * hx,
        x2: xMin + col * hx,
        y: yMin + row * hy,
        y2: yMin + (row + 1) * hy,
        class: here,
      });
      start = col;
    }
  }
  const samples = Array.from(labels, (label, i) => ({ x: xs[i], y: ys[i], class: label }));

  const color = { field: 'class', type: 'nominal', title: 'class', scale: { scheme: 'category10' } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Decision boundary of the two-layer net on the spiral data',
    width: 480,
    height: 480,
    background: 'white',
    layer: [
      {
        data: { values: regions },
        mark: { type: 'rect', opacity: 0.25, strokeWidth: 0 },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { domain: [xMin, xMax], nice: false }, title: 'x₁' },
          x2: { field: 'x2' },
          y: { field: 'y', type: 'quantitative', scale: { domain: [yMin, yMax], nice: false }, title: 'x₂' },
          y2: { field: 'y2' },
          color: { ...color, legend: null },
        },
      },
      {
        data: { values: samples },
        mark: { type: 'point', filled: true, size: 40, opacity: 0.9 },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative' },
          color,
          shape: { field: 'class', type: 'nominal', scale: { range: ['circle', 'cross', 'triangle-up'] } },
        },
      },
    ],
  };
}

/** Writes the figure as an SVG file at `path`; returns its absolute path. */
export async function plotDecisionBoundary(model: Classifier, spiral: Spiral, path: string): Promise<string> {
  return saveFile(path, await renderSvg(await decisionBoundarySpec(model, spiral)));
}

export interface DecisionBoundaryOptions {
  maxEpoch?: number;
  seed?: number;
  path?: string;
  progress?: ProgressReporter;
  log?: (line: string) => void;
}

/**
 * Trains the net with `Trainer`, then writes the figure to `path`.
 *
 * @example
 * await main({ maxEpoch: 300, path: 'out/spiral-decision-boundary.svg' });
 */
export async function main(options: DecisionBoundaryOptions = {}) {
  const {
    maxEpoch = 300,
    seed = 1984,
    path = 'out/spiral-decision-boundary.svg',
    progress,
    log = console.log,
  } = options;
  const spiral = loadSpiral({ seed });
  const model = new TwoLayerNet(2, 10, 3, { seed });
  const trainer = new Trainer(model, new SGD(model.params, { lr: 1.0 }));
  await trainer.fit(spiral.x, spiral.t, { maxEpoch, batchSize: 30, evalInterval: 10, seed, progress });
  const written = await plotDecisionBoundary(model, spiral, path);
  log(`decision boundary: ${written}`);
  return { model, path: written };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
