/**
 * @graphgrad/core: the autodiff heart. Tensors, node specs (`defineNode`), the tape and
 * reverse-mode differentiation with its own bookkeeping operations, scopes, grad mode, the backend
 * interface, dtypes and shapes, errors, the seeded generator and gradient checking. Backends
 * (`@graphgrad/cpu`, `@graphgrad/gpu`) and operations (`@graphgrad/nodes`) build on it.
 * @module @graphgrad/core
 */
export { checkAnomalies, detectAnomaly } from './anomaly.ts';
export { describeValue } from './describe-value.ts';
export {
  BINARY_KERNELS,
  KERNEL_NAMES,
  OTHER_KERNELS,
  REDUCE_KERNELS,
  UNARY_KERNELS,
  getBackend,
  setBackend,
  type Backend,
  type BackendArray,
  type BinaryKernelName,
  type KernelName,
  type Kernels,
  type ReduceKernelName,
  type UnaryKernelName,
} from './backend.ts';
export {
  full,
  fullLike,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  tensor,
  zeros,
  zerosLike,
  type CreateOptions,
  type RandomOptions,
} from './creation.ts';
export {
  allocTypedArray,
  DEFAULT_DTYPE,
  dtypeOfTypedArray,
  isDType,
  isFloatDType,
  type DType,
  type FloatDType,
  type TypedArray,
  type TypedArrayFor,
} from './dtype.ts';
export type { BackwardOptions } from './engine.ts';
export {
  AnomalyError,
  ArgumentError,
  AxisError,
  BackendError,
  DisposedTensorError,
  DTypeError,
  GradientRuleError,
  GraphFreedError,
  GraphgradError,
  ModifiedInPlaceError,
  NonFiniteSeedError,
  SeedGradientError,
  ShapeError,
  type AnomalyDetails,
} from './errors.ts';
export {
  assertGradCheck,
  gradCheck,
  GradCheckError,
  type GradCheckOptions,
  type GradCheckResult,
  type InputGradReport,
} from './grad-check.ts';
export { isGradEnabled, noGrad, withGradMode } from './grad-mode.ts';
export {
  defineNode,
  type BackwardContext,
  type ComposedNodeSpec,
  type GraphNode,
  type KernelNodeSpec,
  type NodeKind,
  type NodeSpec,
  type OutputMeta,
} from './node.ts';
export { Generator, generatorFor, manualSeed } from './random.ts';
export { keep, Scoped, tidy } from './scope.ts';
export { observeTape, tapeObserver, type TapeObserver } from './tape-observer.ts';
export { AddNode } from './tape-ops/add.ts';
export { AliasNode } from './tape-ops/alias.ts';
export { broadcastTo, sumTo } from './tape-ops/broadcast-api.ts';
export { BroadcastToNode, SumToNode } from './tape-ops/broadcast.ts';
export {
  broadcastable,
  broadcastAxes,
  broadcastShapes,
  broadcastsTo,
  checkShape,
  contiguousStrides,
  formatShape,
  normalizeAxes,
  normalizeAxis,
  reducedShape,
  reshapeStrides,
  shapesEqual,
  sizeOf,
  type Shape,
} from './shape.ts';
export { isTensor, Tensor, type NestedArray, type TensorMethods, type TensorOrigin } from './tensor.ts';
