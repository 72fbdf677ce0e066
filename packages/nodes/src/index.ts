/**
 * @graphgrad/nodes: every differentiable operation (one file each, with its gradient rule written
 * in nodes) and the book's layer classes. The operations the engine itself needs (`AddNode`,
 * `broadcastTo`, `sumTo`) are core's.
 * @module @graphgrad/nodes
 */
// Adds the operations to Tensor.prototype as methods (x.matmul(W).add(b)): see chain.ts.
export { CHAINED_METHODS } from './chain.ts';
export { abs, AbsNode } from './abs.ts';
export { add } from './add.ts';
export { argmax, ArgMaxNode } from './argmax.ts';
export { bernoulli } from './bernoulli.ts';
export {
  binaryCrossEntropyWithLogits,
  type BinaryCrossEntropyOptions,
} from './losses/binary-cross-entropy-with-logits.ts';
export { branch, BranchNode } from './branch.ts';
export { cast, CastNode } from './cast.ts';
export { clamp, ClampNode } from './clamp.ts';
export { concat, ConcatNode } from './concat.ts';
export { crossEntropy, CrossEntropyNode, type CrossEntropyOptions } from './losses/cross-entropy.ts';
export { cumsum, CumsumNode } from './cumsum.ts';
export { div, DivNode } from './div.ts';
export { dropout, type DropoutOptions } from './dropout.ts';
export { embedding } from './embedding.ts';
export { equal, EqualNode } from './equal.ts';
export { erf, ErfNode } from './erf.ts';
export { exp, ExpNode } from './exp.ts';
export { flatten } from './flatten.ts';
export { gather, GatherNode, segmentSum, SegmentSumNode, type GatherAttrs, type SegmentSumAttrs } from './gather.ts';
export { gelu, GeluNode, type GeluApproximation } from './gelu.ts';
export { greater, GreaterNode } from './greater.ts';
export { greaterEqual, GreaterEqualNode } from './greater-equal.ts';
export { gruCell, GRUCellGradNode, GRUCellNode } from './gru-cell.ts';
export { indexAdd, IndexAddNode } from './index-add.ts';
export { leakyRelu, LeakyReluNode } from './leaky-relu.ts';
export { less } from './less.ts';
export { lessEqual } from './less-equal.ts';
export { log, LogNode } from './log.ts';
export { log1p, Log1pNode } from './log1p.ts';
export { logSigmoid, LogSigmoidNode } from './log-sigmoid.ts';
export { logSoftmax, LogSoftmaxNode } from './log-softmax.ts';
export { logsumexp, LogSumExpNode } from './logsumexp.ts';
export { type LossReduction } from './losses/reduction.ts';
export { lstmCell, LSTMCellGradNode, LSTMCellNode } from './lstm-cell.ts';
export { matmul, MatMulNode, type MatMulOptions } from './matmul.ts';
export { max, MaxNode } from './max.ts';
export { maximum, MaximumNode } from './maximum.ts';
export { mean } from './mean.ts';
export { min, MinNode } from './min.ts';
export { minimum, MinimumNode } from './minimum.ts';
export { mseLoss } from './losses/mse-loss.ts';
export { mul, MulNode } from './mul.ts';
export { multinomial, type MultinomialOptions } from './multinomial.ts';
export { neg, NegNode } from './neg.ts';
export { norm, NormNode } from './norm.ts';
export { notEqual, NotEqualNode } from './not-equal.ts';
export { oneHot, OneHotNode } from './one-hot.ts';
export { pow, PowNode } from './pow.ts';
export { relu, ReluNode } from './relu.ts';
export { repeat, RepeatNode } from './repeat.ts';
export { reshape, ReshapeNode } from './reshape.ts';
export { sigmoid, SigmoidNode } from './sigmoid.ts';
export { slice, SliceNode, SliceScatterNode } from './slice.ts';
export type { ScatterRegion, SliceEntry, SliceIndex, SliceRegion } from './slice-index.ts';
export { softmax, SoftmaxNode } from './softmax.ts';
export { softmaxWithLoss, SoftmaxWithLossNode } from './softmax-with-loss.ts';
export { softplus, SoftplusNode } from './softplus.ts';
export { split, SplitNode } from './split.ts';
export { sqrt, SqrtNode } from './sqrt.ts';
export { square, SquareNode } from './square.ts';
export { squeeze } from './squeeze.ts';
export { stack, StackNode } from './stack.ts';
export { std } from './std.ts';
export { sub, SubNode } from './sub.ts';
export { sum, SumNode } from './sum.ts';
export { tanh, TanhNode } from './tanh.ts';
export { permute, transpose, TransposeNode } from './transpose.ts';
export { unbind, UnbindNode } from './unbind.ts';
export { unsqueeze } from './unsqueeze.ts';
export { variance, type VarianceOptions } from './variance.ts';
export { where, WhereNode } from './where.ts';
export { type SamplingOptions } from './host-sampling.ts';
export { scalarLike, type Operand } from './validate.ts';
export * from './layers/index.ts';
export * from './module/index.ts';
