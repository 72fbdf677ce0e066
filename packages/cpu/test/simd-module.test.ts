import { describe, expect, it } from 'vitest';
import {
  relaxedSimdSupported,
  setSimdKernelsDisabled,
  simdKernels,
  simdModuleBytes,
} from '../src/wasm/simd-kernels.ts';

describe('the WebAssembly SIMD module', () => {
  it('is valid over a growable or a shared memory, and stays small (it is compiled synchronously on first use)', () => {
    const bytes = simdModuleBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(WebAssembly.validate(simdModuleBytes({ shared: { pages: 16 } }))).toBe(true);
    // Chrome refused `new WebAssembly.Module` of more than 4 KiB on a page's main thread until
    // version 114; none limits it now, but a small module compiles in about a millisecond anywhere
    // (46 KiB with the GEMM, elementwise and recurrent-cell kernels: under 1 ms in Node.js 20).
    expect(bytes.length).toBeLessThan(64 * 1024);
  });

  it('uses fused multiply-adds (relaxed SIMD) only where the runtime validates them', () => {
    const fma = simdModuleBytes({ fma: true });
    expect(WebAssembly.validate(fma)).toBe(relaxedSimdSupported());
    expect(fma).not.toEqual(simdModuleBytes());
  });

  it('compiles in Node.js and exports every kernel over one growable memory', () => {
    const k = simdKernels();
    expect(k).not.toBeNull();
    if (k === null) return;
    for (const f of [k.gemm, k.sigmoid, k.zero, ...Object.values(k.binary)]) expect(typeof f).toBe('function');
    expect(k.memory.buffer.byteLength % 65536).toBe(0);
  });

  it('can be switched off, leaving the JavaScript loops (as on a host without SIMD)', () => {
    setSimdKernelsDisabled(true);
    expect(simdKernels()).toBeNull();
    setSimdKernelsDisabled(false);
    expect(simdKernels()).not.toBeNull();
  });
});
