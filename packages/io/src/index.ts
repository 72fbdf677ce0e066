/**
 * @graphgrad/io: tensors to and from files, in the safetensors format that PyTorch and numpy read.
 * @module @graphgrad/io
 */
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
