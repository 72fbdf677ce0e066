/**
 * The book's training with the Trainer class (§1.4.4, `ch01/train.py`): the same net, data and
 * hyperparameters as spiral-custom-loop.ts, with the loop, the shuffling and the loss bookkeeping
 * inside `Trainer.fit`. This is `npm run demo`: it writes the loss curve and the decision boundary
 * into out/, then prints the final mean loss and the training accuracy.
 *
 * Run: node --import tsx examples/spiral-trainer.ts [--backend webgpu] [--seed 1984]
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ArgumentError, loadSpiral, SGD, Trainer, type ProgressReporter } from 'graphgrad';
import { plotDecisionBoundary } from './decision-boundary.ts';
import { backendFromArgs } from './backend-option.ts';
import { TwoLayerNet } from './two-layer-net.ts';

export interface SpiralTrainerOptions {
  maxEpoch?: number;
  batchSize?: number;
  hiddenSize?: number;
  learningRate?: number;
  evalInterval?: number;
  /** Seeds the data, the weights and the shuffling. */
  seed?: number;
  /** Folder for the two images. */
  outDir?: string;
  /** Default: a progress bar on a terminal, the book's line per interval otherwise. */
  progress?: ProgressReporter;
  log?: (line: string) => void;
}

/**
 * Trains with `Trainer`, writes the two images into `outDir`, and ends with the line
 * `loss=<final mean loss> accuracy=<training accuracy>`.
 *
 * @example
 * const { loss, accuracy } = await main({ maxEpoch: 3, outDir: 'out' });
 */
export async function main(options: SpiralTrainerOptions = {}) {
  const { maxEpoch = 300, batchSize = 30, hiddenSize = 10, learningRate = 1.0, evalInterval = 10 } = options;
  const { seed = 1984, outDir = 'out', progress, log = console.log } = options;

  const spiral = loadSpiral({ seed });
  const model = new TwoLayerNet(2, hiddenSize, 3, { seed });
  const optimizer = new SGD(model.params, { lr: learningRate });
  const trainer = new Trainer(model, optimizer);

  await trainer.fit(spiral.x, spiral.t, { maxEpoch, batchSize, evalInterval, seed, progress });

  // The book's trainer.plot(): the loss of each interval against iterations (x evalInterval)
  const lossPlot = await trainer.plot(join(outDir, 'spiral-loss.svg'));
  const boundaryPlot = await plotDecisionBoundary(model, spiral, join(outDir, 'spiral-decision-boundary.svg'));
  log(`loss curve: ${lossPlot}`);
  log(`decision boundary: ${boundaryPlot}`);

  const loss = trainer.lossList[trainer.lossList.length - 1];
  const accuracy = await model.accuracy(spiral.x, spiral.t);
  log(`loss=${loss.toFixed(2)} accuracy=${accuracy.toFixed(3)}`);
  return { loss, accuracy, lossPlot, boundaryPlot, trainer };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { backend: { type: 'string' }, seed: { type: 'string', default: '1984' } } });
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed))
    throw new ArgumentError(`--seed: expected an integer, got ${JSON.stringify(values.seed)}`);
  const backend = await backendFromArgs();
  console.log(`backend: ${backend.description}`);
  try {
    await main({ seed });
  } finally {
    backend.close();
  }
}
