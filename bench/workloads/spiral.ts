/**
 * The book's chapter-1 step (as bench/spiral-train.ts): Affine 2→10 → Sigmoid → Affine 10→3 →
 * SoftmaxWithLoss on minibatches of 30 spiral points, SGD with lr 1.0, float32. The weights start
 * as the book's `0.01·randn`, the biases at 0; a fresh permutation of the 300 points each epoch.
 */
import { Generator, tensor, tidy } from '@graphgrad/core';
import { loadSpiral } from '@graphgrad/datasets';
import { Affine, gather, Sequential, Sigmoid, SoftmaxWithLoss } from '@graphgrad/nodes';
import { SGD } from '@graphgrad/optim';
import type { Array as JaxArray } from '@jax-js/jax';
import { scalar } from './jax-layers.ts';
import {
  f32,
  i32,
  minibatches,
  num,
  randn,
  shapeOf,
  zeros,
  type Jax,
  type Workload,
  type WorkloadData,
} from './workload.ts';

const HIDDEN = 10;
const BATCH = 30;
const STEPS = 6000;

function data(): WorkloadData {
  const spiral = loadSpiral({ seed: 1984 });
  const rows = spiral.labels.length;
  const generator = new Generator(1984);
  return {
    config: { lr: 1.0, batch: BATCH, classes: spiral.classes },
    arrays: {
      x: { dtype: 'float32', shape: [rows, 2], values: Float32Array.from(spiral.points) },
      t: { dtype: 'int32', shape: [rows], values: Int32Array.from(spiral.labels) },
      W1: randn(generator, [2, HIDDEN], 0.01),
      b1: zeros([HIDDEN]),
      W2: randn(generator, [HIDDEN, spiral.classes], 0.01),
      b2: zeros([spiral.classes]),
      idx: minibatches(generator, rows, BATCH, STEPS),
    },
  };
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

type Params = { W1: JaxArray; b1: JaxArray; W2: JaxArray; b2: JaxArray };

function jaxjs(jax: Jax, d: WorkloadData) {
  const { numpy: np, nn, tree, jit, valueAndGrad } = jax;
  const array = (name: string) => np.array(f32(d, name)).reshape(shapeOf(d, name));
  let params: Params = { W1: array('W1'), b1: array('b1'), W2: array('W2'), b2: array('b2') };
  const x = array('x');
  const t = np.array(i32(d, 't'), { dtype: np.int32 });
  const idx = i32(d, 'idx');
  const batch = num(d, 'batch');
  const lr = num(d, 'lr');
  const classes = num(d, 'classes');
  const lossOf = (p: Params, bx: JaxArray, bt: JaxArray): JaxArray => {
    const h = nn.sigmoid(np.dot(bx, p.W1).add(p.b1));
    const a = np.dot(h, p.W2).add(p.b2);
    return nn
      .logSoftmax(a)
      .mul(nn.oneHot(bt, classes))
      .sum()
      .mul(-1 / batch);
  };
  // The whole step (the minibatch's gather, loss, gradients, SGD update) is one jit-compiled function.
  const step = jit((p: Params, rows: JaxArray, xs: JaxArray, ts: JaxArray): [JaxArray, Params] => {
    const [loss, grads] = valueAndGrad(lossOf)(tree.ref(p), xs.slice(rows.ref), ts.slice(rows));
    return [loss, tree.map<JaxArray, JaxArray, Params>((w, g) => w.sub(g.mul(lr)), p, grads)];
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

export const spiral: Workload = {
  name: 'spiral',
  title: "the book's chapter-1 step: 2-10-3, sigmoid, softmax with loss, batch 30, SGD lr 1.0",
  python: 'spiral.py',
  steps: STEPS,
  // V8 keeps optimising graphgrad's step for a few thousand steps.
  warmup: 4000,
  group: 50,
  multithread: false,
  numpy: true,
  tolerance: 1e-4,
  data,
  graphgrad,
  jaxjs,
};
