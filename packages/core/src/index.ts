/**
 * @graphgrad/core: tensors, the tape and reverse-mode differentiation, the backend interface and
 * the CPU backend, seedable random numbers, gradient checking and fast-check arbitraries.
 * @module @graphgrad/core
 */
export { checkAnomalies, detectAnomaly } from './anomaly.ts';
export * as arbitraries from './arbitraries.ts';
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
export { CpuBackend, cpuBackend } from './cpu/cpu-backend.ts';
export { full, fullLike, ones, onesLike, rand, randn, tensor, zeros, zerosLike, type CreateOptions, type RandomOptions } from './creation.ts';
export { DEFAULT_DTYPE, isFloatDType, type DType, type FloatDType, type TypedArray } from './dtype.ts';
export { installEngineOps, type BackwardOptions, type EngineOps } from './engine.ts';
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
  NonFiniteSeedError,
  SeedGradientError,
  ShapeError,
  type AnomalyDetails,
} from './errors.ts';
export { assertGradCheck, gradCheck, GradCheckError, type GradCheckOptions, type GradCheckResult, type InputGradReport } from './grad-check.ts';
export { isGradEnabled, noGrad, withGradMode } from './grad-mode.ts';
export { defineNode, GraphNode, setCallSiteRecorder, type BackwardContext, type NodeKind, type NodeSpec } from './node.ts';
export { Generator, manualSeed } from './random.ts';
export { keep, tidy } from './scope.ts';
export {
  decodeSafetensors,
  encodeSafetensors,
  load,
  loadInto,
  safetensorsMetadata,
  save,
  SafetensorsError,
  type DecodeOptions,
  type EncodeOptions,
  type NamedTensors,
} from './safetensors.ts';
export {
  broadcastable,
  broadcastAxes,
  broadcastShapes,
  broadcastsTo,
  formatShape,
  normalizeAxes,
  normalizeAxis,
  reducedShape,
  shapesEqual,
  sizeOf,
  type Shape,
} from './shape.ts';
export { isTensor, Tensor, type NestedArray, type TensorOrigin } from './tensor.ts';
