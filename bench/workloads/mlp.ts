/**
 * An MLP 784 → 512 → 512 → 10 with sigmoid hidden layers (the book's layers at MNIST's width), softmax
 * with loss, minibatches of 128, SGD lr 0.1. The data are 1,024 random "images" (uniform in [0, 1))
 * with random labels, of a fixed seed: the step's cost does not depend on what the pixels show.
 * Weights start as the book's `randn / sqrt(fan_in)`, biases at 0.
 */
import { Generator, tensor, tidy } from '@graphgrad/core';
import { Affine, gather, Sequential, Sigmoid, SoftmaxWithLoss } from '@graphgrad/nodes';
import { SGD } from '@graphgrad/optim';
import type { Array as JaxArray } from '@jax-js/jax';
import { scalar } from './jax-layers.ts';
import {
  f32,
  floats,
  i32,
  ints,
  minibatches,
  num,
  randn,
  shapeOf,
  zeros,
  type Jax,
  type Workload,
  type WorkloadData,
} from './workload.ts';

const SIZES = [784, 512, 512, 10];
const BATCH = 128;
const ROWS = 1024;
const STEPS = 60;
const LAYERS = SIZES.length - 1;

function data(): WorkloadData {
  const generator = new Generator(2024);
  const arrays: WorkloadData['arrays'] = {
    x: floats([ROWS, SIZES[0]], () => generator.uniform()),
    t: ints([ROWS], () => generator.int(SIZES[LAYERS])),
    idx: minibatches(generator, ROWS, BATCH, STEPS),
  };
  for (let l = 0; l < LAYERS; l++) {
    Object.assign(arrays, {
      [`W${l + 1}`]: randn(generator, [SIZES[l], SIZES[l + 1]], 1 / Math.sqrt(SIZES[l])),
      [`b${l + 1}`]: zeros([SIZES[l + 1]]),
    });
  }
  return { config: { lr: 0.1, batch: BATCH, layers: LAYERS, classes: SIZES[LAYERS] }, arrays };
}

function graphgrad(d: WorkloadData) {
  const param = (name: string) => tensor(f32(d, name).slice(), { shape: shapeOf(d, name), requiresGrad: true });
  const x = tensor(f32(d, 'x').slice(), { shape: shapeOf(d, 'x') });
  const t = tensor(i32(d, 't').slice());
  const idx = i32(d, 'idx');
  const batch = num(d, 'batch');
  const layers = new Sequential([
    new Affine(param('W1'), param('b1')),
    new Sigmoid(),
    new Affine(param('W2'), param('b2')),
    new Sigmoid(),
    new Affine(param('W3'), param('b3')),
  ]);
  const lossLayer = new SoftmaxWithLoss();
  const optimizer = new SGD(layers.params, { lr: num(d, 'lr') });
  return {
    step(i: number): number {
      const loss = tidy(() => {
        const rows = tensor(idx.slice(i * batch, (i + 1) * batch));
        optimizer.zeroGrad();
        const l = lossLayer.forward(layers.forward(gather(x, rows)), gather(t, rows));
        l.backward();
        optimizer.step();
        return l;
      });
      const value = loss.itemSync();
      loss.dispose();
      return value;
    },
  };
}

type Params = Record<string, JaxArray>;

function jaxjs(jax: Jax, d: WorkloadData) {
  const { numpy: np, nn, tree, jit, valueAndGrad } = jax;
  const array = (name: string) => np.array(f32(d, name)).reshape(shapeOf(d, name));
  let params: Params = {};
  for (let l = 1; l <= LAYERS; l++) Object.assign(params, { [`W${l}`]: array(`W${l}`), [`b${l}`]: array(`b${l}`) });
  const x = array('x');
  const t = np.array(i32(d, 't'), { dtype: np.int32 });
  const idx = i32(d, 'idx');
  const batch = num(d, 'batch');
  const lr = num(d, 'lr');
  const lossOf = (p: Params, bx: JaxArray, bt: JaxArray): JaxArray => {
    let h = bx;
    for (let l = 1; l <= LAYERS; l++) {
      h = np.dot(h, p[`W${l}`]).add(p[`b${l}`]);
      if (l < LAYERS) h = nn.sigmoid(h);
    }
    return nn
      .logSoftmax(h)
      .mul(nn.oneHot(bt, SIZES[LAYERS]))
      .sum()
      .mul(-1 / batch);
  };
  const step = jit((p: Params, rows: JaxArray, xs: JaxArray, ts: JaxArray): [JaxArray, Params] => {
    const [loss, grads] = valueAndGrad(lossOf)(tree.ref(p), xs.slice(rows.ref), ts.slice(rows));
    return [loss, tree.map((w: JaxArray, g: JaxArray) => w.sub(g.mul(lr)), p, grads)];
  });
  return {
    step(i: number): number {
      const rows = np.array(idx.slice(i * batch, (i + 1) * batch), { dtype: np.int32 });
      const [loss, next] = step(params, rows, x.ref, t.ref);
      params = next;
      return scalar(loss);
    },
  };
}

export const mlp: Workload = {
  name: 'mlp',
  title: 'MLP 784-512-512-10, sigmoid, softmax with loss, batch 128, SGD lr 0.1 (random data of a fixed seed)',
  python: 'mlp.py',
  steps: STEPS,
  warmup: 10,
  group: 1,
  multithread: true,
  numpy: true,
  tolerance: 1e-5,
  data,
  graphgrad,
  jaxjs,
};
