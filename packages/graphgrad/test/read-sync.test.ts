// Synchronous reads are not possible on WebGPU: each synchronous call names itself in its error,
// with the asynchronous call to use instead; on the CPU they read.
import { describe, expect, it } from 'vitest';
import { BackendError, tensor } from '../src/index.ts';
import { testBackends } from '@graphgrad/test-backends';

const backends = await testBackends();

describe.each(backends)('synchronous reads on $name', ({ backend, reason }) => {
  describe.skipIf(backend === null)(reason ?? 'runs', () => {
    it('read, or name the call that cannot', () => {
      const x = tensor([2.5], { backend: backend! });
      if (backend!.readSync !== undefined) {
        expect(x.itemSync()).toBe(2.5);
        expect(Array.from(x.dataSync())).toEqual([2.5]);
        return;
      }
      expect(() => x.itemSync()).toThrow(BackendError);
      expect(() => x.itemSync()).toThrow('itemSync: the webgpu backend reads asynchronously; use await item()');
      expect(() => x.dataSync()).toThrow('dataSync: the webgpu backend reads asynchronously; use await data()');
    });
  });
});
