/**
 * The book's time layers, optimizer and clipping written in jax-js, for the workloads' jax-js steps
 * (chapters 6-8). jax-js counts references: every function takes ownership of the arrays passed to
 * it, and `x.ref` passes a new reference while keeping `x`; these helpers follow that rule.
 */
import type { Array as JaxArray } from '@jax-js/jax';
import type { Jax } from './workload.ts';

/** The values of `a` read back (consumes `a`). */
export function values(a: JaxArray): ArrayLike<number> {
  // NOTE: jax-js types its data as a union that includes Float16Array, which this project's
  // TypeScript library does not declare (the type-aware linter sees an error type): float32 or
  // int32 values here.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
  const data: ArrayLike<number> = a.dataSync();
  return data;
}

/** The one value of a scalar `a` read back (consumes `a`). */
export function scalar(a: JaxArray): number {
  return values(a)[0];
}

/** Parameters, gradients and optimizer slots by name. */
export type Tree = Record<string, JaxArray>;

/**
 * Rows of the embedding `W` [V, D] for ids [N, T]: [N, T, D] (its gradient is a scatter-add).
 * `one` is an array holding 1, passed into the jit-compiled step.
 */
// NOTE: jax-js 0.1.25 cannot compile a scatter (the gather's gradient) whose input is a view of
// another result ("jit: routine primitive scatter input is not imm"), which is what the gradient
// arriving through a product is. Multiplying by a traced 1 (a literal 1 would be folded away)
// makes that gradient an elementwise result of its own: one pass over [N, T, D], negligible here.
export function embed(jax: Jax, W: JaxArray, ids: JaxArray, one: JaxArray): JaxArray {
  return jax.numpy.take(W, ids, 0).mul(one);
}

/**
 * An LSTM over xs [N, T, D] from (h, c), with the four gates side by side in the book's order f, g,
 * i, o; returns every step's h [N, T, H] and the last (h, c). The input products of all steps are one
 * product, as PyTorch's LSTM computes them.
 */
export function lstm(
  jax: Jax,
  xs: JaxArray,
  Wx: JaxArray,
  Wh: JaxArray,
  b: JaxArray,
  h0: JaxArray,
  c0: JaxArray,
): { hs: JaxArray; h: JaxArray; c: JaxArray } {
  const { numpy: np, nn } = jax;
  const [n, steps, d] = xs.shape;
  const H = Wh.shape[0];
  const xw = np.dot(xs.reshape([n * steps, d]), Wx).reshape([n, steps, 4 * H]);
  let h = h0;
  let c = c0;
  const hs: JaxArray[] = [];
  for (let t = 0; t < steps; t++) {
    const a = xw.ref.slice([], t).add(np.dot(h, Wh.ref)).add(b.ref);
    const f = nn.sigmoid(a.ref.slice([], [0, H]));
    const g = np.tanh(a.ref.slice([], [H, 2 * H]));
    const i = nn.sigmoid(a.ref.slice([], [2 * H, 3 * H]));
    const o = nn.sigmoid(a.slice([], [3 * H, 4 * H]));
    c = f.mul(c).add(g.mul(i));
    h = o.mul(np.tanh(c.ref));
    hs.push(h.ref);
  }
  xw.dispose();
  Wh.dispose();
  b.dispose();
  return { hs: np.stack(hs, 1), h, c };
}

/** x [N, T, D] · W [D, M] + b: [N, T, M]. */
export function timeAffine(jax: Jax, x: JaxArray, W: JaxArray, b: JaxArray): JaxArray {
  const [n, steps, d] = x.shape;
  return jax.numpy
    .dot(x.reshape([n * steps, d]), W)
    .add(b)
    .reshape([n, steps, -1]);
}

/**
 * Mean cross entropy of softmax(scores) [N, T, V] against int32 ids [N, T]; `one` as for {@link embed}
 * (picking each row's target is a gather, whose gradient is a scatter).
 */
export function timeSoftmaxWithLoss(jax: Jax, scores: JaxArray, ids: JaxArray, one: JaxArray): JaxArray {
  const { numpy: np, nn } = jax;
  const [n, steps, v] = scores.shape;
  const logp = nn.logSoftmax(scores.reshape([n * steps, v]), -1);
  return np
    .takeAlongAxis(logp, ids.reshape([n * steps, 1]), 1)
    .mul(one)
    .mean()
    .mul(-1);
}

/** The book's clip_grads: every gradient times maxNorm / (‖all‖ + 1e-6) when that is below 1. */
export function clipGrads(jax: Jax, grads: Tree, maxNorm: number): Tree {
  const { numpy: np, tree } = jax;
  const squares = Object.values(tree.ref(grads)).map((g) => np.square(g).sum());
  const total = np.sqrt(squares.reduce((a, b) => a.add(b)));
  const scale = np.minimum(np.reciprocal(total.add(1e-6)).mul(maxNorm), 1);
  const out = tree.map((g: JaxArray) => g.mul(scale.ref), grads);
  scale.dispose();
  return out;
}

/** SGD: p - lr·g. */
export function sgd(jax: Jax, params: Tree, grads: Tree, lr: number): Tree {
  return jax.tree.map((p: JaxArray, g: JaxArray) => p.sub(g.mul(lr)), params, grads);
}

/**
 * The book's Adam (as graphgrad's): m += (1-β1)(g-m); v += (1-β2)(g²-v); p -= lrT·m / (√v + 1e-7),
 * with lrT = lr·√(1-β2^t)/(1-β1^t) computed by the caller for step t.
 */
export function adam(
  jax: Jax,
  params: Tree,
  grads: Tree,
  m: Tree,
  v: Tree,
  lrT: JaxArray,
): { params: Tree; m: Tree; v: Tree } {
  const { numpy: np } = jax;
  const next = { params: {} as Tree, m: {} as Tree, v: {} as Tree };
  for (const key of Object.keys(params)) {
    const g = grads[key];
    const mk = m[key].ref.add(g.ref.sub(m[key]).mul(0.1));
    const vk = v[key].ref.add(np.square(g).sub(v[key]).mul(0.001));
    next.params[key] = params[key].sub(mk.ref.mul(lrT.ref).div(np.sqrt(vk.ref).add(1e-7)));
    next.m[key] = mk;
    next.v[key] = vk;
  }
  lrT.dispose();
  return next;
}

/** Zeros shaped like every array of `tree` (Adam's slots). */
export function zerosLike(jax: Jax, tree: Tree): Tree {
  return Object.fromEntries(Object.entries(tree).map(([k, p]) => [k, jax.numpy.zeros(p.shape)]));
}

/** The book's Adam learning rate at step t (1-based) for lr 0.001, β1 0.9, β2 0.999. */
export function adamLr(lr: number, t: number): number {
  return (lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
}

/**
 * A training step under one `jit`: loss and gradients of `lossOf(params, ...batch, one)`, the book's
 * clip_grads to `clip`, and the book's Adam with learning rate `lr`. Returns `step(batch)`, which
 * takes ownership of the batch's arrays and returns the loss read back.
 */
export function adamTrainer(
  jax: Jax,
  initial: Tree,
  lossOf: (p: Tree, ...rest: JaxArray[]) => JaxArray,
  lr: number,
  clip: number,
): (batch: JaxArray[]) => number {
  const { numpy: np, jit, valueAndGrad, tree } = jax;
  const step = jit((p: Tree, m: Tree, v: Tree, lrT: JaxArray, ...rest: JaxArray[]): [JaxArray, Tree, Tree, Tree] => {
    const [loss, grads] = valueAndGrad(lossOf)(tree.ref(p), ...rest);
    const next = adam(jax, p, clipGrads(jax, grads, clip), m, v, lrT);
    return [loss, next.params, next.m, next.v];
  });
  let params = initial;
  let m = zerosLike(jax, initial);
  let v = zerosLike(jax, initial);
  let t = 0;
  return (batch) => {
    t++;
    const [loss, p, mNext, vNext] = step(params, m, v, np.array(adamLr(lr, t)), ...batch, np.array(1));
    params = p;
    m = mNext;
    v = vNext;
    return scalar(loss);
  };
}
