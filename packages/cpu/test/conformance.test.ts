import { describeBackend } from '@graphgrad/testing';
import { cpuBackend } from '../src/index.ts';

// float64 is the dtype gradient checks run in; float32 the one models train in.
describeBackend({ name: 'cpu', create: cpuBackend, floats: ['float64', 'float32'] });
