/**
 * The floor for bench/spiral-train.ts: the book's chapter-1 training step written by hand in plain
 * JavaScript over preallocated Float32Arrays, every layer's forward and backward fused into loops,
 * no framework, no allocation, no tape. Nothing written on scalar JavaScript arithmetic can run
 * the step faster; the ratio of graphgrad to this is the framework's whole cost (tape, kernel
 * calls, allocation), and the ratio of this to numpy is what scalar JavaScript can reach at all.
 *
 * Same network, loop and numerics as bench/spiral_train.py: W1 [2,H], b1 [H], W2 [H,3], b2 [3],
 * sigmoid hidden layer, stable softmax, mean cross entropy with the book's 1e-7, SGD.
 */
import { Generator } from '@graphgrad/core';

/** The spiral's points and labels as plain arrays (what `loadSpiral` gives as `points`/`labels`). */
export interface PlainSpiral {
  readonly points: Float64Array;
  readonly labels: Int32Array;
  readonly classes: number;
}

/** Trains as the book's loop does; returns the mean loss of the last 10 iterations. */
export function trainPlainJs(
  data: PlainSpiral,
  seed: number,
  epochs: number,
  batch = 30,
  hidden = 10,
  lr = 1.0,
): number {
  const C = data.classes;
  const n = data.labels.length;
  const H = hidden;
  const generator = new Generator(seed);
  const W1 = Float32Array.from({ length: 2 * H }, () => 0.01 * generator.normal());
  const b1 = new Float32Array(H);
  const W2 = Float32Array.from({ length: H * C }, () => 0.01 * generator.normal());
  const b2 = new Float32Array(C);
  const x = Float32Array.from(data.points);
  const bx = new Float32Array(batch * 2);
  const bt = new Int32Array(batch);
  const s = new Float32Array(batch * H); // sigmoid(x·W1 + b1)
  const da = new Float32Array(batch * C); // (softmax(a) - t) / N
  const dh = new Float32Array(batch * H);
  const iters = Math.floor(n / batch);
  let total = 0;
  let count = 0;
  let last = Number.NaN;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const idx = generator.permutation(n);
    for (let it = 0; it < iters; it++) {
      for (let r = 0; r < batch; r++) {
        const k = idx[it * batch + r];
        bx[2 * r] = x[2 * k];
        bx[2 * r + 1] = x[2 * k + 1];
        bt[r] = data.labels[k];
      }
      // forward: Affine, Sigmoid
      for (let r = 0; r < batch; r++) {
        const x0 = bx[2 * r];
        const x1 = bx[2 * r + 1];
        for (let j = 0; j < H; j++) {
          const h = x0 * W1[j] + x1 * W1[H + j] + b1[j];
          s[r * H + j] = 1 / (1 + Math.exp(-h));
        }
      }
      // Affine, SoftmaxWithLoss, and its backward (y - t) / N
      let loss = 0;
      for (let r = 0; r < batch; r++) {
        let max = -Infinity;
        for (let c = 0; c < C; c++) {
          let a = b2[c];
          for (let j = 0; j < H; j++) a += s[r * H + j] * W2[j * C + c];
          da[r * C + c] = a;
          if (a > max) max = a;
        }
        let sum = 0;
        for (let c = 0; c < C; c++) {
          const e = Math.exp(da[r * C + c] - max);
          da[r * C + c] = e;
          sum += e;
        }
        for (let c = 0; c < C; c++) {
          const y = da[r * C + c] / sum;
          const t = c === bt[r] ? 1 : 0;
          if (t === 1) loss -= Math.log(y + 1e-7);
          da[r * C + c] = (y - t) / batch;
        }
      }
      loss /= batch;
      // backward: dh = (da·W2ᵀ) · s · (1 - s), before W2 changes
      for (let r = 0; r < batch; r++) {
        for (let j = 0; j < H; j++) {
          let g = 0;
          for (let c = 0; c < C; c++) g += da[r * C + c] * W2[j * C + c];
          const y = s[r * H + j];
          dh[r * H + j] = g * y * (1 - y);
        }
      }
      // SGD on W2 = W2 - lr·sᵀ·da, b2, W1 = W1 - lr·xᵀ·dh, b1 (gradients summed over the batch)
      for (let j = 0; j < H; j++) {
        for (let c = 0; c < C; c++) {
          let g = 0;
          for (let r = 0; r < batch; r++) g += s[r * H + j] * da[r * C + c];
          W2[j * C + c] -= lr * g;
        }
      }
      for (let c = 0; c < C; c++) {
        let g = 0;
        for (let r = 0; r < batch; r++) g += da[r * C + c];
        b2[c] -= lr * g;
      }
      for (let j = 0; j < H; j++) {
        let g0 = 0;
        let g1 = 0;
        let gb = 0;
        for (let r = 0; r < batch; r++) {
          const d = dh[r * H + j];
          g0 += bx[2 * r] * d;
          g1 += bx[2 * r + 1] * d;
          gb += d;
        }
        W1[j] -= lr * g0;
        W1[H + j] -= lr * g1;
        b1[j] -= lr * gb;
      }
      total += loss;
      count++;
      if ((it + 1) % 10 === 0) {
        last = total / count;
        total = 0;
        count = 0;
      }
    }
  }
  return last;
}
