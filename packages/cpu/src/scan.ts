import { rowMajor, type BufferLedger, type CpuArray } from './buffers.ts';

/**
 * Running sums along `axis` (from the last element backwards when `reverse`), each accumulated in
 * float64 and rounded once to the output's dtype.
 */
export function cumsum(ledger: BufferLedger, x: CpuArray, axis: number, reverse: boolean): CpuArray {
  const { data, offset } = rowMajor(x);
  const out = ledger.alloc(x.shape, x.dtype, true);
  const o = out.data;
  const len = x.shape[axis];
  const inner = x.shape.slice(axis + 1).reduce((n, d) => n * d, 1);
  const outer = len * inner === 0 ? 0 : x.size / (len * inner);
  // one running sum per position of the inner axes, so that rows are read in memory order
  const sums = new Float64Array(inner);
  for (let a = 0; a < outer; a++) {
    sums.fill(0);
    for (let step = 0; step < len; step++) {
      const base = (a * len + (reverse ? len - 1 - step : step)) * inner;
      for (let c = 0; c < inner; c++) {
        sums[c] += data[offset + base + c];
        o[base + c] = sums[c];
      }
    }
  }
  return out;
}
