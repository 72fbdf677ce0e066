/**
 * @graphgrad/io: tensors, modules and optimizers to and from files, in the safetensors format that
 * PyTorch and numpy read. A module is saved by dotted name (its state dict), an optimizer with its
 * state and step count, and `loadInto` restores them strictly and atomically.
 * @module @graphgrad/io
 */
export { CheckpointFileError, load, loadInto, save, type LoadIntoOptions } from './files.ts';
export {
  decodeSafetensors,
  decodeStateDict,
  encodeSafetensors,
  safetensorsMetadata,
  SafetensorsError,
  type DecodeOptions,
  type EncodeOptions,
  type NamedTensors,
  type Stateful,
} from './safetensors.ts';
