// The WebGPU backend's tests train the book's network, which needs graphgrad's other packages.
// They are imported by path rather than declared as dependencies of @graphgrad/gpu (which only
// needs core); their imports of '@graphgrad/core' resolve to the same source as the backend's.
export * as nodes from '../../nodes/src/index.ts';
export { SGD } from '../../optim/src/index.ts';
export { loadSpiral } from '../../datasets/src/index.ts';
