import { rowMajor, type BufferLedger, type CpuArray } from './buffers.ts';
import { softmaxCrossEntropyF32Wasm, softmaxF32Wasm } from './wasm/softmax-f32.ts';
import { WASM_SOFTMAX_MIN } from './tiers.ts';

/** Softmax along the last axis (float32 in WebAssembly SIMD from WASM_SOFTMAX_MIN elements). */
export function softmax(ledger: BufferLedger, x: CpuArray): CpuArray {
  const { data, offset } = rowMajor(x);
  const out = ledger.alloc(x.shape, x.dtype, true);
  const o = out.data;
  const cols = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
  const rows = cols === 0 ? 0 : x.size / cols;
  if (x.dtype === 'float32' && x.size >= WASM_SOFTMAX_MIN) {
    if (softmaxF32Wasm(o as Float32Array, data as Float32Array, offset, rows, cols)) return out;
  }
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    // NOTE: subtracting the row maximum keeps exp() from overflowing; the result is unchanged.
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, data[offset + base + c]);
    let total = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(data[offset + base + c] - max);
      o[base + c] = e;
      total += e;
    }
    for (let c = 0; c < cols; c++) o[base + c] /= total;
  }
  return out;
}

/** Per-row logsumexp(logits) - Σ target·logits, for [N, C] inputs; the output is [N] (float32 in WebAssembly SIMD from WASM_SOFTMAX_MIN elements). */
export function softmaxCrossEntropy(ledger: BufferLedger, logits: CpuArray, target: CpuArray): CpuArray {
  const a = rowMajor(logits);
  const t = rowMajor(target);
  const [rows, cols] = logits.shape;
  const out = ledger.alloc([rows], logits.dtype);
  if (logits.dtype === 'float32' && rows * cols >= WASM_SOFTMAX_MIN) {
    const [o, l, w] = [out.data, a.data, t.data] as Float32Array[];
    if (softmaxCrossEntropyF32Wasm(o, l, a.offset, w, t.offset, rows, cols)) return out;
  }
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, a.data[a.offset + base + c]);
    let total = 0;
    let dot = 0;
    let wsum = 0;
    for (let c = 0; c < cols; c++) {
      const v = a.data[a.offset + base + c] - max;
      total += Math.exp(v);
      const w = t.data[t.offset + base + c];
      // NOTE: a zero target times an infinite logit is 0, not NaN (the class is simply absent).
      if (w !== 0) dot += w * v;
      wsum += w;
    }
    // NOTE: as in the WebGPU kernel, log Σ e^(x-m) - Σ w·(x-m) + m·(1 - Σ w) rather than
    // m + log Σ e^(x-m) - Σ w·x, which cancels large logits (±1e4) against each other.
    out.data[r] = Math.log(total) - dot + (wsum === 1 ? 0 : max * (1 - wsum));
  }
  return out;
}
