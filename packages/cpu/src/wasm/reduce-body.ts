import { FunctionBody, I32, type ModuleFunction } from './wasm-encoder.ts';

/** The reductions with a SIMD kernel along a leading run of axes. */
export const SIMD_REDUCE = ['Sum', 'Max', 'Min'] as const;
/** The name of a reduction with a SIMD kernel. */
export type SimdReduceName = (typeof SIMD_REDUCE)[number];

/** Loops `i` from its current value while `i < end` (unsigned locals), adding `step` after each `body`. */
function whileBelow(f: FunctionBody, i: number, end: number, step: number, body: () => void): void {
  f.block(() =>
    f.loop(() => {
      f.get(i).get(end).i32GeU().brIf(1);
      body();
      f.get(i).i32(step).i32Add().set(i);
      f.br(0);
    }),
  );
}

/**
 * `<op>Rows(out, x, outer, len, inner)`: x viewed as [outer, len, inner] (contiguous), out
 * [outer, inner] = the reduction along len, row after row of `inner` floats combined into the
 * output row in order, four at a time (the tail one by one through the same vector operation).
 * Each output element sees its values in the order the JavaScript loop takes them, each step
 * rounded to float32 as that loop's store into a Float32Array rounds it: the results are the same,
 * bit for bit.
 */
function reduceRowsBody(op: SimdReduceName): FunctionBody {
  const f = new FunctionBody([I32, I32, I32, I32, I32]);
  const [out, x, outer, len, inner] = [0, 1, 2, 3, 4];
  const [a, r, c, vecEnd, o] = [f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const combine = (): void => {
    if (op === 'Sum') f.f32x4Add();
    else if (op === 'Max') f.f32x4Max();
    else f.f32x4Min();
  };
  // NaN-propagating max and min, as Math.max and Math.min; the start is each op's identity
  const init = op === 'Sum' ? 0 : op === 'Max' ? -Infinity : Infinity;
  f.get(inner).i32(-4).i32And().set(vecEnd);
  f.i32(0).set(a);
  whileBelow(f, a, outer, 1, () => {
    f.get(out).get(a).get(inner).i32Mul().i32(4).i32Mul().i32Add().set(o);
    f.i32(0).set(c);
    whileBelow(f, c, inner, 1, () => {
      f.get(o).get(c).i32(4).i32Mul().i32Add().f32(init).f32Store();
    });
    f.i32(0).set(r);
    whileBelow(f, r, len, 1, () => {
      f.i32(0).set(c);
      whileBelow(f, c, vecEnd, 4, () => {
        f.get(o).get(c).i32(4).i32Mul().i32Add();
        f.get(o).get(c).i32(4).i32Mul().i32Add().v128Load();
        f.get(x).get(c).i32(4).i32Mul().i32Add().v128Load();
        combine();
        f.v128Store();
      });
      whileBelow(f, c, inner, 1, () => {
        f.get(o).get(c).i32(4).i32Mul().i32Add();
        f.get(o).get(c).i32(4).i32Mul().i32Add().f32Splat4Load();
        f.get(x).get(c).i32(4).i32Mul().i32Add().f32Splat4Load();
        combine();
        f.f32x4ExtractLane(0).f32Store();
      });
      f.get(x).get(inner).i32(4).i32Mul().i32Add().set(x);
    });
  });
  return f;
}

/** The reduction kernels, exported as `SumRows`, `MaxRows` and `MinRows`. */
export function reduceFunctions(): ModuleFunction[] {
  return SIMD_REDUCE.map((op) => ({ name: `${op}Rows`, body: reduceRowsBody(op) }));
}
