import { heapHolding } from './heap.ts';

// NOTE: V8 (Node 20) copies out of a wasm memory into an ordinary ArrayBuffer of 1 MiB or more
// about 15× slower than into a smaller one or between two ordinary buffers (32 KiB: 11 µs against
// 0.7 µs), while copies into wasm memory, the heap's included, are fast either way. Outputs in
// such buffers are copied out through a small ordinary staging array: two fast copies instead of
// one slow one.
const STAGE_FLOATS = 16384;
const LARGE_BUFFER_BYTES = 512 * 1024;
let stage: Float32Array | null = null;

/** out[at … at+len) = mem[from … from+len), the fastest way out of wasm memory for `out`'s buffer. */
export function copyOut(out: Float32Array, at: number, mem: Float32Array, from: number, len: number): void {
  if (out.buffer.byteLength < LARGE_BUFFER_BYTES || heapHolding(out) !== null) {
    out.set(mem.subarray(from, from + len), at);
    return;
  }
  stage ??= new Float32Array(STAGE_FLOATS);
  for (let done = 0; done < len; done += STAGE_FLOATS) {
    const n = Math.min(STAGE_FLOATS, len - done);
    const part = n === STAGE_FLOATS ? stage : stage.subarray(0, n);
    part.set(mem.subarray(from + done, from + done + n));
    out.set(part, at + done);
  }
}
