/**
 * @graphgrad/nodes: every differentiable operation (one file each, with its gradient rule written
 * in nodes) and the book's layer classes. The operations the engine itself needs (`AddNode`,
 * `broadcastTo`, `sumTo`) are core's.
 * @module @graphgrad/nodes
 */
export { abs, AbsNode } from './abs.ts';
export { add } from './add.ts';
export { argmax, ArgMaxNode } from './argmax.ts';
export { branch, BranchNode } from './branch.ts';
export { cast, CastNode } from './cast.ts';
export { div, DivNode } from './div.ts';
export { exp, ExpNode } from './exp.ts';
export { gather, GatherNode } from './gather.ts';
export { greater, GreaterNode } from './greater.ts';
export { log, LogNode } from './log.ts';
export { matmul, MatMulNode, type MatMulOptions } from './matmul.ts';
export { mean } from './mean.ts';
export { mul, MulNode } from './mul.ts';
export { neg, NegNode } from './neg.ts';
export { oneHot, OneHotNode } from './one-hot.ts';
export { repeat, RepeatNode } from './repeat.ts';
export { reshape, ReshapeNode } from './reshape.ts';
export { sigmoid, SigmoidNode } from './sigmoid.ts';
export { softmax, SoftmaxNode } from './softmax.ts';
export { softmaxWithLoss, SoftmaxWithLossNode } from './softmax-with-loss.ts';
export { sqrt, SqrtNode } from './sqrt.ts';
export { sub, SubNode } from './sub.ts';
export { sum, SumNode } from './sum.ts';
export { tanh, TanhNode } from './tanh.ts';
export { transpose, TransposeNode } from './transpose.ts';
export { scalarLike, type Operand } from './validate.ts';
export * from './layers/index.ts';
