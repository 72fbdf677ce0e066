// vitest's setup file (vitest.config.ts): every test file starts with the CPU backend as the
// default, as a user of the `graphgrad` package does. Tests of another backend pass it explicitly.
import { setBackend } from '@graphgrad/core';
import { cpuBackend } from '@graphgrad/cpu';

setBackend(cpuBackend());
