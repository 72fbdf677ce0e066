import { backendForTests } from '@graphgrad/core/testing';
import { describeBackend } from '@graphgrad/testing';
import { createWebGPUBackend } from '../src/index.ts';

// Without an adapter the suite is skipped with the reason, except under CI=true, where it fails.
const gpu = await backendForTests(() => createWebGPUBackend(), { destroy: (b) => b.destroy() });
describeBackend({ name: 'webgpu', create: () => gpu.backend!, skip: gpu.reason });
