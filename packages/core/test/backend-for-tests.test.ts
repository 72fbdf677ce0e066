import { describe, expect, it } from 'vitest';
import { withoutBackend } from '../src/testing/index.ts';

describe('a test file whose backend cannot start', () => {
  it('fails under CI=true and skips elsewhere, saying why', () => {
    const error = new Error('createWebGPUBackend: no WebGPU adapter was found');
    expect(() => withoutBackend(error, { CI: 'true' })).toThrow(
      /CI=true requires these tests to run, but there is no backend: .*no WebGPU adapter/,
    );
    expect(withoutBackend(error, {})).toEqual({ backend: null, reason: `no backend: ${error.message}` });
  });
});
