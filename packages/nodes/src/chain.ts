// Method chaining: every operation whose first argument is a tensor is also a method of Tensor,
// with the same arguments after it: `x.matmul(W).add(b).tanh().sum()`. Core declares an empty
// `TensorMethods` interface that `Tensor` extends; this module declares the methods on it
// (declaration merging) and adds them to `Tensor.prototype` when @graphgrad/nodes is imported.
// Each method is the function itself applied to `this`: one definition of every operation.
import { broadcastTo, sumTo, Tensor } from '@graphgrad/core';
import { abs } from './abs.ts';
import { add } from './add.ts';
import { argmax } from './argmax.ts';
import { bernoulli } from './bernoulli.ts';
import { binaryCrossEntropyWithLogits } from './losses/binary-cross-entropy-with-logits.ts';
import { branch } from './branch.ts';
import { cast } from './cast.ts';
import { clamp } from './clamp.ts';
import { crossEntropy } from './losses/cross-entropy.ts';
import { cumsum } from './cumsum.ts';
import { div } from './div.ts';
import { dropout } from './dropout.ts';
import { equal } from './equal.ts';
import { erf } from './erf.ts';
import { exp } from './exp.ts';
import { flatten } from './flatten.ts';
import { gather } from './gather.ts';
import { gelu } from './gelu.ts';
import { greater } from './greater.ts';
import { greaterEqual } from './greater-equal.ts';
import { indexAdd } from './index-add.ts';
import { leakyRelu } from './leaky-relu.ts';
import { less } from './less.ts';
import { lessEqual } from './less-equal.ts';
import { log } from './log.ts';
import { log1p } from './log1p.ts';
import { logSigmoid } from './log-sigmoid.ts';
import { logSoftmax } from './log-softmax.ts';
import { logsumexp } from './logsumexp.ts';
import { matmul } from './matmul.ts';
import { max } from './max.ts';
import { maximum } from './maximum.ts';
import { mean } from './mean.ts';
import { min } from './min.ts';
import { minimum } from './minimum.ts';
import { mseLoss } from './losses/mse-loss.ts';
import { mul } from './mul.ts';
import { multinomial } from './multinomial.ts';
import { neg } from './neg.ts';
import { norm } from './norm.ts';
import { notEqual } from './not-equal.ts';
import { oneHot } from './one-hot.ts';
import { pow } from './pow.ts';
import { relu } from './relu.ts';
import { repeat } from './repeat.ts';
import { reshape } from './reshape.ts';
import { sigmoid } from './sigmoid.ts';
import { slice } from './slice.ts';
import { softmax } from './softmax.ts';
import { softmaxWithLoss } from './softmax-with-loss.ts';
import { softplus } from './softplus.ts';
import { split } from './split.ts';
import { sqrt } from './sqrt.ts';
import { square } from './square.ts';
import { squeeze } from './squeeze.ts';
import { std } from './std.ts';
import { sub } from './sub.ts';
import { sum } from './sum.ts';
import { tanh } from './tanh.ts';
import { permute, transpose } from './transpose.ts';
import { unbind } from './unbind.ts';
import { unsqueeze } from './unsqueeze.ts';
import type { Operand } from './validate.ts';
import { variance } from './variance.ts';
import { where } from './where.ts';

/** The operations that become methods, by name: each takes the tensor first. */
const CHAINED = {
  abs,
  add,
  argmax,
  bernoulli,
  binaryCrossEntropyWithLogits,
  branch,
  broadcastTo,
  cast,
  clamp,
  crossEntropy,
  cumsum,
  div,
  dropout,
  equal,
  erf,
  exp,
  flatten,
  gather,
  gelu,
  greater,
  greaterEqual,
  indexAdd,
  leakyRelu,
  less,
  lessEqual,
  log,
  log1p,
  logSigmoid,
  logSoftmax,
  logsumexp,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mseLoss,
  mul,
  multinomial,
  neg,
  norm,
  notEqual,
  oneHot,
  permute,
  pow,
  relu,
  repeat,
  reshape,
  sigmoid,
  slice,
  softmax,
  softmaxWithLoss,
  softplus,
  split,
  sqrt,
  square,
  squeeze,
  std,
  sub,
  sum,
  sumTo,
  tanh,
  unbind,
  unsqueeze,
  variance,
} as const;

/** An operation `(x, ...rest) => out` as the method `(...rest) => out` of x. */
type Method<F> = F extends (x: never, ...rest: infer R) => infer O ? (...rest: R) => O : never;

/** The chained methods' types, from the functions themselves. */
type ChainedMethods = { readonly [K in keyof typeof CHAINED]: Method<(typeof CHAINED)[K]> };

declare module '@graphgrad/core' {
  // Every operation of @graphgrad/nodes that takes a tensor first, as a method with the same
  // arguments after it (added to Tensor.prototype when @graphgrad/nodes loads). The TSDoc is core's
  // declaration's, so the API reference has one comment to show; each method is its function's.
  interface TensorMethods extends ChainedMethods {
    /** `transpose(this, perm)` or `transpose(this, axis0, axis1)`: see `transpose`. */
    transpose(perm?: readonly number[]): Tensor;
    /** `transpose(this, axis0, axis1)`: swaps two axes. */
    transpose(axis0: number, axis1: number): Tensor;
    /** PyTorch's `x.where(cond, other)`: `where(cond, this, other)`, this where cond holds, other elsewhere. */
    where(cond: Tensor, other: Operand): Tensor;
  }
}

for (const [name, op] of Object.entries(CHAINED) as [string, (x: Tensor, ...rest: unknown[]) => unknown][]) {
  Object.defineProperty(Tensor.prototype, name, {
    value: function chained(this: Tensor, ...rest: unknown[]): unknown {
      return op(this, ...rest);
    },
    writable: true,
    configurable: true,
  });
}

Object.defineProperty(Tensor.prototype, 'transpose', {
  value: function chainedTranspose(this: Tensor, permOrAxis?: readonly number[] | number, axis1?: number): Tensor {
    return typeof permOrAxis === 'number' ? transpose(this, permOrAxis, axis1 as number) : transpose(this, permOrAxis);
  },
  writable: true,
  configurable: true,
});

Object.defineProperty(Tensor.prototype, 'where', {
  value: function chainedWhere(this: Tensor, cond: Tensor, other: Operand): Tensor {
    return where(cond, this, other);
  },
  writable: true,
  configurable: true,
});

/** The names of the chained methods, for tests and documentation. */
export const CHAINED_METHODS: readonly string[] = [...Object.keys(CHAINED), 'transpose', 'where'].sort();
