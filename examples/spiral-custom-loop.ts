/**
 * The book's hand-written training loop (§1.4.4, `ch01/train_custom_loop.py`): the two-layer net
 * on the spiral data, SGD with learning rate 1.0, 300 epochs of minibatches of 30.
 *
 * Run: node --import tsx examples/spiral-custom-loop.ts [--backend webgpu]
 */
import { pathToFileURL } from 'node:url';
import { Generator, tensor, tidy, loadSpiral, gather, SGD } from 'graphgrad';
import { backendFromArgs } from './backend-option.ts';
import { TwoLayerNet } from './two-layer-net.ts';

export interface CustomLoopOptions {
  maxEpoch?: number;
  batchSize?: number;
  hiddenSize?: number;
  learningRate?: number;
  /** Seeds the data, the weights and the shuffling (the book seeds numpy with 1984). */
  seed?: number;
  log?: (line: string) => void;
}

/**
 * Trains with the book's loop and returns the model and the loss list; `log` gets the lines.
 *
 * @example
 * const { lossList } = await main({ maxEpoch: 3 });
 */
export async function main(options: CustomLoopOptions = {}) {
  // 1. Hyperparameters (the book's)
  const {
    maxEpoch = 300,
    batchSize = 30,
    hiddenSize = 10,
    learningRate = 1.0,
    seed = 1984,
    log = console.log,
  } = options;

  // 2. Data, model, optimizer
  const { x, t } = loadSpiral({ seed });
  const model = new TwoLayerNet(2, hiddenSize, 3, { seed });
  const optimizer = new SGD(model.params, { lr: learningRate });
  const shuffler = new Generator(seed);

  // 3. Variables used while training
  const dataSize = x.shape[0];
  const maxIters = Math.floor(dataSize / batchSize);
  let totalLoss = 0;
  let lossCount = 0;
  const lossList: number[] = [];

  for (let epoch = 0; epoch < maxEpoch; epoch++) {
    // 4. Shuffle the data: the book's x[idx], t[idx]; here the permutation picks each minibatch
    const idx = shuffler.permutation(dataSize);

    for (let iters = 0; iters < maxIters; iters++) {
      // tidy frees every tensor the step creates except the returned loss (numpy leaves that to
      // the garbage collector; a GPU buffer cannot wait for it)
      const loss = tidy(() => {
        const batch = tensor(idx.subarray(iters * batchSize, (iters + 1) * batchSize));
        const batchX = gather(x, batch);
        const batchT = gather(t, batch);

        // 5. Gradients, then the update. No model.backward(): the tape recorded forward, and
        // backward() leaves each parameter's gradient in param.grad
        optimizer.zeroGrad();
        const loss = model.forward(batchX, batchT);
        loss.backward();
        optimizer.step();
        return loss;
      });
      totalLoss += await loss.item();
      loss.dispose();
      lossCount += 1;

      // 6. Report the mean loss every 10 iterations
      if ((iters + 1) % 10 === 0) {
        const avgLoss = totalLoss / lossCount;
        log(`| epoch ${epoch + 1} | iter ${iters + 1} / ${maxIters} | loss ${avgLoss.toFixed(2)}`);
        lossList.push(avgLoss);
        totalLoss = 0;
        lossCount = 0;
      }
    }
  }
  return { model, lossList };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const backend = await backendFromArgs();
  console.log(`backend: ${backend.description}`);
  try {
    await main();
  } finally {
    backend.close();
  }
}
