/**
 * The file to copy when starting a model: a network written as a `Module`, trained with Adam and a
 * cosine schedule by the `Trainer` (validation loss and accuracy each epoch), saved by name,
 * loaded into a new instance and evaluated. Here on the book's spiral data; swap in your data,
 * layers and loss.
 *
 * Run: node --import tsx examples/module-template.ts
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Adam,
  argmax,
  cast,
  CosineAnnealingLR,
  crossEntropy,
  Dropout,
  equal,
  gather,
  Generator,
  LayerNorm,
  Linear,
  lineProgress,
  loadInto,
  loadSpiral,
  mean,
  Module,
  noGrad,
  relu,
  save,
  tensor,
  Trainer,
  type EpochReport,
  type ProgressReporter,
  type Tensor,
} from 'graphgrad';

/** The model: its layers are fields (found by name), `forward` says how they connect. */
export class SpiralNet extends Module<[x: Tensor], Tensor> {
  readonly fc1: Linear;
  readonly norm: LayerNorm;
  readonly drop: Dropout;
  readonly fc2: Linear;

  constructor(hidden: number, { seed = 0 } = {}) {
    super();
    const generator = new Generator(seed);
    this.fc1 = new Linear(2, hidden, { generator });
    this.norm = new LayerNorm(hidden);
    this.drop = new Dropout(0.1, { generator });
    this.fc2 = new Linear(hidden, 3, { generator });
  }

  /** Class scores `[N, 3]` for points `[N, 2]`. */
  forward(x: Tensor): Tensor {
    return this.fc2.call(this.drop.call(relu(this.norm.call(this.fc1.call(x)))));
  }
}

/** The fraction of rows whose highest score is the label. */
const accuracy = (scores: Tensor, labels: Tensor): Tensor => mean(cast(equal(argmax(scores), labels), 'float32'));

export interface TemplateOptions {
  maxEpoch?: number;
  hidden?: number;
  seed?: number;
  /** Where the checkpoint goes. */
  outDir?: string;
  progress?: ProgressReporter;
  log?: (line: string) => void;
}

/**
 * Trains, saves, reloads into a fresh `SpiralNet` and evaluates it; returns the history and the
 * validation accuracy of the trained and of the reloaded model (the same).
 *
 * @example
 * const { history, reloadedAccuracy } = await main({ maxEpoch: 3, outDir: 'out' });
 */
export async function main(options: TemplateOptions = {}) {
  const { maxEpoch = 60, hidden = 32, seed = 1984, outDir = 'out', log = console.log } = options;

  // Data: the spiral's 300 points, shuffled and split 240 / 60, labels as int32 class ids.
  const spiral = loadSpiral({ seed });
  const order = new Generator(seed).permutation(300);
  const labels = argmax(spiral.t);
  const rows = (from: number, to: number): Tensor => tensor(order.subarray(from, to));
  const [train, validation] = [rows(0, 240), rows(240, 300)].map((r) => ({
    x: gather(spiral.x, r),
    t: gather(labels, r),
  }));

  // Model, optimizer, schedule, trainer.
  const model = new SpiralNet(hidden, { seed });
  log(model.toString());
  const optimizer = new Adam(model.parameters(), { lr: 0.02 });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: maxEpoch });
  const trainer = new Trainer(model, optimizer, { loss: (scores, t) => crossEntropy(scores, t), scheduler });
  await trainer.fit(train.x, train.t, {
    maxEpoch,
    batchSize: 30,
    seed,
    progress: options.progress ?? lineProgress(() => {}),
    validation,
    metrics: { accuracy },
    onEpoch: (r: EpochReport) => {
      if (r.epoch % 10 === 0 || r.epoch === maxEpoch)
        log(
          `epoch ${r.epoch}: train ${r.trainLoss.toFixed(3)}, validation ${r.validationLoss!.toFixed(3)}, accuracy ${r.metrics.accuracy.toFixed(3)}`,
        );
    },
  });

  // Checkpoint by name, then a new instance restored from it.
  const path = join(outDir, 'spiral-net.safetensors');
  await save(model, path);
  const reloaded = new SpiralNet(hidden, { seed: seed + 1 });
  await loadInto(reloaded, path);

  // Evaluate both in eval mode (no dropout), without gradients.
  const evaluate = async (m: SpiralNet): Promise<number> => {
    m.eval();
    const score = noGrad(() => accuracy(m.call(validation.x), validation.t));
    const value = await score.item();
    score.dispose();
    return value;
  };
  const trainedAccuracy = await evaluate(model);
  const reloadedAccuracy = await evaluate(reloaded);
  log(`saved ${path}; validation accuracy ${trainedAccuracy.toFixed(3)}, reloaded ${reloadedAccuracy.toFixed(3)}`);
  return { history: trainer.history, trainedAccuracy, reloadedAccuracy, path, model, reloaded };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
