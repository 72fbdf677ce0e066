/**
 * The book's chapter-1 training (two-layer net Affine → Sigmoid → Affine → SoftmaxWithLoss on the
 * spiral data, SGD lr 1.0, 300 epochs × 10 minibatches of 30 = 3,000 steps, hidden 10, float32) in
 * graphgrad, in numpy (bench/spiral_train.py, timed inside Python) and in TensorFlow.js (its
 * pure-JS cpu backend and its wasm backend), each reading every step's loss as the book's loop
 * does; and against the floor, the same step fused by hand into plain JavaScript loops with no
 * framework (bench/spiral-plain-js.ts). Prints the median time of the training loop and the ratio
 * graphgrad / each reference.
 *
 * Times are the process's CPU time by default (numpy's too: time.process_time), so that time slices
 * lost to other processes on a shared machine do not count; `--wall` times elapsed time instead.
 *
 *   node --import tsx bench/spiral-train.ts [--runs 5] [--epochs 300] [--wall]
 */
import { Generator, getBackend, randn, setBackend, tensor, tidy, zeros } from '@graphgrad/core';
import { cpuBackend } from '@graphgrad/cpu';
import { loadSpiral, type Spiral } from '@graphgrad/datasets';
import { probeBackend } from './backend-probe.ts';
import { Affine, gather, Sequential, Sigmoid, SoftmaxWithLoss } from '@graphgrad/nodes';
import { SGD } from '@graphgrad/optim';
import { fileURLToPath } from 'node:url';
import {
  flagValue,
  fmt,
  fmtRatio,
  hasFlag,
  type Clock,
  machineLine,
  measureTiming,
  measureTimingAsync,
  printTable,
  reproduceLine,
  runPython,
  type Timing,
} from './harness.ts';
import { tfjsWasmVariant, useTfjs, type Tfjs } from './tfjs.ts';
import { trainPlainJs } from './spiral-plain-js.ts';

// graphgrad's CPU backend: core sets no backend of its own.
setBackend(cpuBackend());

const RUNS = Number(flagValue('--runs') ?? 5);
const EPOCHS = Number(flagValue('--epochs') ?? 300);
const BATCH = 30;
const HIDDEN = 10;
const LR = 1.0;
const CLOCK: Clock = hasFlag('--wall') ? 'wall' : 'cpu';

const spiral = loadSpiral({ seed: 1984 });
const DATA_SIZE = spiral.x.shape[0];
const ITERS = Math.floor(DATA_SIZE / BATCH);
const STEPS = EPOCHS * ITERS;

/** The book's loop in graphgrad, with its layers and optimizer; returns the last printed mean loss. */
function trainGraphgrad(seed: number, data: Spiral = spiral): number {
  const { x, t } = data;
  const generator = new Generator(seed);
  const W1 = randn([2, HIDDEN], { std: 0.01, generator, requiresGrad: true });
  const b1 = zeros([HIDDEN], { requiresGrad: true });
  const W2 = randn([HIDDEN, 3], { std: 0.01, generator, requiresGrad: true });
  const b2 = zeros([3], { requiresGrad: true });
  const layers = new Sequential([new Affine(W1, b1), new Sigmoid(), new Affine(W2, b2)]);
  const lossLayer = new SoftmaxWithLoss();
  const optimizer = new SGD(layers.params, { lr: LR });
  let total = 0;
  let count = 0;
  let last = NaN;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const idx = generator.permutation(DATA_SIZE);
    for (let it = 0; it < ITERS; it++) {
      const loss = tidy(() => {
        const batch = tensor(idx.subarray(it * BATCH, (it + 1) * BATCH));
        optimizer.zeroGrad();
        const l = lossLayer.forward(layers.forward(gather(x, batch)), gather(t, batch));
        l.backward();
        optimizer.step();
        return l;
      });
      total += loss.itemSync();
      loss.dispose();
      count++;
      if ((it + 1) % 10 === 0) {
        last = total / count;
        total = 0;
        count = 0;
      }
    }
  }
  for (const p of [W1, b1, W2, b2]) {
    p.zeroGrad();
    p.dispose();
  }
  return last;
}

/** The same loop in TensorFlow.js: its ops, its tape (`optimizer.minimize`) and its SGD. */
function trainTfjs(tf: Tfjs, seed: number): number {
  const generator = new Generator(seed);
  const x = tf.tensor2d(Float32Array.from(spiral.points), [DATA_SIZE, 2]);
  const t = tf.cast(tf.oneHot(tf.tensor1d(spiral.labels, 'int32'), spiral.classes), 'float32');
  const W1 = tf.variable(tf.randomNormal([2, HIDDEN], 0, 0.01, 'float32', seed));
  const b1 = tf.variable(tf.zeros([HIDDEN]));
  const W2 = tf.variable(tf.randomNormal([HIDDEN, 3], 0, 0.01, 'float32', seed + 1));
  const b2 = tf.variable(tf.zeros([3]));
  const optimizer = tf.train.sgd(LR);
  let total = 0;
  let count = 0;
  let last = NaN;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const idx = generator.permutation(DATA_SIZE);
    for (let it = 0; it < ITERS; it++) {
      const loss = tf.tidy(() => {
        const batch = tf.tensor1d(idx.subarray(it * BATCH, (it + 1) * BATCH), 'int32');
        const bx = tf.gather(x, batch);
        const bt = tf.gather(t, batch);
        return optimizer.minimize(() => {
          const h = tf.sigmoid(tf.add(tf.matMul(bx, W1), b1));
          const a = tf.add(tf.matMul(h, W2), b2);
          return tf.losses.softmaxCrossEntropy(bt, a);
        }, true)!;
      });
      total += loss.dataSync()[0];
      loss.dispose();
      count++;
      if ((it + 1) % 10 === 0) {
        last = total / count;
        total = 0;
        count = 0;
      }
    }
  }
  tf.dispose([x, t, W1, b1, W2, b2]);
  optimizer.dispose();
  return last;
}

/**
 * One more graphgrad run on a backend wrapper that times every call into the backend, to split a
 * step into the backend's time (kernels, fills, reads, disposal: the kernel engineer's side) and
 * the framework's (the rest: tape, validation, scopes, optimizer bookkeeping). Wall time; the
 * wrapper's timer costs are subtracted, its forwarding is not (it lands in the framework's share).
 */
function splitGraphgrad(): void {
  const real = getBackend();
  const probe = probeBackend(real, { timed: true });
  setBackend(probe.backend);
  try {
    const data = loadSpiral({ seed: 1984, backend: probe.backend });
    trainGraphgrad(1984, data);
    probe.reset();
    const start = performance.now();
    trainGraphgrad(1984, data);
    const total = performance.now() - start;
    const backendMs = probe.totalMs();
    const perStep = (ms: number) => (ms * 1000) / STEPS;
    printTable(
      `graphgrad's step split (one instrumented run, wall time; ${fmt(probe.totalCalls() / STEPS, 3)} backend calls a step)`,
      ['part', 'µs / step', 'share'],
      [
        ['total (instrumented)', perStep(total), '100%'],
        [
          'backend (kernels, fill, fromData, readSync, dispose)',
          perStep(backendMs),
          `${fmt((100 * backendMs) / total, 3)}%`,
        ],
        ['framework (the rest)', perStep(total - backendMs), `${fmt((100 * (total - backendMs)) / total, 3)}%`],
      ],
    );
    const top = [...probe.stats].filter(([, s]) => s.calls > 0).sort((a, b) => b[1].ms - a[1].ms);
    printTable(
      'backend calls a step, by time',
      ['call', 'calls / step', 'µs / step', 'µs / call'],
      top.map(([name, s]) => [name, s.calls / STEPS, perStep(s.ms), (s.ms * 1000) / s.calls]),
    );
  } finally {
    setBackend(real);
  }
}

interface PythonResult {
  seconds: number;
  samples: number[];
  final_loss: number;
  steps: number;
  numpy: string;
}

/** One framework's result: the distribution of the training loop's time and its final loss. */
interface Row {
  readonly name: string;
  readonly timing: Timing | undefined;
  readonly loss: number | undefined;
}

async function main(): Promise<void> {
  console.log(machineLine());
  console.log(
    `spiral-train: ${STEPS} SGD steps (${EPOCHS} epochs × ${ITERS}), batch ${BATCH}, hidden ${HIDDEN}, lr ${LR}, float32; median of ${RUNS} runs after a warm-up; ${CLOCK === 'cpu' ? 'process CPU time' : 'wall time'}`,
  );
  const rows: Row[] = [];

  let loss = NaN;
  const ours = measureTiming('graphgrad', () => (loss = trainGraphgrad(1984)), {
    warmup: 1,
    runs: RUNS,
    verbose: true,
    clock: CLOCK,
  });
  rows.push({ name: 'graphgrad (cpu)', timing: ours, loss });

  const py = runPython<PythonResult>(fileURLToPath(new URL('./spiral_train.py', import.meta.url)), [
    '--runs',
    String(RUNS),
    '--epochs',
    String(EPOCHS),
    ...(CLOCK === 'wall' ? ['--wall'] : []),
  ]);
  const numpy: Row =
    py === undefined
      ? { name: 'numpy', timing: undefined, loss: undefined }
      : {
          name: `numpy ${py.numpy}`,
          timing: {
            name: 'numpy',
            median: py.seconds * 1000,
            min: Math.min(...py.samples) * 1000,
            max: Math.max(...py.samples) * 1000,
            samples: py.samples.map((s) => s * 1000),
          },
          loss: py.final_loss,
        };
  rows.push(numpy);

  // Before TensorFlow.js is loaded, as graphgrad and numpy were (bench/tfjs.ts says why).
  let floorLoss = NaN;
  const floor = measureTiming('plain JS', () => (floorLoss = trainPlainJs(spiral, 1984, EPOCHS, BATCH, HIDDEN, LR)), {
    warmup: 1,
    runs: RUNS,
    verbose: true,
    clock: CLOCK,
  });
  const floorRow: Row = { name: 'plain JS, fused by hand (the floor)', timing: floor, loss: floorLoss };

  const tfRows: Row[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    const tf = await useTfjs(backend);
    const name = `tfjs ${tf?.version_core ?? ''} ${backend}${backend === 'wasm' && tf ? ` (${tfjsWasmVariant()})` : ''}`;
    if (tf === undefined) {
      tfRows.push({ name, timing: undefined, loss: undefined });
      continue;
    }
    let l = NaN;
    const timing = await measureTimingAsync(name, async () => (l = trainTfjs(tf, 1984)), {
      warmup: 1,
      runs: RUNS,
      verbose: true,
      clock: CLOCK,
    });
    tfRows.push({ name, timing, loss: l });
  }
  rows.push(...tfRows, floorRow);

  const ref = (r: Row | undefined) => (r?.timing === undefined ? undefined : ours.median / r.timing.median);
  printTable(
    `spiral-train: ${STEPS} steps, median of ${RUNS} runs (ratio = graphgrad's time / that row's)`,
    ['framework', 'seconds', 'µs / step', 'min s', 'max s', 'final loss', 'graphgrad / this'],
    rows.map((r) => [
      r.name,
      r.timing && r.timing.median / 1000,
      r.timing && (r.timing.median * 1000) / STEPS,
      r.timing && r.timing.min / 1000,
      r.timing && r.timing.max / 1000,
      r.loss,
      fmtRatio(ref(r)),
    ]),
  );
  splitGraphgrad();
  console.log(
    `targets: graphgrad / numpy ≤ 0.3× (measured ${fmtRatio(ref(numpy))}), graphgrad / tfjs-cpu ≤ 0.2× (measured ${fmtRatio(ref(tfRows[0]))})`,
  );
  if (numpy.timing !== undefined) {
    console.log(
      `the floor: plain JS fused by hand / numpy = ${fmtRatio(floor.median / numpy.timing.median)} (no scalar-JavaScript step can go below it); graphgrad / the floor = ${fmtRatio(ours.median / floor.median)}`,
    );
  }
  console.log(reproduceLine('bench/spiral-train.ts', process.argv.slice(2)));
}

await main();
