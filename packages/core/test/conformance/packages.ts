// The conformance suite runs graphgrad's other packages against the core it tests. They are
// imported by path rather than declared as dependencies of @graphgrad/core, which would make the
// workspace's dependency graph cyclic (both depend on core). Their own imports of
// '@graphgrad/core' resolve to this same source, so there is one core in the process.
export * as nodes from '../../../nodes/src/index.ts';
export { gpuForTests, type GpuForTests } from '../../../gpu/test/gpu-for-tests.ts';
export type { WebGPUBackend } from '../../../gpu/src/index.ts';
