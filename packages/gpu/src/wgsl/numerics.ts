/**
 * WGSL helpers that give the CPU backend's IEEE semantics where WGSL leaves results undefined or
 * implementation-defined: NaN and infinity tests by bits, NaN-propagating max and min, logarithm,
 * log1p and square root outside their domain, a tanh that cannot overflow, and float-to-int32
 * conversion that wraps the way a JavaScript Int32Array store does.
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
fn min_nan(a: f32, b: f32) -> f32 { return select(min(a, b), nan_f32(), is_nan(a) || is_nan(b)); }
fn max_i32() -> i32 { return bitcast<i32>(~I32_MIN_BITS); }
// A condition's truth, as numpy's bool(): nonzero, NaN included (the sign bit alone is -0).
fn nonzero_f32(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u; }
fn nonzero_i32(x: i32) -> bool { return x != 0; }
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
// NOTE: near 0, log1p(x) = 2·atanh(s) with s = x / (2 + x), by its odd series (|s| < 1/7, so the
// terms through s⁹ leave an error below 4e-10): 1 + x would round x's low digits away, and the
// builtin log is only accurate to an absolute 2^-21 near 1.
fn log1p_ieee(x: f32) -> f32 {
  if (is_nan(x) || x < -1.0) { return nan_f32(); }
  if (x == -1.0) { return -inf_f32(); }
  if (is_inf(x)) { return x; }
  if (abs(x) < 0.25) {
    let s = x / (2.0 + x);
    let s2 = s * s;
    return 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (0.2 + s2 * (1.0 / 7.0 + s2 / 9.0))));
  }
  return log(1.0 + x);
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

/**
 * WGSL special functions the elementwise kernels use beyond NUMERICS_WGSL (which they need too):
 * erf, and pow with C's (numpy's, PyTorch's) special cases in float32 and int32.
 */
export const SPECIAL_FUNCTIONS_WGSL = /* wgsl */ `
// NOTE: below |x| = 2.5, erf(x) = 2/√π · x·e^(-x²) · Σₙ (2x²)ⁿ / (1·3···(2n+1)), a series of positive
// terms (Maclaurin's alternating one cancels); above, 1 - erfc(x) by erfc's continued fraction
// e^(-x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))) from its 24th term; from |x| = 4 erf rounds to ±1
// in float32. This float32 arithmetic, emulated with a correctly rounded exp, came within 4.4e-7
// (relative) of mpmath's erf over [-5, 5]; a device's exp adds its own error.
fn erf_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a >= 4.0) { return sign(x); }
  let x2 = x * x;
  if (a < 2.5) {
    var term = 1.0;
    var sum = 1.0;
    for (var n = 0; n < 60; n = n + 1) {
      term = term * 2.0 * x2 / f32(2 * n + 3);
      sum = sum + term;
      if (term < sum * 3e-8) { break; }
    }
    return 1.1283791670955126 * x * exp(-x2) * sum;
  }
  var f = a;
  for (var k = 24; k >= 1; k = k - 1) { f = a + 0.5 * f32(k) / f; }
  let erfc = exp(-x2) / (1.7724538509055159 * f);
  return sign(x) * (1.0 - erfc);
}
// NOTE: C's pow: x⁰ = 1 and 1ʸ = 1 even for NaN, (-1)^±∞ = 1, a negative base takes integer exponents
// only (NaN otherwise), and signed zeros and infinities as C99's Annex F says. The builtin pow is
// undefined for x ≤ 0, so |x|ʸ is exp2(y·log2|x|) and odd integer powers of a negative base get
// their sign back.
fn pow_ieee(x: f32, y: f32) -> f32 {
  if (y == 0.0 || x == 1.0) { return 1.0; }
  if (is_nan(x) || is_nan(y)) { return nan_f32(); }
  let a = abs(x);
  if (is_inf(y)) {
    if (a == 1.0) { return 1.0; }
    return select(0.0, inf_f32(), (a > 1.0) == (y > 0.0));
  }
  let integer = trunc(y) == y;
  let odd = integer && trunc(y * 0.5) != y * 0.5;
  let flip = odd && (bitcast<u32>(x) & 0x80000000u) != 0u;
  var r: f32;
  if (is_inf(x) || x == 0.0) {
    r = select(0.0, inf_f32(), (a != 0.0) == (y > 0.0));
  } else {
    if (x < 0.0 && !integer) { return nan_f32(); }
    let e = y * log2(a);
    if (e > 128.0) { r = inf_f32(); } else if (e < -150.0) { r = 0.0; } else { r = exp2(e); }
  }
  return select(r, -r, flip);
}
// Integer powers as the CPU backend stores Math.pow into an Int32Array: products wrap modulo 2^32,
// and a negative exponent leaves |result| < 1, truncated to 0, except for the bases ±1 (0⁻ⁿ = ∞ is
// stored as 0 too).
fn pow_i32(x: i32, y: i32) -> i32 {
  if (y < 0) {
    if (x == 1) { return 1; }
    if (x == -1) { return select(1, -1, (y & 1) != 0); }
    return 0;
  }
  var result = 1;
  var base = x;
  var e = y;
  loop {
    if (e == 0) { break; }
    if ((e & 1) != 0) { result = result * base; }
    base = base * base;
    e = e >> 1u;
  }
  return result;
}
`;
