import { V128, type FunctionBody } from './wasm-encoder.ts';

// NOTE: Cephes' expf: exp(z) = 2^n · p(r), n = round(z·log2 e), r = z - n·ln 2 split in two parts
// (Cody–Waite) so that r is exact to float32, p a degree-7 polynomial accurate to about 1 ulp on
// |r| ≤ ln2/2.
const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
const EXP_POLY = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
/** Below this, e^z is under float32's smallest normal number and is flushed to 0. */
const EXP_UNDERFLOW = -87.33654;

/** 1.5·2^23: adding it rounds a float32 of magnitude below 2^22 to an integer kept in the low bits. */
const ROUND_MAGIC = 12582912;

/** The v128 locals the exponential works in (declare one set per independent chain). */
export interface ExpLocals {
  readonly t: number;
  readonly nb: number;
  readonly nf: number;
  readonly r: number;
}

/** Declares a set of {@link ExpLocals} in `f`. */
export function expLocals(f: FunctionBody): ExpLocals {
  return { t: f.local(V128), nb: f.local(V128), nf: f.local(V128), r: f.local(V128) };
}

/**
 * Pushes e^z for the f32x4 in local `z`, whose lanes are ≤ 0 (or -∞, or NaN): Cephes' expf, with
 * 2^n built in the exponent bits. Lanes below EXP_UNDERFLOW give 0, -∞ gives 0, NaN gives NaN; at
 * most 2 ulp from the float64 exponential rounded to float32 (see sigmoid-accuracy.test.ts).
 */
export function pushExpNonPositive(f: FunctionBody, z: number, { t, nb, nf, r }: ExpLocals): void {
  const k = (v: number): FunctionBody => f.v128ConstF32(v);
  // t = z clamped at the underflow limit (pmax keeps a NaN z)
  f.get(z);
  k(EXP_UNDERFLOW).f32x4Pmax().set(t);
  // NOTE: adding 1.5·2^23 rounds t·log2 e to the nearest integer n and leaves n in the low
  // mantissa bits, from which 2^n is built below without a float-to-int conversion.
  f.get(t);
  k(LOG2E).f32x4Mul();
  k(ROUND_MAGIC).f32x4Add().set(nb);
  f.get(nb);
  k(ROUND_MAGIC).f32x4Sub().set(nf);
  f.get(t).get(nf);
  k(LN2_HI).f32x4Mul().f32x4Sub();
  f.get(nf);
  k(LN2_LO).f32x4Mul().f32x4Sub().set(r);
  k(EXP_POLY[0]);
  for (let i = 1; i < EXP_POLY.length; i++) {
    f.get(r).f32x4Mul();
    k(EXP_POLY[i]).f32x4Add();
  }
  // e = (p·r·r + r + 1) · 2^n; 2^n's exponent field is n + 127 (1 … 127 after the clamp): nb's low
  // 9 bits plus 127, shifted into place
  f.get(r).f32x4Mul().get(r).f32x4Mul().get(r).f32x4Add();
  k(1).f32x4Add();
  f.get(nb).i32x4Const(127).i32x4Add().i32(23).i32x4Shl();
  f.f32x4Mul();
  // flushed to 0 below the limit (where the clamp made e wrong); NaN compares false and stays
  f.get(z);
  k(EXP_UNDERFLOW).f32x4Lt().v128AndNot();
}
