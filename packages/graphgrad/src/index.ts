/**
 * graphgrad: a define-by-run automatic-differentiation framework. This is the package a user
 * installs: tensors and the tape (`@graphgrad/core`), the operations and layers
 * (`@graphgrad/nodes`), optimizers and the Trainer (`@graphgrad/optim`), the book's data sets
 * (`@graphgrad/datasets`) and safetensors files (`@graphgrad/io`), with the CPU backend
 * (`@graphgrad/cpu`) set as the default. The WebGPU backend is an opt-in import of its own,
 * `@graphgrad/gpu`.
 *
 * @example
 * import { tensor, matmul, sum } from 'graphgrad';
 * const W = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * sum(matmul(W, W)).backward();
 * @module graphgrad
 */
import { setBackend } from '@graphgrad/core';
import { cpuBackend } from '@graphgrad/cpu';

export * from '@graphgrad/core';
export { CpuBackend, cpuBackend } from '@graphgrad/cpu';
export * from '@graphgrad/datasets';
export * from '@graphgrad/io';
export * from '@graphgrad/nodes';
export * from '@graphgrad/optim';

setBackend(cpuBackend());
