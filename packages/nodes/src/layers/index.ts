export { Sigmoid, Softmax, SoftmaxWithLoss } from './activations.ts';
export { Affine } from './affine.ts';
export { gradsOf, Sequential, StatelessLayer, type Layer } from './layer.ts';
export { MatMul } from './mat-mul.ts';
