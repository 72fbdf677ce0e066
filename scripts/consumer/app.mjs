// A user's own program, run with plain `node app.mjs` against the packed packages: the book's
// spiral net trained exactly as `npm run demo` trains it (examples/spiral-trainer.ts with its
// TwoLayerNet, seed 1984), importing from 'graphgrad' only. Its last line is the demo's
// `loss=… accuracy=…`, which scripts/consumer-test.sh compares with the demo's figures.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Affine,
  AnomalyError,
  detectAnomaly,
  log,
  tensor,
  Generator,
  SGD,
  Sequential,
  Sigmoid,
  SoftmaxWithLoss,
  Trainer,
  argmax,
  loadSpiral,
  noGrad,
  randn,
  tidy,
  zeros,
} from 'graphgrad';

const seed = 1984;
const [maxEpoch, batchSize, hiddenSize, learningRate, evalInterval] = [300, 30, 10, 1.0, 10];

// The demo's TwoLayerNet: Affine → Sigmoid → Affine with SoftmaxWithLoss, W = 0.01·randn from one
// generator seeded like the data (W1 drawn before W2), b = 0.
class TwoLayerNet {
  lossLayer = new SoftmaxWithLoss();

  constructor(inputSize, hidden, outputSize) {
    const generator = new Generator(seed);
    const W1 = randn([inputSize, hidden], { std: 0.01, generator, requiresGrad: true });
    const b1 = zeros([hidden], { requiresGrad: true });
    const W2 = randn([hidden, outputSize], { std: 0.01, generator, requiresGrad: true });
    const b2 = zeros([outputSize], { requiresGrad: true });
    this.layers = new Sequential([new Affine(W1, b1), new Sigmoid(), new Affine(W2, b2)]);
  }

  get params() {
    return this.layers.params;
  }

  forward(x, t) {
    return this.lossLayer.forward(this.layers.forward(x), t);
  }

  async accuracy(x, t) {
    const [predicted, expected] = noGrad(() =>
      tidy(() => [argmax(this.layers.forward(x)), t.dtype === 'int32' ? t.detach() : argmax(t)]),
    );
    const [p, e] = await Promise.all([predicted.data(), expected.data()]);
    predicted.dispose();
    expected.dispose();
    return p.filter((c, i) => c === e[i]).length / p.length;
  }
}

const spiral = loadSpiral({ seed });
const model = new TwoLayerNet(2, hiddenSize, 3);
const trainer = new Trainer(model, new SGD(model.params, { lr: learningRate }));
// The default progress reporter: under Node.js the package's "#default-progress" import picks the
// terminal one, which prints the book's line per interval when stdout is not a terminal.
await trainer.fit(spiral.x, spiral.t, { maxEpoch, batchSize, evalInterval, seed });

// The loss curve, as the demo writes it (Vega-Lite to SVG, saved through "#save-file").
const outDir = await mkdtemp(join(tmpdir(), 'graphgrad-app-'));
try {
  const plot = await trainer.plot(join(outDir, 'spiral-loss.svg'));
  console.log(`loss curve: ${(await stat(plot)).size} bytes of SVG`);
} finally {
  await rm(outDir, { recursive: true, force: true });
}

// Anomaly mode names the user's own line as the call site, never graphgrad's installed files.
try {
  detectAnomaly(() => log(tensor([0], { requiresGrad: true })));
  throw new Error('detectAnomaly found no -Inf in log(0)');
} catch (error) {
  if (!(error instanceof AnomalyError)) throw error;
  const site = error.details.callSite.split('\n')[0];
  if (!site.includes('app.mjs')) throw new Error(`anomaly mode's call site is not the user's line: ${site}`);
  console.log(`anomaly: the call site is the user's line (${site.trim().slice(0, 80)})`);
}

const loss = trainer.lossList[trainer.lossList.length - 1];
const accuracy = await model.accuracy(spiral.x, spiral.t);
console.log(`loss=${loss.toFixed(2)} accuracy=${accuracy.toFixed(3)}`);
