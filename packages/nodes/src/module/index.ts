export * as init from './init.ts';
export type { InitOptions, Initializer, KaimingOptions, Nonlinearity } from './init.ts';
export { Module, type AnyModule, type ModuleMember } from './module.ts';
export {
  loadTensors,
  StateDictError,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  type StateDict,
  type StateDictMismatch,
} from './state-dict.ts';
export { fromPyTorch } from './pytorch.ts';
