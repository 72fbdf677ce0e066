import { describe, expect, it } from 'vitest';
import { setSimdKernelsDisabled, simdKernels, simdModuleBytes } from '../src/wasm/simd-kernels.ts';

describe('the WebAssembly SIMD module', () => {
  it('is valid, and small enough for a browser to compile synchronously on its main thread (under 4 KiB)', () => {
    const bytes = simdModuleBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    // Chrome refuses `new WebAssembly.Module` of more than 4 KiB on the main thread.
    expect(bytes.length).toBeLessThan(4096);
  });

  it('compiles in Node.js and exports every kernel over one growable memory', () => {
    const k = simdKernels();
    expect(k).not.toBeNull();
    if (k === null) return;
    for (const f of [k.gemm, k.sigmoid, k.pack, ...Object.values(k.binary)]) expect(typeof f).toBe('function');
    expect(k.memory.buffer.byteLength % 65536).toBe(0);
  });

  it('can be switched off, leaving the JavaScript loops (as on a host without SIMD)', () => {
    setSimdKernelsDisabled(true);
    expect(simdKernels()).toBeNull();
    setSimdKernelsDisabled(false);
    expect(simdKernels()).not.toBeNull();
  });
});
