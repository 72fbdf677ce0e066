import { tensor, type Backend, type FloatDType, type Tensor, broadcastTo } from '@graphgrad/core';
import {
  abs,
  bernoulli,
  concat,
  dropout,
  embedding,
  flatten,
  GRUCellGradNode,
  gruCell,
  indexAdd,
  LSTMCellGradNode,
  lstmCell,
  permute,
  segmentSum,
  slice,
  SliceScatterNode,
  split,
  squeeze,
  stack,
  unbind,
  unsqueeze,
  type SliceEntry,
  add,
  argmax,
  binaryCrossEntropyWithLogits,
  clamp,
  crossEntropy,
  cumsum,
  equal,
  erf,
  gelu,
  greaterEqual,
  leakyRelu,
  less,
  lessEqual,
  log1p,
  logSigmoid,
  logSoftmax,
  logsumexp,
  max,
  maximum,
  min,
  minimum,
  mseLoss,
  norm,
  notEqual,
  pow,
  relu,
  softplus,
  square,
  std,
  variance,
  where,
  type LossReduction,
  branch,
  cast,
  div,
  exp,
  gather,
  greater,
  log,
  matmul,
  mean,
  mul,
  neg,
  oneHot,
  repeat,
  reshape,
  sigmoid,
  softmax,
  softmaxWithLoss,
  sqrt,
  sub,
  sum,
  tanh,
  transpose,
} from '../../src/index.ts';

/**
 * A random expression graph as plain data, so that a failing one can be printed, shrunk and kept
 * as a regression case. `steps` run in order; each appends its output(s) to a list of values that
 * later steps refer to by index (a reference to an earlier value is a fan-out). Leaves are steps
 * too: `input` is a float leaf that requires a gradient, `constant` one that does not.
 */
export interface GraphSpec {
  readonly steps: readonly Step[];
  /**
   * The graph is reduced to a scalar as Σ over these values of Σ w·v, with fixed weights w, so
   * that every element of every value that no step consumed reaches the loss with its own weight.
   */
  readonly outputs: readonly { readonly value: number; readonly weights: readonly number[] }[];
}

/** Elementwise nodes of one input (`geluTanh`: gelu's tanh approximation). */
export type UnaryName =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'sigmoid'
  | 'tanh'
  | 'abs'
  | 'erf'
  | 'square'
  | 'gelu'
  | 'geluTanh'
  | 'softplus'
  | 'logSigmoid'
  | 'log1p'
  | 'relu'
  | 'leakyRelu';
/** The comparisons that give a 0/1 mask besides `greater`. */
export type ComparisonName = 'equal' | 'notEqual' | 'less' | 'lessEqual' | 'greaterEqual';
/** Elementwise nodes of two inputs, with broadcasting. */
export type BinaryName = 'add' | 'sub' | 'mul' | 'div';

/** One step of a graph; `x`, `a`, `b` are indices of earlier values. */
export type Step =
  | { readonly op: 'input'; readonly shape: readonly number[]; readonly values: readonly number[] }
  | { readonly op: 'constant'; readonly shape: readonly number[]; readonly values: readonly number[] }
  | { readonly op: 'unary'; readonly fn: UnaryName; readonly x: number }
  | { readonly op: 'binary'; readonly fn: BinaryName; readonly a: number; readonly b: number }
  /** A binary node with a plain number as its second operand. */
  | { readonly op: 'scalar'; readonly fn: BinaryName; readonly x: number; readonly value: number }
  /** A 0/1 mask, a > b (no gradient). */
  | { readonly op: 'greater'; readonly a: number; readonly b: number }
  | {
      readonly op: 'matmul';
      readonly a: number;
      readonly b: number;
      readonly transposeA: boolean;
      readonly transposeB: boolean;
    }
  | {
      readonly op: 'sum' | 'mean';
      readonly x: number;
      readonly axes: readonly number[] | null;
      readonly keepDims: boolean;
    }
  | { readonly op: 'repeat'; readonly x: number; readonly axis: number; readonly times: number }
  | { readonly op: 'broadcastTo'; readonly x: number; readonly shape: readonly number[] }
  | { readonly op: 'reshape'; readonly x: number; readonly shape: readonly number[] }
  | { readonly op: 'transpose'; readonly x: number; readonly perm: readonly number[] | null }
  | { readonly op: 'softmax'; readonly x: number; readonly axis: number }
  /** Softmax with loss of logits `x` (rank ≥ 2) against int32 class indices or constant probabilities. */
  | { readonly op: 'softmaxWithLoss'; readonly x: number; readonly labels: readonly number[] }
  | { readonly op: 'softmaxWithLossProbs'; readonly x: number; readonly target: number }
  | { readonly op: 'branch'; readonly x: number; readonly n: number }
  /** Slices of `x` along `axis` (default 0) picked by constant int32 indices of shape `indexShape`. */
  | {
      readonly op: 'gather';
      readonly x: number;
      readonly indices: readonly number[];
      readonly indexShape: readonly number[];
      readonly axis?: number;
    }
  /** segmentSum of `x` at constant int32 indices (of shape `indexShape`) into `size` slices along `axis`. */
  | {
      readonly op: 'segmentSum';
      readonly x: number;
      readonly indices: readonly number[];
      readonly indexShape: readonly number[];
      readonly size: number;
      readonly axis: number;
    }
  /** indexAdd(x, axis, indices, source): `source` added into `x` at constant int32 indices. */
  | {
      readonly op: 'indexAdd';
      readonly x: number;
      readonly axis: number;
      readonly indices: readonly number[];
      readonly indexShape: readonly number[];
      readonly source: number;
    }
  /** embedding(x, ids): rows of the matrix `x` for constant int32 ids of shape `idShape`. */
  | {
      readonly op: 'embedding';
      readonly x: number;
      readonly ids: readonly number[];
      readonly idShape: readonly number[];
    }
  /** numpy's basic indexing, `x[index]`. */
  | { readonly op: 'slice'; readonly x: number; readonly index: readonly SliceEntry[] }
  /**
   * The SliceScatter node applied directly (a slice's backward): zeros of shape `into` with `x`
   * written into the region `starts`, `steps`, `lengths` (whose shape without dropped axes is x's).
   */
  | {
      readonly op: 'sliceScatter';
      readonly x: number;
      readonly starts: readonly number[];
      readonly steps: readonly number[];
      readonly lengths: readonly number[];
      readonly into: readonly number[];
    }
  | { readonly op: 'concat' | 'stack'; readonly xs: readonly number[]; readonly axis: number }
  /** split into `sizes` pieces (a number: that many equal pieces) along `axis`: one value per piece. */
  | { readonly op: 'split'; readonly x: number; readonly sizes: number | readonly number[]; readonly axis: number }
  /** Every position of `axis` (of positive length) as its own value. */
  | { readonly op: 'unbind'; readonly x: number; readonly axis: number }
  | { readonly op: 'squeeze'; readonly x: number; readonly axes: readonly number[] | null }
  | { readonly op: 'unsqueeze'; readonly x: number; readonly axis: number }
  | { readonly op: 'flatten'; readonly x: number; readonly start: number; readonly end: number }
  | { readonly op: 'permute'; readonly x: number; readonly dims: readonly number[] }
  /** lstmCell(gates [N, 4H], c [N, H]): two values, h' and c'. */
  | { readonly op: 'lstmCell'; readonly gates: number; readonly c: number }
  /** The LSTMCellGrad node applied directly (lstmCell's backward): two values, d gates and d c. */
  | {
      readonly op: 'lstmCellGrad';
      readonly gates: number;
      readonly c: number;
      readonly dh: number;
      readonly dc: number;
    }
  /** gruCell(xg [N, 3H], hg [N, 3H], h [N, H]). */
  | { readonly op: 'gruCell'; readonly xg: number; readonly hg: number; readonly h: number }
  /** The GRUCellGrad node applied directly (gruCell's backward): three values, d xg, d hg and d h. */
  | { readonly op: 'gruCellGrad'; readonly xg: number; readonly hg: number; readonly h: number; readonly dy: number }
  /** dropout(x, p) with a fresh generator of `seed`: the same mask at every evaluation. */
  | { readonly op: 'dropout'; readonly x: number; readonly p: number; readonly seed: number }
  /** bernoulli(x) with a fresh generator of `seed` (a 0/1 mask, no gradient). */
  | { readonly op: 'bernoulli'; readonly x: number; readonly seed: number }
  /** oneHot(argmax(x, axis), length of that axis): a mask of the largest element (no gradient). */
  | { readonly op: 'argmaxMask'; readonly x: number; readonly axis: number }
  /** oneHot of constant int32 indices, in the graph's float dtype. */
  | { readonly op: 'oneHot'; readonly indices: readonly number[]; readonly depth: number }
  /** A cast to the graph's own float dtype (the identity, with its gradient). */
  | { readonly op: 'cast'; readonly x: number }
  /** maximum or minimum of two values (equal or at least a margin apart, where they meet). */
  | { readonly op: 'extremum'; readonly fn: 'maximum' | 'minimum'; readonly a: number; readonly b: number }
  /** aᵇ for a positive base; `powNumber` with a number exponent. */
  | { readonly op: 'pow'; readonly a: number; readonly b: number }
  | { readonly op: 'powNumber'; readonly x: number; readonly value: number }
  | { readonly op: 'clamp'; readonly x: number; readonly min: number | null; readonly max: number | null }
  /** where(cond, a, b) with a 0/1 mask as the condition. */
  | { readonly op: 'where'; readonly cond: number; readonly a: number; readonly b: number }
  /** A 0/1 mask (no gradient). */
  | { readonly op: 'compare'; readonly fn: ComparisonName; readonly a: number; readonly b: number }
  /** max or min along one axis. */
  | {
      readonly op: 'extreme';
      readonly fn: 'max' | 'min';
      readonly x: number;
      readonly axis: number;
      readonly keepDims: boolean;
    }
  | {
      readonly op: 'logsumexp';
      readonly x: number;
      readonly axes: readonly number[] | null;
      readonly keepDims: boolean;
    }
  | { readonly op: 'logSoftmax'; readonly x: number; readonly axis: number }
  | { readonly op: 'cumsum'; readonly x: number; readonly axis: number; readonly reverse: boolean }
  | {
      readonly op: 'variance' | 'std';
      readonly x: number;
      readonly axes: readonly number[] | null;
      readonly keepDims: boolean;
      readonly correction: number;
    }
  /** The vector norm; p is a string for Infinity, which JSON cannot hold. */
  | {
      readonly op: 'norm';
      readonly x: number;
      readonly p: 1 | 2 | 'Infinity';
      readonly axes: readonly number[] | null;
      readonly keepDims: boolean;
    }
  /** crossEntropy of logits `x` with classes on `axis` against int32 labels (-100: ignored). */
  | {
      readonly op: 'crossEntropy';
      readonly x: number;
      readonly axis: number;
      readonly labels: readonly number[];
      readonly reduction: LossReduction;
      readonly smoothing: number;
    }
  | {
      readonly op: 'binaryCrossEntropyWithLogits';
      readonly x: number;
      readonly target: number;
      readonly reduction: LossReduction;
      readonly posWeight: number | null;
    }
  | { readonly op: 'mseLoss'; readonly a: number; readonly b: number; readonly reduction: LossReduction };

/** Where the graph runs: its backend and its float dtype. */
export interface Place {
  readonly backend: Backend;
  readonly dtype: FloatDType;
}

/**
 * Runs one step on `values` (the earlier values) and returns its output(s). `inputs` supplies the
 * leaves of `input` steps in order, so that a caller (gradCheck) can pass its own copies.
 */
export function runStep(
  step: Step,
  values: readonly Tensor[],
  place: Place,
  leaf: (step: Step & { op: 'input' }) => Tensor,
): Tensor[] {
  const { backend, dtype } = place;
  const ints = (data: readonly number[], shape: readonly number[]): Tensor =>
    tensor(Int32Array.from(data), { shape: [...shape], dtype: 'int32', backend });
  switch (step.op) {
    case 'input':
      return [leaf(step)];
    case 'constant':
      return [tensor(Float64Array.from(step.values), { shape: [...step.shape], dtype, backend })];
    case 'unary':
      return [UNARY_FUNCTIONS[step.fn](values[step.x])];
    case 'binary':
      return [{ add, sub, mul, div }[step.fn](values[step.a], values[step.b])];
    case 'scalar':
      return [{ add, sub, mul, div }[step.fn](values[step.x], step.value)];
    case 'greater':
      return [greater(values[step.a], values[step.b])];
    case 'matmul':
      return [matmul(values[step.a], values[step.b], { transposeA: step.transposeA, transposeB: step.transposeB })];
    case 'sum':
      return [sum(values[step.x], step.axes ?? undefined, step.keepDims)];
    case 'mean':
      return [mean(values[step.x], step.axes ?? undefined, step.keepDims)];
    case 'repeat':
      return [repeat(values[step.x], step.axis, step.times)];
    case 'broadcastTo':
      return [broadcastTo(values[step.x], step.shape)];
    case 'reshape':
      return [reshape(values[step.x], step.shape)];
    case 'transpose':
      return [transpose(values[step.x], step.perm ?? undefined)];
    case 'softmax':
      return [softmax(values[step.x], step.axis)];
    case 'softmaxWithLoss':
      return [softmaxWithLoss(values[step.x], ints(step.labels, values[step.x].shape.slice(0, -1)))];
    case 'softmaxWithLossProbs':
      return [softmaxWithLoss(values[step.x], values[step.target])];
    case 'branch':
      return branch(values[step.x], step.n);
    case 'gather':
      return [gather(values[step.x], ints(step.indices, step.indexShape), step.axis ?? 0)];
    case 'segmentSum':
      return [segmentSum(values[step.x], ints(step.indices, step.indexShape), step.size, step.axis)];
    case 'indexAdd':
      return [indexAdd(values[step.x], step.axis, ints(step.indices, step.indexShape), values[step.source])];
    case 'embedding':
      return [embedding(values[step.x], ints(step.ids, step.idShape))];
    case 'slice':
      return [slice(values[step.x], step.index)];
    case 'sliceScatter': {
      const x = values[step.x];
      const { starts, steps, lengths, into } = step;
      return [SliceScatterNode.apply([x], { starts, steps, lengths, shape: x.shape, into })];
    }
    case 'concat':
      return [
        concat(
          step.xs.map((i) => values[i]),
          step.axis,
        ),
      ];
    case 'stack':
      return [
        stack(
          step.xs.map((i) => values[i]),
          step.axis,
        ),
      ];
    case 'split':
      return split(values[step.x], step.sizes, step.axis);
    case 'unbind':
      return unbind(values[step.x], step.axis);
    case 'squeeze':
      return [squeeze(values[step.x], step.axes ?? undefined)];
    case 'unsqueeze':
      return [unsqueeze(values[step.x], step.axis)];
    case 'flatten':
      return [flatten(values[step.x], step.start, step.end)];
    case 'permute':
      return [permute(values[step.x], step.dims)];
    case 'lstmCell':
      return lstmCell(values[step.gates], values[step.c]);
    case 'lstmCellGrad':
      return LSTMCellGradNode.applyMany(
        [step.gates, step.c, step.dh, step.dc].map((i) => values[i]),
        undefined,
      );
    case 'gruCell':
      return [gruCell(values[step.xg], values[step.hg], values[step.h])];
    case 'gruCellGrad':
      return GRUCellGradNode.applyMany([step.xg, step.hg, step.h, step.dy].map((i) => values[i]));
    case 'dropout':
      return [dropout(values[step.x], step.p, { seed: step.seed })];
    case 'bernoulli':
      return [bernoulli(values[step.x], { seed: step.seed })];
    case 'argmaxMask': {
      const x = values[step.x];
      const picks = argmax(x, step.axis);
      const mask = oneHot(picks, x.shape[step.axis], dtype);
      // oneHot appends the class axis; move it back to where argmax took it from.
      const rank = x.rank;
      const perm = Array.from({ length: rank }, (_, i) => (i < step.axis ? i : i === step.axis ? rank - 1 : i - 1));
      return [transpose(mask, perm)];
    }
    case 'oneHot':
      return [oneHot(ints(step.indices, [step.indices.length]), step.depth, dtype)];
    case 'cast':
      return [cast(values[step.x], dtype)];
    case 'extremum':
      return [{ maximum, minimum }[step.fn](values[step.a], values[step.b])];
    case 'pow':
      return [pow(values[step.a], values[step.b])];
    case 'powNumber':
      return [pow(values[step.x], step.value)];
    case 'clamp':
      return [clamp(values[step.x], step.min ?? undefined, step.max ?? undefined)];
    case 'where':
      return [where(values[step.cond], values[step.a], values[step.b])];
    case 'compare':
      return [{ equal, notEqual, less, lessEqual, greaterEqual }[step.fn](values[step.a], values[step.b])];
    case 'extreme':
      return [{ max, min }[step.fn](values[step.x], step.axis, step.keepDims)];
    case 'logsumexp':
      return [logsumexp(values[step.x], step.axes ?? undefined, step.keepDims)];
    case 'logSoftmax':
      return [logSoftmax(values[step.x], step.axis)];
    case 'cumsum':
      return [cumsum(values[step.x], step.axis, { reverse: step.reverse })];
    case 'variance':
    case 'std':
      return [
        (step.op === 'std' ? std : variance)(values[step.x], step.axes ?? undefined, {
          correction: step.correction,
          keepDims: step.keepDims,
        }),
      ];
    case 'norm':
      return [norm(values[step.x], step.p === 'Infinity' ? Infinity : step.p, step.axes ?? undefined, step.keepDims)];
    case 'crossEntropy': {
      const x = values[step.x];
      const labels = ints(
        step.labels,
        x.shape.filter((_, i) => i !== step.axis),
      );
      return [crossEntropy(x, labels, { axis: step.axis, reduction: step.reduction, labelSmoothing: step.smoothing })];
    }
    case 'binaryCrossEntropyWithLogits':
      return [
        binaryCrossEntropyWithLogits(values[step.x], values[step.target], {
          reduction: step.reduction,
          posWeight: step.posWeight ?? undefined,
        }),
      ];
    case 'mseLoss':
      return [mseLoss(values[step.a], values[step.b], { reduction: step.reduction })];
  }
}

/** The nodes of `unary` steps, by name. */
const UNARY_FUNCTIONS: Record<UnaryName, (x: Tensor) => Tensor> = {
  neg,
  exp,
  log,
  sqrt,
  sigmoid,
  tanh,
  abs,
  erf,
  square,
  gelu: (x) => gelu(x),
  geluTanh: (x) => gelu(x, { approximate: 'tanh' }),
  softplus: (x) => softplus(x),
  logSigmoid,
  log1p,
  relu,
  leakyRelu: (x) => leakyRelu(x),
};

/** The leaves (`input` steps) of a graph, in order, as tensors of `place` requiring a gradient. */
export function makeInputs(spec: GraphSpec, place: Place): Tensor[] {
  return spec.steps
    .filter((s): s is Step & { op: 'input' } => s.op === 'input')
    .map((s) =>
      tensor(Float64Array.from(s.values), {
        shape: [...s.shape],
        dtype: place.dtype,
        backend: place.backend,
        requiresGrad: true,
      }),
    );
}

/** The earlier values a step reads. */
export function refsOf(step: Step): number[] {
  switch (step.op) {
    case 'concat':
    case 'stack':
      return [...step.xs];
    case 'lstmCell':
      return [step.gates, step.c];
    case 'lstmCellGrad':
      return [step.gates, step.c, step.dh, step.dc];
    case 'gruCell':
      return [step.xg, step.hg, step.h];
    case 'gruCellGrad':
      return [step.xg, step.hg, step.h, step.dy];
    case 'indexAdd':
      return [step.x, step.source];
    default: {
      const fields = step as Partial<Record<'x' | 'a' | 'b' | 'target' | 'cond', number>>;
      return [fields.x, fields.a, fields.b, fields.target, fields.cond].filter((r) => r !== undefined);
    }
  }
}

/**
 * Every value of the graph, computed from `inputs` (one tensor per `input` step, in order). With
 * `owners`, the index of the step that produced each value is appended to it (a step may give several).
 */
export function runSteps(spec: GraphSpec, inputs: readonly Tensor[], place: Place, owners?: number[]): Tensor[] {
  const values: Tensor[] = [];
  let nextInput = 0;
  spec.steps.forEach((step, s) => {
    const outputs = runStep(step, values, place, () => inputs[nextInput++]);
    values.push(...outputs);
    owners?.push(...outputs.map(() => s));
  });
  return values;
}

/** The scalar the graph is reduced to: Σ over the outputs of Σ w·v. */
export function lossOf(spec: GraphSpec, values: readonly Tensor[], place: Place): Tensor {
  const terms = spec.outputs.map(({ value, weights }) => {
    const v = values[value];
    const w = tensor(Float64Array.from(weights), { shape: [...v.shape], dtype: place.dtype, backend: place.backend });
    return sum(mul(v, w));
  });
  return terms.reduce((total, t) => add(total, t));
}

/** The graph as a function of its inputs, for gradCheck. */
export function graphFunction(spec: GraphSpec, place: Place): (...inputs: Tensor[]) => Tensor {
  return (...inputs) => lossOf(spec, runSteps(spec, inputs, place), place);
}
