/**
 * WGSL helpers that give the CPU backend's IEEE semantics where WGSL leaves results undefined or
 * implementation-defined: NaN and infinity tests by bits, NaN-propagating max, logarithm and square
 * root outside their domain, a tanh that cannot overflow, and float-to-int32 conversion that wraps
 * the way a JavaScript Int32Array store does.
 */
// NOTE: the NaN and infinity constants are loaded from private variables: a constant expression
// that evaluates to NaN or ±Inf is a shader-creation error in WGSL, and bit tests cannot be
// folded away by a compiler that assumes finite math, as `x != x` could be.
export const NUMERICS_WGSL = /* wgsl */ `
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;
var<private> I32_MIN_BITS: u32 = 0x80000000u;
fn nan_f32() -> f32 { return bitcast<f32>(NAN_BITS); }
fn inf_f32() -> f32 { return bitcast<f32>(INF_BITS); }
fn min_i32() -> i32 { return bitcast<i32>(I32_MIN_BITS); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn max_nan(a: f32, b: f32) -> f32 { return select(max(a, b), nan_f32(), is_nan(a) || is_nan(b)); }
fn log_ieee(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return nan_f32(); }
  if (x == 0.0) { return -inf_f32(); }
  if (is_inf(x)) { return x; }
  return log(x);
}
fn sqrt_ieee(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return nan_f32(); }
  if (is_inf(x)) { return x; }
  return sqrt(x);
}
fn exp_ieee(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x > 88.8) { return inf_f32(); }
  if (x < -104.0) { return 0.0; }
  return exp(x);
}
// NOTE: the two branches keep exp's argument non-positive, so sigmoid(±1e3) is exactly 1 and 0.
fn sigmoid_ieee(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp_ieee(-x)); }
  let e = exp_ieee(x);
  return e / (1.0 + e);
}
// NOTE: tanh(x) = sign(x)·(1 - e^-2|x|) / (1 + e^-2|x|) cannot overflow (a driver's tanh may
// compute e^2x and give NaN for large x); near 0 the builtin avoids the cancellation in 1 - e.
fn tanh_ieee(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a < 0.5) { return tanh(x); }
  let e = exp_ieee(-2.0 * a);
  return sign(x) * (1.0 - e) / (1.0 + e);
}
fn div_ieee(a: f32, b: f32) -> f32 {
  if (b == 0.0) {
    if (a == 0.0 || is_nan(a)) { return nan_f32(); }
    let negative = (bitcast<u32>(a) ^ bitcast<u32>(b)) & 0x80000000u;
    return bitcast<f32>(INF_BITS | negative);
  }
  return a / b;
}
// NOTE: a JavaScript Int32Array store truncates toward zero, maps NaN and ±Inf to 0 and wraps
// values outside the int32 range modulo 2^32; every float32 at or beyond 2^31 is an integer, so its
// wrapped value is its mantissa shifted left (mod 2^32).
fn f32_to_i32(x: f32) -> i32 {
  let bits = bitcast<u32>(x);
  let e = i32((bits >> 23u) & 0xffu) - 127;
  if (e == 128) { return 0; }
  if (e < 31) { return i32(trunc(x)); }
  let shift = u32(e - 23);
  if (shift >= 32u) { return 0; }
  var v = ((bits & 0x7fffffu) | 0x800000u) << shift;
  if ((bits & 0x80000000u) != 0u) { v = 0u - v; }
  return bitcast<i32>(v);
}
// Integer division as the CPU backend computes it: truncated, and 0 for a zero divisor.
fn div_i32(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  if (b == -1) { return 0 - a; }
  return a / b;
}
`;
